"""Queued reminders for the screens' tests, on `tests.support.mail.mail_store`: DueReminder values
built by hand and queued with a simple `compose` (the engine's output contract, nothing more)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from core.formatting import PARIS
from core.reminders import plans, queue
from core.reminders.model import DueReminder, ReminderLine
from core.reminders.queue import Composed
from core.reminders.settings import ReminderSettings
from core.store import operations
from core.store.paths import StorePaths

QUEUED_AT = datetime(2026, 11, 23, 9, 30, tzinfo=PARIS)  # Monday, inside the default window
INVOICES = {  # mail_store's open invoices: customer, amount, due date
    20: (1, Decimal("1234.56"), date(2026, 10, 1)),
    22: (2, Decimal("99.90"), date(2026, 10, 10)),
    23: (3, Decimal("50.00"), date(2026, 11, 22)),
}
ADDRESSES = {1: "compta1@client.example", 2: "accounts@morel.example", 3: "garage@petit.example"}


def seed_plans(paths: StorePaths, now: datetime = QUEUED_AT) -> None:
    with operations.session(paths) as con:
        plans.seed_default_plans(con, now=now)


def due(invoice_id: int, *, code: str = "reminder_2", validation: bool = True, channel: str = "email") -> DueReminder:
    customer_id, amount, due_date = INVOICES[invoice_id]
    days_late = (QUEUED_AT.date() - due_date).days
    line = ReminderLine("alpha", invoice_id, f"F-2026-{invoice_id:06d}", code, "", amount, due_date, days_late)
    return DueReminder(
        entity_id="alpha", customer_id=customer_id, plan_id="fr", code=code, position=3, channel=channel,
        language="fr", needs_validation=validation, cc_account_manager=False, penalty_block=False, lines=(line,),
        total_due=amount, due_since=QUEUED_AT,
    )  # fmt: skip


def simple_compose(reminder: DueReminder) -> Composed:
    numbers = ", ".join(x.invoice_number or str(x.invoice_id) for x in reminder.lines)
    return Composed(f"Relance : {numbers}", f"Restant dû : {reminder.total_due} €", (ADDRESSES[reminder.customer_id],))


def put(paths: StorePaths, *reminders: DueReminder, compose=simple_compose, now: datetime = QUEUED_AT) -> list[int]:
    with operations.session(paths) as con:
        report = queue.queue_due(con, reminders, compose=compose, settings=ReminderSettings(), now=now)
    return list(report.queued)


def state(paths: StorePaths, queue_id: int) -> queue.QueueItem:
    with operations.session(paths) as con:
        found = queue.read_item(con, queue_id)
    assert found is not None
    return found


def record_sent(
    paths: StorePaths, queue_id: int, token: str, *, status: str | None = None, at: datetime = QUEUED_AT
) -> int:
    """A queued reminder as the send job leaves it: its automatic message sent, with what came back."""
    item = state(paths, queue_id)
    with operations.session(paths) as con, operations.transaction(con):
        mid = int(
            con.execute(
                "INSERT INTO messages (token, header_message_id, kind, entity_id, customer_id, sender_email,"
                " sender_name, from_address, envelope_from, subject, body, language, state, created_at, sent_at,"
                " delivery_status) VALUES (?, ?, 'automatic', ?, ?, 'systeme', 'Encours', 'relances@x.example',"
                " 'relances@x.example', ?, ?, 'fr', 'sent', ?, ?, ?)",
                (token, f"<{token}@x.example>", item.entity_id, item.customer_id, item.subject, item.body,
                 at.isoformat(), at.isoformat(), status),
            ).lastrowid
            or 0
        )  # fmt: skip
        con.executemany(
            "INSERT INTO message_recipients (message_id, kind, address, status) VALUES (?, 'to', ?, 'accepted')",
            [(mid, address) for address in item.to],
        )
        con.execute("UPDATE reminder_queue SET message_id = ?, state = 'sent' WHERE queue_id = ?", (mid, queue_id))
    return mid
