"""What the reminder engine decides, as plain values: the contract between the engine (pure),
the queue that records and sends its decisions, and the screens that show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class ReminderLine:
    """One invoice in a reminder, at its own level, for the balance still open."""

    entity_id: str
    invoice_id: int
    invoice_number: str | None
    code: str  # the level this invoice is given (reminder_plan_levels.code)
    cycle: str  # '' for due-date levels; the agreement date (ISO) for the agreement cadence
    amount_due: Decimal  # open amount net of payments and credit notes, euros
    due_date: date
    days_late: int  # negative before the due date
    issue_date: date | None = None  # shown in the message; None when Pennylane has none


@dataclass(frozen=True)
class DueReminder:
    """One message for one customer: all its open invoices that reached a level not yet given,
    the message's level being the most overdue invoice's."""

    entity_id: str
    customer_id: int
    plan_id: str
    code: str  # the message's level
    position: int  # its position on the ladder
    channel: str  # 'email' | 'letter'
    language: str  # 'fr' | 'en'
    needs_validation: bool
    cc_account_manager: bool
    penalty_block: bool
    lines: tuple[ReminderLine, ...]
    total_due: Decimal
    due_since: datetime  # when the level became due (aware, Europe/Paris); the queue picks the window
