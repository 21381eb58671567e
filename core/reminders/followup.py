"""What came back after sending: bounces, out-of-office replies and replies, read from the
reminders' mailbox and attached to the message they answer (issue 12, item 5).

Each mailbox message is one transaction: its `mailbox_events` row (unique on source and key —
the record that it was read), the message's delivery status, and for a hard bounce the invalid
address, a note for the collectors and the next step, a letter to print. A crash before the
commit leaves nothing and the message is read again; after it, the message is skipped. The
mailbox's own "read" flag is set after the commit and is only a courtesy to people who open it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from core.formatting import PARIS
from core.mail import autoreplies, bounces
from core.mail.mailbox import MailSource, already_read
from core.store import operations
from core.store.paths import StorePaths

log = logging.getLogger("encours.reminders.followup")

SYSTEM = "système"
MANUAL_CODE = "manual"
# A later event never lowers what the history shows: a delay warning after the final bounce
# leaves "bounced", an away reply after a person's answer leaves "replied".
_STATUS_RANK = {"deferred": 1, "auto_reply": 2, "replied": 3, "bounced": 4}
_STATUS_OF_KIND = {
    bounces.HARD: "bounced",
    bounces.SOFT: "deferred",
    "auto_reply": "auto_reply",
    "reply": "replied",
}


@dataclass(frozen=True)
class Classified:
    """One mailbox message, understood."""

    kind: str  # mailbox_events.kind
    token: str | None
    addresses: tuple[str, ...] = ()
    status_code: str | None = None
    return_date: date | None = None
    detail: str = ""


@dataclass(frozen=True)
class FollowupReport:
    """One pass over a mailbox, for the scheduler's log and the tests."""

    read: int = 0  # new messages processed
    kinds: dict[str, int] = field(default_factory=dict)  # mailbox_events.kind → count
    unmatched: int = 0  # processed, but naming none of our messages
    invalid_addresses: tuple[str, ...] = ()
    letters: tuple[int, ...] = ()  # reminder_queue ids of the letters to print


def active_invalid_addresses(con: sqlite3.Connection) -> set[str]:
    """The addresses a hard bounce proved wrong and nobody cleared since (lower case)."""
    return {r[0].lower() for r in con.execute("SELECT address FROM invalid_addresses WHERE cleared_at IS NULL")}


def classify_message(msg: EmailMessage, *, received: date) -> Classified:
    """Bounce first (they carry Auto-Submitted too), then out-of-office, then a person's reply."""
    bounce = bounces.classify(msg)
    if bounce is not None:
        return Classified(bounce.kind, bounce.token, bounce.addresses, bounce.status_code, None, bounce.detail)
    away = autoreplies.classify_auto_reply(msg, received=received)
    if away is not None:
        return Classified("auto_reply", away.token, (away.address,), None, away.return_date, away.detail)
    _, sender = parseaddr(str(msg.get("From", "")))
    if autoreplies.is_human_reply(msg):
        return Classified("reply", bounces.token_of(msg), (sender.lower(),), detail="Réponse du client.")
    return Classified(
        "unknown", bounces.token_of(msg), (sender.lower(),) if sender else (), detail="Message non reconnu."
    )


def process_mailbox(paths: StorePaths, source: MailSource, *, now: datetime) -> FollowupReport:
    """Read every new message of `source` once and record what it says (see the module's doc)."""
    kinds: Counter[str] = Counter()
    unmatched = 0
    invalid: list[str] = []
    letters: list[int] = []
    with operations.session(paths) as con, source:
        for name, key, msg in source.read(skip=lambda k: already_read(con, source.name, k)):
            received_at = _received_at(msg, now)
            found = classify_message(msg, received=received_at.astimezone(PARIS).date())
            with operations.transaction(con):
                if already_read(con, name, key):  # another reader got there first
                    continue
                outcome = _record(con, name, key, msg, found, received_at=received_at, now=now)
            source.mark_read(key)
            kinds[found.kind] += 1
            unmatched += outcome.message_id is None
            invalid.extend(outcome.invalid)
            letters.extend([outcome.letter] if outcome.letter else [])
            log.info("boîte %s : %s %s (%s)", name, found.kind, key, found.detail)
    return FollowupReport(sum(kinds.values()), dict(kinds), unmatched, tuple(invalid), tuple(letters))


@dataclass(frozen=True)
class _Outcome:
    message_id: int | None
    invalid: tuple[str, ...] = ()
    letter: int | None = None


def _record(
    con: sqlite3.Connection,
    source: str,
    key: str,
    msg: EmailMessage,
    found: Classified,
    *,
    received_at: datetime,
    now: datetime,
) -> _Outcome:
    row = con.execute(
        "SELECT message_id, delivery_status FROM messages WHERE token = ?", (found.token or "",)
    ).fetchone()
    message_id, previous = (int(row[0]), row[1]) if row else (None, None)
    event_id = int(
        con.execute(
            "INSERT INTO mailbox_events (source, source_key, received_at, kind, message_id, address, status_code,"
            " return_date, subject, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source,
                key,
                received_at.isoformat(),
                found.kind,
                message_id,
                ", ".join(found.addresses) or None,
                found.status_code,
                found.return_date.isoformat() if found.return_date else None,
                autoreplies.subject_of(msg)[:500],
                found.detail,
            ),
        ).lastrowid
        or 0
    )
    status = _STATUS_OF_KIND.get(found.kind)
    if message_id is not None and status and _STATUS_RANK[status] >= _STATUS_RANK.get(previous or "", 0):
        con.execute(
            "UPDATE messages SET delivery_status = ?, delivery_detail = ?, delivery_at = ? WHERE message_id = ?",
            (status, _delivery_detail(found), received_at.isoformat(), message_id),
        )
    if found.kind != bounces.HARD:
        return _Outcome(message_id)
    for address in found.addresses:
        con.execute(
            "INSERT INTO invalid_addresses (address, reason, event_id, detected_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (address) DO UPDATE SET reason = excluded.reason, event_id = excluded.event_id,"
            " detected_at = excluded.detected_at, cleared_at = NULL, cleared_by = NULL"
            " WHERE invalid_addresses.cleared_at IS NOT NULL",
            (address, found.detail, event_id, now.isoformat()),
        )
    letter = None
    if message_id is not None and previous != "bounced":  # the first hard bounce of a message
        letter = _letter_to_print(con, message_id, found, now=now)
    return _Outcome(message_id, found.addresses, letter)


def _delivery_detail(found: Classified) -> str:
    who = ", ".join(found.addresses)
    return f"{who} : {found.detail}" if who and found.kind in (bounces.HARD, bounces.SOFT) else found.detail


def _letter_to_print(con: sqlite3.Connection, message_id: int, found: Classified, *, now: datetime) -> int:
    """The next step after a hard bounce: the same reminder as a letter to print, and a note."""
    entity_id, customer_id, language, subject, body, sent_at, created_at = con.execute(
        "SELECT entity_id, customer_id, language, subject, body, sent_at, created_at FROM messages"
        " WHERE message_id = ?",
        (message_id,),
    ).fetchone()
    queued = con.execute(
        "SELECT queue_id, plan_id, code, total_due FROM reminder_queue WHERE message_id = ? AND channel = 'email'"
        " ORDER BY queue_id LIMIT 1",
        (message_id,),
    ).fetchone()
    if queued:
        source_queue, plan_id, code, total_due = queued
        invoices = con.execute(
            "SELECT entity_id, invoice_id, code, cycle, amount_due, days_late FROM reminder_queue_invoices"
            " WHERE queue_id = ? ORDER BY invoice_id",
            (source_queue,),
        ).fetchall()
    else:  # a manual message: its invoices as sent (the days late are not kept with a message)
        plan_id, code = "", MANUAL_CODE
        invoices = con.execute(
            "SELECT entity_id, invoice_id, ?, '', amount_due, 0 FROM message_invoices WHERE message_id = ?"
            " ORDER BY invoice_id",
            (MANUAL_CODE, message_id),
        ).fetchall()
        total_due = str(sum((Decimal(i[4]) for i in invoices), Decimal(0)))
    addresses = ", ".join(found.addresses)
    when = datetime.fromisoformat(sent_at or created_at).astimezone(PARIS)
    reason = f"Adresse e-mail invalide ({addresses}, {found.status_code or 'rebond'}) : courrier à imprimer."
    stamp = now.isoformat()
    queue_id = int(
        con.execute(
            "INSERT INTO reminder_queue (entity_id, customer_id, plan_id, code, channel, language, state,"
            " scheduled_for, reason, subject, body, to_addresses, cc_addresses, total_due, created_at, updated_at,"
            " decided_by, decided_at) VALUES (?, ?, ?, ?, 'letter', ?, 'to_print', ?, ?, ?, ?, '[]', '[]', ?, ?, ?,"
            " ?, ?)",
            (
                entity_id, customer_id, plan_id, code, language, stamp, reason, subject, body,
                str(total_due), stamp, stamp, SYSTEM, stamp,
            ),
        ).lastrowid
        or 0
    )  # fmt: skip
    con.executemany(
        "INSERT INTO reminder_queue_invoices (queue_id, entity_id, invoice_id, code, cycle, amount_due, days_late)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(queue_id, *invoice) for invoice in invoices],
    )
    note = (
        f"Adresse e-mail invalide : {addresses} ({found.detail.rstrip('.')}). "
        f"Le message « {subject} » du {when:%d/%m/%Y} n'a pas été remis : "
        "une lettre de relance est à imprimer (file des courriers)."
    )
    con.execute(
        "INSERT INTO collection_notes (entity_id, customer_id, invoice_id, written_at, written_by, body)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (entity_id, customer_id, invoices[0][1] if invoices else None, stamp, SYSTEM, note),
    )
    log.info("rebond définitif du message %s : courrier %s à imprimer", message_id, queue_id)
    return queue_id


def _received_at(msg: EmailMessage, now: datetime) -> datetime:
    try:
        sent = parsedate_to_datetime(str(msg.get("Date", "")))
    except (TypeError, ValueError, IndexError):
        return now
    if sent is None or sent.tzinfo is None:
        return now
    return sent
