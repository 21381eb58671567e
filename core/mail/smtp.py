"""Sending over SMTP (smtplib): where to, how securely, and what a failure means in French.

The server is a parameter (`SmtpServer`, built from the settings at the edge), so tests send to
a real aiosmtpd server on a free port. The password is a `Secret`: it goes to `login` and
nowhere else (no log line, no error message carries it).

Errors form a small hierarchy, each with a French message for the screen and the history, and
a `transient` flag (worth retrying later: the server did not answer) for the scheduler:
`MailServerUnavailable`, `MailAuthFailed`, `MailSenderRefused`, `MailRecipientsRefused` (every
recipient refused), `MailRejected` (the message itself). Some recipients refused and others
accepted is not an error: `Delivery.refused` lists them.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from core.config import MailSettings, Secret

DEFAULT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str = "none"  # none | starttls | tls
    user: str | None = None
    password: Secret | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    tls_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)
    """Certificates to trust for STARTTLS/TLS; None: the system's (`ssl.create_default_context()`)."""

    @classmethod
    def from_settings(cls, mail: MailSettings) -> SmtpServer:
        return cls(mail.host, mail.smtp_port, mail.security, mail.user, mail.password)

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Delivery:
    """What the server accepted: every recipient but those in `refused` (address → its reply)."""

    accepted: tuple[str, ...]
    refused: Mapping[str, str] = field(default_factory=dict)


class MailError(Exception):
    """A send that did not happen; `str(error)` is French, for the screen and the history."""

    transient = False

    def __init__(self, message: str, refused: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.refused: Mapping[str, str] = dict(refused or {})


class MailServerUnavailable(MailError):
    transient = True


class MailAuthFailed(MailError):
    pass


class MailSenderRefused(MailError):
    pass


class MailRecipientsRefused(MailError):
    pass


class MailRejected(MailError):
    pass


def reply_text(code: int, text: bytes | str) -> str:
    """`550 5.1.1 unknown user` from smtplib's (code, bytes)."""
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}".strip()


def refusals(refused: Mapping[str, tuple[int, bytes]]) -> dict[str, str]:
    return {addr: reply_text(code, text) for addr, (code, text) in refused.items()}


def describe_refusals(refused: Mapping[str, str]) -> str:
    return ", ".join(f"{addr} ({reply})" for addr, reply in refused.items())


def _unreachable(server: SmtpServer, exc: BaseException) -> MailServerUnavailable:
    if isinstance(exc, ConnectionRefusedError):
        why = "connexion refusée"
    elif isinstance(exc, TimeoutError):
        why = "pas de réponse dans le délai"
    elif isinstance(exc, ssl.SSLError):
        why = "échec de la négociation TLS"
    else:
        why = "connexion impossible ou interrompue"
    return MailServerUnavailable(
        f"Le serveur d'envoi {server.label} ne répond pas ({why}) : le message n'est pas parti. "
        "Réessayez dans quelques minutes ; si cela persiste, prévenez un administrateur."
    )


def _connect(server: SmtpServer) -> smtplib.SMTP:
    """The TLS context is only built for TLS: loading the system's certificates takes ~30 ms."""
    if server.security == "tls":
        context = server.tls_context or ssl.create_default_context()
        return smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout_s, context=context)
    client = smtplib.SMTP(server.host, server.port, timeout=server.timeout_s)
    if server.security == "starttls":
        try:
            client.starttls(context=server.tls_context or ssl.create_default_context())
        except BaseException:
            client.close()
            raise
    return client


def _open(server: SmtpServer) -> smtplib.SMTP:
    """Connected (not signed in yet): MailServerUnavailable otherwise."""
    try:
        return _connect(server)
    except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as exc:
        raise _unreachable(server, exc) from None
    except smtplib.SMTPNotSupportedError:
        raise MailServerUnavailable(
            f"Le serveur d'envoi {server.label} ne propose pas STARTTLS : vérifiez ENCOURS_SMTP_SECURITY."
        ) from None
    except OSError as exc:  # refused, timed out, TLS failure (smtplib's own errors are OSErrors too)
        raise _unreachable(server, exc) from None


def send(message: EmailMessage, server: SmtpServer, *, envelope_from: str, recipients: Sequence[str]) -> Delivery:
    """Hand `message` to `server` for `recipients` (To and Cc: the envelope, never a Bcc header).

    Returns what was accepted; raises a MailError when nothing was (French message).
    """
    client = _open(server)
    try:
        return _deliver(client, server, message, envelope_from=envelope_from, recipients=recipients, login=True)
    finally:
        _close(client)


class Connection:
    """One SMTP connection for several messages in a row (the automatic reminders' batches):
    opened on the first `send`, checked with NOOP before each later one and opened again when the
    server dropped it, closed after any error (the next `send` starts afresh). Each `send` has
    the same outcome and French errors as the module's `send`."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self._client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, *, envelope_from: str, recipients: Sequence[str]) -> Delivery:
        fresh = self._client is None or not _alive(self._client)
        if fresh:
            self.close()
            self._client = _open(self.server)
        assert self._client is not None
        try:
            return _deliver(
                self._client, self.server, message, envelope_from=envelope_from, recipients=recipients, login=fresh
            )
        except MailError:
            self.close()
            raise

    def close(self) -> None:
        if self._client is not None:
            _close(self._client)
            self._client = None


@contextmanager
def connection(server: SmtpServer) -> Iterator[Connection]:
    """A `Connection` to `server`, closed (QUIT) when the block ends."""
    conn = Connection(server)
    try:
        yield conn
    finally:
        conn.close()


def _alive(client: smtplib.SMTP) -> bool:
    try:
        return client.noop()[0] == 250
    except (smtplib.SMTPException, OSError):
        return False


def _deliver(
    client: smtplib.SMTP,
    server: SmtpServer,
    message: EmailMessage,
    *,
    envelope_from: str,
    recipients: Sequence[str],
    login: bool,
) -> Delivery:
    """Sign in (on a new connection) and hand one message over; smtplib's errors become MailErrors."""
    try:
        if login and server.user:
            client.login(server.user, server.password.reveal() if server.password else "")
        refused = refusals(client.send_message(message, from_addr=envelope_from, to_addrs=list(recipients)))
    except smtplib.SMTPAuthenticationError:
        raise MailAuthFailed(
            f"Le serveur d'envoi {server.label} a refusé l'identification (ENCOURS_SMTP_USER, "
            "ENCOURS_SMTP_PASSWORD) : le message n'est pas parti."
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused_all = refusals(exc.recipients)
        raise MailRecipientsRefused(
            f"Le serveur a refusé tous les destinataires : {describe_refusals(refused_all)}. "
            "Le message n'est pas parti : corrigez les adresses.",
            refused_all,
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailSenderRefused(
            f"Le serveur a refusé l'adresse d'expédition {envelope_from} ({reply_text(exc.smtp_code, exc.smtp_error)}) : "
            "le message n'est pas parti. Vérifiez ENCOURS_MAIL_FROM."
        ) from None
    except smtplib.SMTPDataError as exc:
        raise MailRejected(
            f"Le serveur a refusé le message ({reply_text(exc.smtp_code, exc.smtp_error)}) : il n'est pas parti."
        ) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise _unreachable(server, exc) from None
    except smtplib.SMTPResponseException as exc:
        raise MailRejected(
            f"Le serveur a répondu {reply_text(exc.smtp_code, exc.smtp_error)} : le message n'est pas parti."
        ) from None
    except OSError as exc:
        raise _unreachable(server, exc) from None
    return Delivery(accepted=tuple(a for a in recipients if a not in refused), refused=refused)


def _close(client: smtplib.SMTP) -> None:
    """QUIT politely; a server that hangs up first changes nothing to what it accepted."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()
