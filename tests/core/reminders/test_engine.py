"""The reminder engine over single runs and over a year of simulated days (pinned clock): each
day the engine runs and what it returns is recorded as given, sent that day, as the queue does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from core.formatting import PARIS
from core.reminders.engine import CustomerPlan, GivenLevel, OpenInvoice, due_reminders
from core.reminders.model import DueReminder
from core.reminders.plans import default_plans

PLANS = {p.plan_id: p for p in default_plans()}
START = date(2026, 1, 1)
DUE_CODES = {
    "fr": ["courtesy", "reminder_1", "reminder_2", "reminder_3", "formal_notice"],
    "world_en": ["courtesy", "reminder_1", "reminder_2", "reminder_3", "formal_notice"],
    "eu_en": ["courtesy", "reminder_1", "reminder_2", "reminder_3", "formal_notice", "registered_letter"],
    "key_accounts": ["courtesy", "reminder_1", "reminder_2", "reminder_3", "formal_notice"],
    "bad_payers": ["courtesy", "reminder_1", "reminder_2", "reminder_3", "formal_notice"],
}


def invoice(invoice_id: int, due: date, amount: str = "1000.00", customer: int = 1, **kw: object) -> OpenInvoice:
    value = Decimal(amount)
    base = OpenInvoice("alpha", invoice_id, f"F-{invoice_id}", customer, due - timedelta(days=30), due, value, value)
    return replace(base, **kw)  # type: ignore[arg-type]


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


def customers(plan: str = "fr", *ids: int, language: str = "fr") -> dict[tuple[str, int], CustomerPlan]:
    return {("alpha", c): CustomerPlan(plan, language) for c in ids or (1,)}


Book = Callable[[date], list[OpenInvoice]]


def simulate(
    book: Book, chosen: dict[tuple[str, int], CustomerPlan], days: int = 366
) -> list[tuple[date, DueReminder]]:
    """Run the engine at 09:00 every day; each reminder it returns is sent that day."""
    history: list[GivenLevel] = []
    sent: list[tuple[date, DueReminder]] = []
    for n in range(days):
        day = START + timedelta(days=n)
        found = due_reminders(book(day), history, PLANS, chosen, at(day))
        keys = [(r.entity_id, r.customer_id) for r in found]
        assert len(keys) == len(set(keys)), "one message per customer per run"
        for reminder in found:
            sent.append((day, reminder))
            history += [
                GivenLevel(r.entity_id, line.invoice_id, r.plan_id, line.code, line.cycle, "sent", at(day))
                for r in [reminder]
                for line in r.lines
            ]
    return sent


def given(sent: list[tuple[date, DueReminder]]) -> dict[tuple[int, str, str], list[date]]:
    found: dict[tuple[int, str, str], list[date]] = {}
    for day, reminder in sent:
        for line in reminder.lines:
            found.setdefault((line.invoice_id, line.code, line.cycle), []).append(day)
    return found


@pytest.mark.parametrize("plan_id", sorted(PLANS))
def test_over_a_year_each_plan_gives_each_level_once_per_invoice_on_its_day(plan_id: str) -> None:
    plan = PLANS[plan_id]
    dues = {1: date(2026, 2, 10), 2: date(2026, 3, 3), 3: date(2026, 6, 30)}
    invoices = [invoice(i, d, customer=1 if i < 3 else 2) for i, d in dues.items()]
    sent = simulate(lambda day: invoices, customers(plan_id, 1, 2))

    levels = given(sent)
    assert sorted(levels) == sorted((i, code, "") for i in dues for code in DUE_CODES[plan_id])
    assert all(len(days) == 1 for days in levels.values()), "a level given twice"
    for (invoice_id, code, _), [day] in levels.items():
        level = plan.level(code)
        assert level is not None
        if level.anchor == "due_date":
            assert day == dues[invoice_id] + timedelta(days=level.offset_days)
        else:  # the letter: days after the formal notice was sent
            assert day == levels[(invoice_id, "formal_notice", "")][0] + timedelta(days=level.offset_days)
    # the message carries the level of its most overdue invoice
    for _day, reminder in sent:
        most_late = max(reminder.lines, key=lambda line: line.days_late)
        assert reminder.code == most_late.code


def test_paid_disputed_legal_on_hold_drafts_and_credit_notes_get_nothing() -> None:
    due = date(2026, 2, 10)
    invoices = [
        invoice(1, due, paid=True, open_amount=Decimal(0)),
        invoice(2, due, internal_status="disputed"),
        invoice(3, due, internal_status="legal"),
        invoice(4, due, internal_status="on_hold", on_hold_until=date(2027, 3, 1)),
        invoice(5, due, internal_status="on_hold"),  # no end date: held until someone lifts it
        invoice(6, due, draft=True),
        invoice(7, due, is_credit_note=True, amount=Decimal(-1000), open_amount=Decimal(-1000)),
        invoice(8, due, open_amount=Decimal(0)),  # a credit note cancelled it
        invoice(9, due, internal_status="collected"),
    ]
    assert simulate(lambda day: invoices, customers()) == []


def test_on_hold_until_a_date_resumes_the_day_after_at_the_current_level_only() -> None:
    due = date(2026, 2, 10)
    hold_end = due + timedelta(days=20)

    def book(day: date) -> list[OpenInvoice]:
        return [invoice(1, due, internal_status="on_hold", on_hold_until=hold_end)]

    levels = given(simulate(book, customers()))
    assert "courtesy" not in {code for _, code, _ in levels}
    assert "reminder_1" not in {code for _, code, _ in levels}, "a level passed during the hold is not sent late"
    assert levels[(1, "reminder_2", "")] == [hold_end + timedelta(days=1)]
    assert levels[(1, "reminder_3", "")] == [due + timedelta(days=30)]


def test_a_partial_payment_lowers_the_amount_of_the_next_reminder() -> None:
    due = date(2026, 2, 10)
    paid_on = due + timedelta(days=10)

    def book(day: date) -> list[OpenInvoice]:
        return [invoice(1, due, open_amount=Decimal("400.00") if day >= paid_on else Decimal("1000.00"))]

    sent = simulate(book, customers())
    amounts = {r.code: (r.total_due, r.lines[0].amount_due) for _, r in sent}
    assert amounts["reminder_1"] == (Decimal("1000.00"), Decimal("1000.00"))
    assert amounts["reminder_2"] == (Decimal("400.00"), Decimal("400.00"))


def test_a_credit_note_cancelling_the_invoice_stops_its_reminders() -> None:
    due = date(2026, 2, 10)
    credited_on = due + timedelta(days=20)

    def book(day: date) -> list[OpenInvoice]:
        return [invoice(1, due, open_amount=Decimal(0) if day >= credited_on else Decimal("1000.00"))]

    levels = given(simulate(book, customers()))
    assert sorted(code for _, code, _ in levels) == ["courtesy", "reminder_1", "reminder_2"]


def test_paid_after_some_reminders_stops_them() -> None:
    due = date(2026, 2, 10)

    def book(day: date) -> list[OpenInvoice]:
        return [] if day >= due + timedelta(days=5) else [invoice(1, due)]

    assert [r.code for _, r in simulate(book, customers())] == ["courtesy", "reminder_1"]


def test_the_agreement_cadence_starts_with_an_agreement_and_restarts_for_a_new_date() -> None:
    due = date(2026, 2, 10)
    first, second = date(2026, 3, 20), date(2026, 4, 30)
    agreed_on = due + timedelta(days=10)  # after reminder_1 (+3), before reminder_2 (+15)
    renegotiated_on = first + timedelta(days=12)  # after both 'missed' messages of the first date

    def book(day: date) -> list[OpenInvoice]:
        if day < agreed_on:
            return [invoice(1, due, internal_status="reminded")]
        agreed = first if day < renegotiated_on else second
        return [invoice(1, due, internal_status="payment_agreement", agreement_date=agreed)]

    levels = given(simulate(book, customers(), days=180))
    assert levels == {
        (1, "courtesy", ""): [due - timedelta(days=5)],
        (1, "reminder_1", ""): [due + timedelta(days=3)],
        (1, "agreement_before", "2026-03-20"): [first - timedelta(days=2)],
        (1, "agreement_missed", "2026-03-20"): [first + timedelta(days=1)],
        (1, "agreement_missed_2", "2026-03-20"): [first + timedelta(days=8)],
        (1, "agreement_before", "2026-04-30"): [second - timedelta(days=2)],
        (1, "agreement_missed", "2026-04-30"): [second + timedelta(days=1)],
        (1, "agreement_missed_2", "2026-04-30"): [second + timedelta(days=8)],
    }, "the due-date ladder stops while the agreement is in force"


def test_one_message_per_customer_lists_each_invoice_at_its_own_level() -> None:
    today = date(2026, 3, 20)
    invoices = [
        invoice(1, today - timedelta(days=30)),  # reminder_3 due today
        invoice(2, today - timedelta(days=3), amount="200.00"),  # reminder_1 due today
        invoice(3, today - timedelta(days=10)),  # reminder_1 given already
        invoice(4, today - timedelta(days=30), customer=2),
    ]
    history = [
        GivenLevel("alpha", 1, "fr", code, "", "sent", at(today - timedelta(days=20)))
        for code in ("reminder_1", "reminder_2")
    ] + [GivenLevel("alpha", 3, "fr", "reminder_1", "", "sent", at(today - timedelta(days=7)))]
    found = due_reminders(invoices, history, PLANS, customers("fr", 1, 2), at(today))
    assert [(r.customer_id, r.code) for r in found] == [(1, "reminder_3"), (2, "reminder_3")]
    first = found[0]
    assert [(line.invoice_id, line.code) for line in first.lines] == [(1, "reminder_3"), (2, "reminder_1")]
    assert first.total_due == Decimal("1200.00")
    assert first.cc_account_manager and first.position == 4
    assert first.due_since == datetime(2026, 3, 20, tzinfo=PARIS)


def test_lower_levels_never_given_are_not_sent_only_the_current_one() -> None:
    today = date(2026, 6, 1)
    found = due_reminders([invoice(1, today - timedelta(days=31))], [], PLANS, customers(), at(today))
    assert [(r.code, [line.code for line in r.lines]) for r in found] == [("reminder_3", ["reminder_3"])]


def test_a_released_level_is_given_again_a_skipped_one_is_not() -> None:
    today = date(2026, 6, 1)
    inv = [invoice(1, today - timedelta(days=3))]
    released = [GivenLevel("alpha", 1, "fr", "reminder_1", "", "released", None)]
    skipped = [GivenLevel("alpha", 1, "fr", "reminder_1", "", "skipped", None)]
    assert [r.code for r in due_reminders(inv, released, PLANS, customers(), at(today))] == ["reminder_1"]
    assert due_reminders(inv, skipped, PLANS, customers(), at(today)) == []


def test_a_queued_formal_notice_holds_back_the_registered_letter() -> None:
    today = date(2026, 6, 1)
    inv = [invoice(1, today - timedelta(days=70))]
    queued = [GivenLevel("alpha", 1, "eu_en", "formal_notice", "", "queued", None)]
    assert due_reminders(inv, queued, PLANS, customers("eu_en"), at(today)) == []
    sent = [GivenLevel("alpha", 1, "eu_en", "formal_notice", "", "sent", at(today - timedelta(days=10)))]
    [letter] = due_reminders(inv, sent, PLANS, customers("eu_en", language="en"), at(today))
    assert (letter.code, letter.channel, letter.language, letter.penalty_block) == (
        "registered_letter", "letter", "en", True,
    )  # fmt: skip


def test_minimum_open_amount_is_checked_on_the_customers_total() -> None:
    today = date(2026, 6, 1)
    small = [invoice(1, today - timedelta(days=45), amount="30.00")]
    # the formal notice starts at 50 €: a 30 € balance gets the highest level below it, not silence
    assert [r.code for r in due_reminders(small, [], PLANS, customers(), at(today))] == ["reminder_3"]
    two = [*small, invoice(2, today + timedelta(days=20), amount="30.00")]
    assert [r.code for r in due_reminders(two, [], PLANS, customers(), at(today))] == ["formal_notice"]


def test_no_plan_or_away_customer_gets_nothing_until_the_return_date_has_passed() -> None:
    today = date(2026, 6, 1)
    inv = [invoice(1, today - timedelta(days=3))]
    assert due_reminders(inv, [], PLANS, {("alpha", 1): CustomerPlan(None)}, at(today)) == []
    assert due_reminders(inv, [], PLANS, {}, at(today)) == []
    away = {("alpha", 1): CustomerPlan("fr", away_until=today)}
    assert due_reminders(inv, [], PLANS, away, at(today)) == []
    later = today + timedelta(days=1)
    assert [r.code for r in due_reminders(inv, [], PLANS, away, at(later))] == ["reminder_1"]


def test_the_day_is_the_paris_day_whatever_the_clock_zone() -> None:
    due = date(2026, 3, 28)  # reminder_1 on 31/03, just after the spring daylight-saving change
    inv = [invoice(1, due)]
    history = [GivenLevel("alpha", 1, "fr", "courtesy", "", "sent", at(due - timedelta(days=5)))]
    before = datetime(2026, 3, 30, 21, 59, tzinfo=UTC)  # 23:59 in Paris, still 30/03
    after = datetime(2026, 3, 30, 22, 0, tzinfo=UTC)  # midnight in Paris, 31/03
    assert due_reminders(inv, history, PLANS, customers(), before) == []
    [found] = due_reminders(inv, history, PLANS, customers(), after)
    assert found.due_since == datetime(2026, 3, 31, tzinfo=PARIS)


def test_key_accounts_levels_after_the_courtesy_wait_for_validation() -> None:
    sent = simulate(lambda day: [invoice(1, date(2026, 2, 10))], customers("key_accounts"))
    assert [(r.code, r.needs_validation) for _, r in sent] == [
        ("courtesy", False), ("reminder_1", True), ("reminder_2", True), ("reminder_3", True), ("formal_notice", True),
    ]  # fmt: skip


def test_the_result_does_not_depend_on_input_order() -> None:
    today = date(2026, 6, 1)
    invoices = [invoice(i, today - timedelta(days=i * 7), customer=i % 3) for i in range(1, 12)]
    chosen = customers("fr", 0, 1, 2)
    forward = due_reminders(invoices, [], PLANS, chosen, at(today))
    backward = due_reminders(list(reversed(invoices)), [], PLANS, chosen, at(today))
    assert forward == backward and len(forward) == 3
    assert Counter(r.customer_id for r in forward) == Counter({0: 1, 1: 1, 2: 1})
