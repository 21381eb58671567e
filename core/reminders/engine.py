"""Which reminders are due now: a pure function of the open invoices, what each was already
given, the plans, each customer's plan and `now`. No I/O, no clock: the scheduler calls it at
every run (and after downtime it simply finds what is due, never replays missed runs).

Rules (issue 12 item 2):
- An invoice's level is the highest level of its customer's plan whose trigger date (anchor +
  offset, in Europe/Paris days) has come and that it was not given yet. Levels below it that were
  never given are not sent: only the current one. A level before its anchor (negative offset,
  the courtesy notice) is only sent while the anchor is still ahead.
- `previous_reminder` levels count from the day the previous level was sent; a previous level that
  was skipped by a person, or never given because the invoice jumped over it, counts from the day
  it would have been due; one still waiting in the queue holds the next one back.
- While an agreement is in force (status payment_agreement with a date) the due-date ladder
  stops and the agreement ladder runs, its history keyed on the agreement date (`cycle`): a new
  agreement date starts it again.
- Given = queued, sent or skipped (a person said no); released (cancelled before sending) is not.
  The history is matched on (invoice, level code, cycle) whatever the plan, so moving a customer
  to another plan never sends a level of the same name twice.
- Nothing for: paid, nothing left open (credit notes cancelling it), drafts, credit notes,
  disputed, legal, collected, on hold until its date (inclusive); a level whose minimum open
  amount is above the customer's total open; a customer without a plan; a customer away
  (out-of-office until a date still ahead or today): postponed, not lost.
- One DueReminder per customer, listing every invoice with a level due now, each at its own
  level; the message takes its level from the most overdue invoice, and waits for a person's
  validation when any of its lines' levels needs one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from core.formatting import PARIS
from core.reminders.model import DueReminder, ReminderLine
from core.reminders.plans import Level, Plan

GIVEN_STATES = frozenset({"queued", "sent", "skipped"})
EXCLUDED_STATUSES = frozenset({"disputed", "legal", "collected"})
PAYMENT_AGREEMENT = "payment_agreement"
ON_HOLD = "on_hold"


@dataclass(frozen=True)
class OpenInvoice:
    entity_id: str
    invoice_id: int
    number: str | None
    customer_id: int
    issue_date: date | None
    due_date: date
    amount: Decimal  # net of credit notes
    open_amount: Decimal  # net of payments and credit notes
    internal_status: str = "issued"
    agreement_date: date | None = None
    on_hold_until: date | None = None
    paid: bool = False
    is_credit_note: bool = False
    draft: bool = False


@dataclass(frozen=True)
class GivenLevel:
    """A row of `reminder_invoice_levels`."""

    entity_id: str
    invoice_id: int
    plan_id: str
    code: str
    cycle: str
    state: str  # queued | sent | skipped | released
    sent_at: datetime | None = None


@dataclass(frozen=True)
class CustomerPlan:
    plan_id: str | None  # None: no automatic reminders
    language: str = "fr"
    away_until: date | None = None  # from an out-of-office reply


_Key = tuple[str, int, str, str]  # entity, invoice, code, cycle


def paris_day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


def eligible(invoice: OpenInvoice, today: date) -> bool:
    """Whether the invoice may be reminded at all today (before looking at its levels)."""
    if invoice.paid or invoice.draft or invoice.is_credit_note or invoice.open_amount <= 0:
        return False
    if invoice.internal_status in EXCLUDED_STATUSES:
        return False
    if invoice.on_hold_until is not None and invoice.on_hold_until >= today:
        return False
    return not (invoice.internal_status == ON_HOLD and invoice.on_hold_until is None)


def _groups(plan: Plan) -> list[str]:
    """'due' or 'agreement' for each level: a previous_reminder level joins the previous one's."""
    found: list[str] = []
    for level in plan.levels:
        if level.anchor == "agreement_date":
            found.append("agreement")
        elif level.anchor == "previous_reminder" and found:
            found.append(found[-1])
        else:
            found.append("due")
    return found


def _current_level(
    invoice: OpenInvoice,
    plan: Plan,
    groups: list[str],
    given: Mapping[_Key, GivenLevel],
    today: date,
    total_open: Decimal | None = None,
) -> tuple[Level, str, date] | None:
    """(level, cycle, trigger date) the invoice should be given now, or None. A level whose
    minimum the customer's open total does not reach is passed over for the one below it (a
    20 € balance gets the third reminder, not silence because the formal notice starts at 50 €)."""
    in_agreement = invoice.internal_status == PAYMENT_AGREEMENT and invoice.agreement_date is not None
    group = "agreement" if in_agreement else "due"
    cycle = invoice.agreement_date.isoformat() if in_agreement and invoice.agreement_date else ""
    best: tuple[Level, date] | None = None
    previous: tuple[Level, date | None] | None = None
    highest_given = 0
    for level, level_group in zip(plan.levels, groups, strict=True):
        if level_group != group:
            continue
        if (invoice.entity_id, invoice.invoice_id, level.code, cycle) in given:
            highest_given = level.position
        trigger: date | None
        if level.anchor == "due_date":
            trigger = invoice.due_date + timedelta(days=level.offset_days)
        elif level.anchor == "agreement_date":
            trigger = invoice.agreement_date + timedelta(days=level.offset_days) if invoice.agreement_date else None
        else:
            trigger = _after_previous(invoice, previous, cycle, given, level.offset_days)
        previous = (level, trigger)
        if trigger is None or trigger > today:
            continue
        if (
            level.offset_days < 0
            and level.anchor != "previous_reminder"
            and today >= trigger - timedelta(days=level.offset_days)
        ):
            continue  # announces a date that has come: too late for it
        if total_open is not None and total_open < level.min_open_amount:
            continue
        best = (level, trigger)
    if best is None:
        return None
    level, trigger = best
    if level.position <= highest_given:
        return None  # given already, or a higher level was (a due date moved later): never go down

    return level, cycle, trigger


def _after_previous(
    invoice: OpenInvoice,
    previous: tuple[Level, date | None] | None,
    cycle: str,
    given: Mapping[_Key, GivenLevel],
    offset: int,
) -> date | None:
    if previous is None:
        return None
    level, its_trigger = previous
    done = given.get((invoice.entity_id, invoice.invoice_id, level.code, cycle))
    if done is not None and done.sent_at is not None:
        return paris_day(done.sent_at) + timedelta(days=offset)
    if done is not None and done.state != "skipped":
        return None  # still in the queue: the next level waits for it to go out
    return None if its_trigger is None else its_trigger + timedelta(days=offset)


def due_reminders(
    invoices: Sequence[OpenInvoice],
    history: Sequence[GivenLevel],
    plans: Mapping[str, Plan],
    customers: Mapping[tuple[str, int], CustomerPlan],
    now: datetime,
) -> list[DueReminder]:
    """The reminders due at `now` (aware), one per customer, ordered by entity then customer."""
    today = paris_day(now)
    given: dict[_Key, GivenLevel] = {}
    for row in history:
        if row.state in GIVEN_STATES:
            given[(row.entity_id, row.invoice_id, row.code, row.cycle)] = row
    by_customer: dict[tuple[str, int], list[OpenInvoice]] = {}
    for invoice in invoices:
        if eligible(invoice, today):
            by_customer.setdefault((invoice.entity_id, invoice.customer_id), []).append(invoice)
    groups_of = {plan_id: _groups(plan) for plan_id, plan in plans.items()}
    found = []
    for key in sorted(by_customer):
        chosen = customers.get(key)
        if chosen is None or chosen.plan_id is None or (chosen.away_until is not None and chosen.away_until >= today):
            continue
        plan = plans.get(chosen.plan_id)
        if plan is None or not plan.active or not plan.levels:
            continue
        reminder = _for_customer(key, by_customer[key], plan, groups_of[plan.plan_id], chosen, given, today)
        if reminder is not None:
            found.append(reminder)
    return found


def _for_customer(
    key: tuple[str, int],
    invoices: list[OpenInvoice],
    plan: Plan,
    groups: list[str],
    chosen: CustomerPlan,
    given: Mapping[_Key, GivenLevel],
    today: date,
) -> DueReminder | None:
    total_open = sum((i.open_amount for i in invoices), Decimal(0))
    picked: list[tuple[OpenInvoice, Level, str, date]] = []
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.invoice_id)):
        current = _current_level(invoice, plan, groups, given, today, total_open)
        if current is not None and total_open >= current[0].min_open_amount:
            picked.append((invoice, *current))
    if not picked:
        return None
    head = max(picked, key=lambda p: ((today - p[0].due_date).days, p[1].position, -p[0].invoice_id))
    head_level = head[1]
    lines = tuple(
        ReminderLine(
            entity_id=invoice.entity_id,
            invoice_id=invoice.invoice_id,
            invoice_number=invoice.number,
            code=level.code,
            cycle=cycle,
            amount_due=invoice.open_amount,
            due_date=invoice.due_date,
            days_late=(today - invoice.due_date).days,
            issue_date=invoice.issue_date,
        )
        for invoice, level, cycle, _ in picked
    )
    since = max(trigger for *_, trigger in picked)
    return DueReminder(
        entity_id=key[0],
        customer_id=key[1],
        plan_id=plan.plan_id,
        code=head_level.code,
        position=head_level.position,
        channel=head_level.channel,
        language=chosen.language,
        needs_validation=any(level.needs_validation for _, level, _, _ in picked),
        cc_account_manager=head_level.cc_account_manager,
        penalty_block=head_level.penalty_block,
        lines=lines,
        total_due=sum((line.amount_due for line in lines), Decimal(0)),
        due_since=datetime.combine(since, time(0), tzinfo=PARIS),
    )
