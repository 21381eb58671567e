"""The embedded SMTP server: aiosmtpd on 127.0.0.1, every message kept in a maildir.

`make run` starts it (`python -m jobs.mailserver`) when no SMTP server is configured, so a
newcomer sees a reminder leave Encours and arrive; the tests send to the same server. Like a
real delivery agent it adds `Return-Path` (the envelope sender, where bounces go) and
`X-Envelope-To` (every recipient of the SMTP envelope, copies included) on top of the message.

`refused` lists addresses the server answers `550 5.1.1` to (the failure tests).

Given a `bounces` maildir, it also plays the remote servers of a few demo addresses, so `make
run` shows the whole delivery loop (issue 12, item 9): a message to `…@rebond.example` is
accepted and then bounced with a DSN 5.1.1, one to `…@absent.example` gets a French
out-of-office reply with a return date two weeks ahead — both sent back to the envelope sender
(the VERP return path naming the message) and kept in that second maildir, the reminders'
mailbox the scheduler reads.
"""

from __future__ import annotations

import email
import logging
import mailbox
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from core.formatting import PARIS

log = logging.getLogger("encours.mail.local_server")

LOCAL_HOST = "127.0.0.1"
BOUNCE_DOMAIN = "rebond.example"  # demo addresses whose (pretend) server says "user unknown"
AWAY_DOMAIN = "absent.example"  # demo addresses whose owner is on holiday
AWAY_DAYS = 14
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre")  # fmt: skip


def bounces_maildir(data_dir: Path) -> Path:
    """Where the embedded server puts the bounces and away replies it plays (the reminders' mailbox)."""
    return data_dir / "mail" / "bounces"


def _wall_clock() -> datetime:
    # A server stamps what it writes with its own clock, as aiosmtpd does; tests inject theirs.
    return datetime.now(PARIS)


def open_maildir(folder: Path) -> mailbox.Maildir:
    """The maildir at `folder`, created whole (Maildir(create=True) skips tmp/new/cur in an existing empty folder)."""
    for sub in ("tmp", "new", "cur"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(folder, factory=None, create=False)


class MaildirHandler:
    """aiosmtpd handler: accept, and add the raw message to the maildir."""

    def __init__(
        self,
        folder: Path,
        *,
        refused: Iterable[str] = (),
        bounces: Path | None = None,
        clock: Callable[[], datetime] = _wall_clock,
    ) -> None:
        self.box = open_maildir(folder)
        self.refused = {a.lower() for a in refused}
        self.bounces = open_maildir(bounces) if bounces is not None else None
        self.clock = clock

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: adresse inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content or b""
        prefix = f"Return-Path: <{envelope.mail_from}>\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        self.box.add(prefix.encode("ascii", "replace") + raw)
        log.info("message reçu pour %s", ", ".join(envelope.rcpt_tos))
        if self.bounces is not None and envelope.mail_from:  # never answer a bounce
            for answer in demo_answers(raw, envelope.mail_from, envelope.rcpt_tos, now=self.clock()):
                self.bounces.add(answer.as_bytes(policy=policy.SMTP))
        return "250 2.0.0 Message accepted for delivery"


def demo_answers(raw: bytes, envelope_from: str, recipients: Iterable[str], *, now: datetime) -> list[Message]:
    """What the demo's pretend remote servers send back for a message to `recipients`."""
    answers: list[Message] = []
    for rcpt in recipients:
        domain = rcpt.rpartition("@")[2].lower()
        if domain == BOUNCE_DOMAIN:
            answers.append(build_dsn(raw, envelope_from=envelope_from, recipient=rcpt, now=now))
            log.info("adresse de démonstration %s : rebond 5.1.1 renvoyé à %s", rcpt, envelope_from)
        elif domain == AWAY_DOMAIN:
            answers.append(build_away_reply(raw, envelope_from=envelope_from, recipient=rcpt, now=now))
            log.info("adresse de démonstration %s : réponse d'absence renvoyée à %s", rcpt, envelope_from)
    return answers


def build_dsn(raw: bytes, *, envelope_from: str, recipient: str, now: datetime, status: str = "5.1.1") -> MIMEMultipart:
    """A delivery status notification (RFC 3464) for `recipient`, as Postfix writes one."""
    host = "mx." + recipient.rpartition("@")[2]
    permanent = status.startswith("5")
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = f"Mail Delivery System <MAILER-DAEMON@{host}>"
    report["To"] = envelope_from
    report["Subject"] = "Undelivered Mail Returned to Sender" if permanent else "Delayed Mail (still being retried)"
    report["Date"] = format_datetime(now)
    report["Message-ID"] = make_msgid(domain=host)
    report["Auto-Submitted"] = "auto-replied"
    reply = f"550 {status} <{recipient}>: Recipient address rejected: User unknown in virtual mailbox table"
    report.attach(
        MIMEText(
            f"This is the mail system at host {host}.\n\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients.\n\n"
            f"<{recipient}>: host {host} said: {reply}\n",
            "plain",
            "utf-8",
        )
    )
    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = f"dns; {host}"
    per_message["Arrival-Date"] = format_datetime(now)
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Original-Recipient"] = f"rfc822;{recipient}"
    per_recipient["Action"] = "failed" if permanent else "delayed"
    per_recipient["Status"] = status
    per_recipient["Remote-MTA"] = f"dns; {host}"
    per_recipient["Diagnostic-Code"] = f"smtp; {reply}"
    status_part = Message()
    status_part["Content-Type"] = "message/delivery-status"
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    headers = Message()
    headers["Content-Type"] = "text/rfc822-headers"
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii", "replace")  # as sent: encoded
    headers.set_payload(f"Return-Path: <{envelope_from}>\n{head}\n")
    report.attach(headers)
    return report


def build_away_reply(raw: bytes, *, envelope_from: str, recipient: str, now: datetime) -> EmailMessage:
    """A French out-of-office reply from `recipient`, back in AWAY_DAYS days, as Outlook writes one."""
    original = email.message_from_bytes(raw, policy=policy.default)
    back = (now + timedelta(days=AWAY_DAYS)).astimezone(PARIS).date()
    reply = EmailMessage()
    reply["From"] = recipient
    reply["To"] = envelope_from
    reply["Subject"] = f"Réponse automatique\u00a0: {original.get('Subject', '')}"
    reply["Date"] = format_datetime(now)
    reply["Message-ID"] = make_msgid(domain=recipient.rpartition("@")[2])
    if original.get("Message-ID"):
        reply["In-Reply-To"] = str(original["Message-ID"])
        reply["References"] = str(original["Message-ID"])
    reply["Auto-Submitted"] = "auto-replied"
    reply["X-Autoreply"] = "yes"
    reply.set_content(
        "Bonjour,\n\n"
        f"Je suis absent(e) du bureau et serai de retour le {back.day} {_MONTHS[back.month - 1]} {back.year}.\n"
        "Je prendrai connaissance de votre message à mon retour.\n\nCordialement,\n"
    )
    return reply


@contextmanager
def serving(
    folder: Path,
    *,
    port: int,
    host: str = LOCAL_HOST,
    refused: Iterable[str] = (),
    bounces: Path | None = None,
    clock: Callable[[], datetime] = _wall_clock,
    **smtp_options: Any,
) -> Iterator[Controller]:
    """The server listening on `host:port` until the block ends (port 0 does not work: pick a free one).

    `smtp_options` go to aiosmtpd (`tls_context` + `require_starttls`, `ssl_context` for TLS from
    the start, `authenticator`…): the tests of STARTTLS, TLS and sign-in use them. `bounces`: the
    maildir where the demo's bounces and away replies go (none: the demo addresses are plain)."""
    handler = MaildirHandler(folder, refused=refused, bounces=bounces, clock=clock)
    controller = Controller(handler, hostname=host, port=port, **smtp_options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
