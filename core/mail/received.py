"""The messages the embedded SMTP server received, read back from its maildir for the
"Boîte d'envoi (démo)" page: newest first, as a mail client would show them."""

from __future__ import annotations

import email
import mailbox
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

DEFAULT_LIMIT = 200


@dataclass(frozen=True)
class ReceivedMessage:
    key: str
    date: datetime | None
    sender: str
    to: str
    cc: str
    subject: str
    body: str
    envelope_to: str
    message_id: str


def received_messages(folder: Path, *, limit: int = DEFAULT_LIMIT) -> list[ReceivedMessage]:
    """The `limit` newest messages of the maildir at `folder` (none when it does not exist yet)."""
    if not (folder / "new").is_dir() and not (folder / "cur").is_dir():
        return []
    box = mailbox.Maildir(folder, factory=None, create=False)
    found = []
    for key in box.keys():
        try:
            raw = box.get_bytes(key)
        except (FileNotFoundError, KeyError):  # moved or removed meanwhile
            continue
        parsed = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        found.append(_received(key, parsed))
    far_past = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda m: (m.date or far_past, m.key), reverse=True)
    return found[:limit]


def _received(key: str, msg: EmailMessage) -> ReceivedMessage:
    body_part = msg.get_body(preferencelist=("plain", "html"))
    body = body_part.get_content().replace("\r\n", "\n") if isinstance(body_part, EmailMessage) else ""
    return ReceivedMessage(
        key=key,
        date=_date(msg.get("Date")),
        sender=str(msg.get("From", "")),
        to=str(msg.get("To", "")),
        cc=str(msg.get("Cc", "")),
        subject=str(msg.get("Subject", "")),
        body=body,
        envelope_to=str(msg.get("X-Envelope-To", "")),
        message_id=str(msg.get("Message-ID", "")),
    )


def _date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
