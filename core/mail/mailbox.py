"""The reminders' mailbox, where bounces and replies come back: a maildir (the embedded default)
or an IMAP folder, each message read once.

"Once" is the operational store's word, not the mailbox's: a message is new until a
`mailbox_events` row holds its `(source, source_key)` — flags can be changed by anyone reading
the same mailbox in a mail client. IMAP messages are fetched with BODY.PEEK (reading does not
mark them) and flagged \\Seen only after they were processed; the key is `UIDVALIDITY:UID`,
so a recreated folder (new UIDVALIDITY) is read again rather than mistaken for the old one.
"""

from __future__ import annotations

import email
import imaplib
import logging
import mailbox
import sqlite3
import ssl
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Protocol

log = logging.getLogger("encours.mail.mailbox")

SECURITIES = ("none", "starttls", "tls")


class MailboxError(RuntimeError):
    """The mailbox cannot be read (server unreachable, refused sign-in…); the message is French."""


class MailSource(Protocol):
    """A mailbox to read: `read` gives `(source, key, message)` for each message whose key `skip`
    does not refuse, `mark_read` flags one once it was processed."""

    name: str

    def __enter__(self) -> MailSource: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def read(self, skip: Callable[[str], bool] = ...) -> Iterator[tuple[str, str, EmailMessage]]: ...

    def mark_read(self, key: str) -> None: ...


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)  # policy.default builds EmailMessage
    return msg


def already_read(con: sqlite3.Connection, source: str, key: str) -> bool:
    """A `mailbox_events` row already holds this message (processed by an earlier run)."""
    row = con.execute("SELECT 1 FROM mailbox_events WHERE source = ? AND source_key = ?", (source, key)).fetchone()
    return row is not None


def _never(_key: str) -> bool:
    return False


class MaildirSource:
    """A maildir folder (`new/` and `cur/`); read messages move to `cur/` with the S flag."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.name = f"maildir:{self.folder}"

    def __enter__(self) -> MaildirSource:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def read(self, skip: Callable[[str], bool] = _never) -> Iterator[tuple[str, str, EmailMessage]]:
        if not (self.folder / "new").is_dir() and not (self.folder / "cur").is_dir():
            return
        box = mailbox.Maildir(self.folder, factory=None, create=False)
        for key in sorted(box.keys()):  # keys start with the delivery time: oldest first
            if skip(key):
                continue
            try:
                raw = box.get_bytes(key)
            except (FileNotFoundError, KeyError):  # moved meanwhile (another reader)
                continue
            yield self.name, key, parse(raw)

    def mark_read(self, key: str) -> None:
        box = mailbox.Maildir(self.folder, factory=None, create=False)
        try:
            message = box.get_message(key)
        except (FileNotFoundError, KeyError):
            return
        if message.get_subdir() == "cur" and "S" in message.get_flags():
            return
        message.set_subdir("cur")
        message.add_flag("S")
        box[key] = message


class ImapSource:
    """An IMAP folder, read with the standard `imaplib` (one connection per `with` block)."""

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        folder: str = "INBOX",
        security: str = "tls",
        *,
        timeout_s: float = 30,
    ) -> None:
        if security not in SECURITIES:
            raise ValueError(f"security: one of {SECURITIES}, not {security!r}")
        self.host, self.port, self.user, self.folder, self.security = host, port, user, folder, security
        self._password = password
        self.timeout_s = timeout_s
        self.name = f"imap:{host}/{folder}"
        self._imap: imaplib.IMAP4 | None = None
        self._validity = ""

    def __repr__(self) -> str:  # never the password
        return f"ImapSource({self.host!r}, {self.port}, {self.user!r}, folder={self.folder!r})"

    def __enter__(self) -> ImapSource:
        try:
            if self.security == "tls":
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    self.host, self.port, ssl_context=ssl.create_default_context(), timeout=self.timeout_s
                )
            else:
                imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout_s)
                if self.security == "starttls":
                    imap.starttls(ssl.create_default_context())
            imap.login(self.user, self._password)
            typ, _ = imap.select(_quoted(self.folder))
            if typ != "OK":
                raise MailboxError(f"Le dossier « {self.folder} » est introuvable sur {self.host}.")
            _, data = imap.response("UIDVALIDITY")
            self._validity = (data[0] or b"0").decode() if data and isinstance(data[0], bytes) else "0"
        except imaplib.IMAP4.error as exc:
            raise MailboxError(f"Connexion refusée par le serveur IMAP {self.host} : {exc}") from None
        except (OSError, ssl.SSLError) as exc:
            raise MailboxError(f"Serveur IMAP {self.host}:{self.port} injoignable : {exc}") from None
        self._imap = imap
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        imap, self._imap = self._imap, None
        if imap is None:
            return
        try:
            imap.close()
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            log.warning("fermeture de la connexion IMAP à %s interrompue", self.host)

    def _connection(self) -> imaplib.IMAP4:
        if self._imap is None:
            raise MailboxError("La boîte IMAP n'est pas ouverte (utilisez « with »).")
        return self._imap

    def read(self, skip: Callable[[str], bool] = _never) -> Iterator[tuple[str, str, EmailMessage]]:
        imap = self._connection()
        typ, data = imap.uid("SEARCH", "ALL")
        if typ != "OK":
            raise MailboxError(f"Recherche refusée dans « {self.folder} » sur {self.host}.")
        for raw_uid in (data[0] or b"").split():
            uid = raw_uid.decode()
            key = f"{self._validity}:{uid}"
            if skip(key):
                continue
            typ, fetched = imap.uid("FETCH", uid, "(UID BODY.PEEK[])")
            raw = next((item[1] for item in fetched or () if isinstance(item, tuple)), None)
            if typ != "OK" or not isinstance(raw, bytes):
                continue  # expunged meanwhile
            yield self.name, key, parse(raw)

    def mark_read(self, key: str) -> None:
        validity, _, uid = key.partition(":")
        if validity != self._validity:
            return
        self._connection().uid("STORE", uid, "+FLAGS", "(\\Seen)")


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
