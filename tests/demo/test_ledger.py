"""What the loader relies on: invoices, credit notes and 411 lines tell one consistent story."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from tests.demo.conftest import TODAY, Demo, Entity

Record = dict[str, Any]


def cents(value: str) -> int:
    whole, _, frac = value.lstrip("-").partition(".")
    magnitude = int(whole) * 100 + int(frac)
    return -magnitude if value.startswith("-") else magnitude


def is_bank(line: Record) -> bool:
    return line["journal"]["id"] % 100 != 1  # sales journals are 30101, 30201, 30301


class Books:
    """One entity's records, indexed the way a loader would index them."""

    def __init__(self, entity: Entity) -> None:
        self.lines = {line["id"]: line for line in entity.lines}
        self.by_entry = {line["ledger_entry"]["id"]: line for line in entity.lines}
        self.invoices = {inv["id"]: inv for inv in entity.invoices}
        self.customers = {c["id"]: c for c in entity.customers}
        self.regular = [inv for inv in entity.invoices if inv["status"] not in ("draft", "credit_note")]
        self.notes = [inv for inv in entity.invoices if inv["status"] == "credit_note"]

    def line_of(self, inv: Record) -> Record:
        return self.by_entry[inv["ledger_entry"]["id"]]

    def group(self, line: Record) -> list[Record]:
        return [self.lines[i] for i in line["lettered_ledger_entry_lines"]["ids"]]


def books(demo: Demo) -> list[Books]:
    return [Books(entity) for entity in demo.entities.values()]


def test_amount_minus_remaining_is_what_lettering_allocates(demo: Demo) -> None:
    for b in books(demo):
        for inv in b.regular:
            line = b.line_of(inv)
            amount, remaining = cents(inv["amount"]), cents(inv["remaining_amount_with_tax"])
            assert cents(line["debit"]) == amount and line["credit"] == "0.00"
            group = b.group(line)
            debits = [m for m in group if cents(m["debit"]) > 0]
            credits = [m for m in group if cents(m["credit"]) > 0]
            if not group:
                assert remaining == amount, inv["id"]
            elif len(debits) == 1:
                assert amount - remaining == sum(cents(m["credit"]) for m in credits), inv["id"]
            else:  # one transfer settling several invoices of the customer
                assert 2 <= len(debits) <= 4 and len(credits) == 1, inv["id"]
                assert cents(credits[0]["credit"]) == sum(cents(m["debit"]) for m in debits)
                assert remaining == 0 and is_bank(credits[0])
            assert 0 <= remaining <= amount
            assert 0 <= cents(inv["remaining_amount_without_tax"]) <= remaining


def test_lettering_is_symmetric_and_complete(demo: Demo) -> None:
    for b in books(demo):
        for line in b.lines.values():
            ids = line["lettered_ledger_entry_lines"]["ids"]
            assert line["lettered_ledger_entry_lines"]["url"].endswith(
                f"/ledger_entry_lines/{line['id']}/lettered_ledger_entry_lines"
            )
            if not ids:
                assert not is_bank(line) and cents(line["debit"]) > 0  # only open invoices stay unlettered
                continue
            assert line["id"] in ids and ids == sorted(set(ids)) and len(ids) >= 2
            for other in b.group(line):
                assert other["lettered_ledger_entry_lines"]["ids"] == ids
                assert other["ledger_account"] == line["ledger_account"]
            assert any(cents(m["debit"]) > 0 for m in b.group(line))


def test_every_line_belongs_to_an_invoice_a_credit_note_or_a_receipt(demo: Demo) -> None:
    for b in books(demo):
        entries = {inv["ledger_entry"]["id"]: inv for inv in b.invoices.values()}
        for line in b.lines.values():
            if is_bank(line):
                assert cents(line["credit"]) > 0 and line["debit"] == "0.00"
                assert line["ledger_entry"]["id"] not in entries
                continue
            inv = entries[line["ledger_entry"]["id"]]
            assert line["label"] == inv["label"] and line["date"] == inv["date"]
            customer = b.customers[inv["customer"]["id"]]
            assert line["ledger_account"]["id"] == customer["ledger_account"]["id"]
        for inv in b.invoices.values():
            if inv["status"] == "draft":
                assert inv["ledger_entry"]["id"] not in b.by_entry


def test_no_payment_after_today_nor_before_the_invoice(demo: Demo) -> None:
    for b in books(demo):
        for line in b.lines.values():
            assert line["date"] <= TODAY.isoformat()
            if is_bank(line):
                day = date.fromisoformat(line["date"])
                assert day.weekday() < 5
                invoice_dates = [m["date"] for m in b.group(line) if cents(m["debit"]) > 0]
                assert invoice_dates and max(invoice_dates) <= line["date"]
                assert "VIR" in line["label"] or "CB" in line["label"] or "CHQ" in line["label"]
        for inv in b.invoices.values():
            assert inv["date"] <= TODAY.isoformat()


def test_statuses_follow_payments_and_deadlines(demo: Demo) -> None:
    today = TODAY.isoformat()
    for b in books(demo):
        cancelled_by_note = {
            n["credited_invoice"]["id"]
            for n in b.notes
            if -cents(n["amount"]) == cents(b.invoices[n["credited_invoice"]["id"]]["amount"])
        }
        for inv in b.invoices.values():
            remaining, amount, status = cents(inv["remaining_amount_with_tax"]), cents(inv["amount"]), inv["status"]
            assert inv["draft"] == (status == "draft")
            assert inv["paid"] == (remaining == 0 and status not in ("draft", "credit_note")), inv["id"]
            if status in ("draft", "credit_note"):
                continue
            received = any(is_bank(m) for m in b.group(b.line_of(inv)))
            if remaining == 0:
                assert status == ("cancelled" if inv["id"] in cancelled_by_note else "paid"), inv["id"]
            elif received:
                assert status == "partially_paid" and remaining < amount, inv["id"]
            else:
                assert status == ("late" if inv["deadline"] < today else "upcoming"), inv["id"]
            updated = inv["updated_at"][:10]
            assert all(m["date"] <= updated for m in b.group(b.line_of(inv)))


def test_deadlines_follow_payment_conditions(demo: Demo) -> None:
    days = {"upon_receipt": 0, "15_days": 15, "30_days": 30, "45_days": 45, "60_days": 60}
    for b in books(demo):
        for inv in b.regular:
            terms = b.customers[inv["customer"]["id"]]["payment_conditions"]
            issued, due = date.fromisoformat(inv["date"]), date.fromisoformat(inv["deadline"])
            if terms in days:
                assert (due - issued).days == days[terms], (terms, inv["id"])
            else:
                shifted = date.fromordinal(issued.toordinal() + (30 if terms.startswith("30") else 45))
                assert (due.year, due.month) == (shifted.year, shifted.month)
                assert date.fromordinal(due.toordinal() + 1).day == 1


def test_credit_notes_are_negative_and_credit_an_invoice_of_the_same_customer(demo: Demo) -> None:
    for b in books(demo):
        assert b.notes
        for note in b.notes:
            assert cents(note["amount"]) < 0 and cents(note["currency_amount"]) < 0
            assert cents(note["currency_amount_before_tax"]) < 0 and cents(note["tax"]) <= 0
            assert note["paid"] is False and note["draft"] is False
            original = b.invoices[note["credited_invoice"]["id"]]
            assert note["credited_invoice"]["url"].endswith(f"/customer_invoices/{original['id']}")
            assert original["status"] not in ("draft", "credit_note")
            assert original["customer"]["id"] == note["customer"]["id"] and original["currency"] == note["currency"]
            assert note["date"] > original["date"] and note["id"] > original["id"]
            assert -cents(note["amount"]) <= cents(original["amount"])
            line = b.line_of(note)
            assert cents(line["credit"]) == -cents(note["amount"]) and line["debit"] == "0.00"
            assert b.line_of(original)["id"] in line["lettered_ledger_entry_lines"]["ids"]


def test_disputes_and_drafts(demo: Demo) -> None:
    for b in books(demo):
        for inv in b.invoices.values():
            if inv["e_invoicing"] is not None:
                assert inv["e_invoicing"]["status"] == "in_dispute" and inv["e_invoicing"]["reason"]
                assert inv["status"] in ("late", "upcoming")
                assert not any(is_bank(m) for m in b.group(b.line_of(inv)))
            if inv["status"] == "draft":
                assert (TODAY - date.fromisoformat(inv["date"])).days <= 31
                assert inv["remaining_amount_with_tax"] == inv["amount"] and inv["public_file_url"] is None


def test_proportions_look_like_a_real_ledger(default_demo: Demo) -> None:
    invoices = default_demo.all("invoices")
    regular = [inv for inv in invoices if inv["status"] not in ("draft", "credit_note")]
    statuses = Counter(inv["status"] for inv in invoices)
    n = len(regular)
    assert 0.01 <= sum(inv["e_invoicing"] is not None for inv in regular) / n <= 0.035
    assert 0.02 <= statuses["credit_note"] / n <= 0.045
    assert 0.01 <= sum(inv["currency"] != "EUR" for inv in regular) / n <= 0.04
    assert {"GBP", "USD"} <= {inv["currency"] for inv in invoices}
    assert statuses["partially_paid"] > 0 and statuses["cancelled"] > 0 and 0 < statuses["draft"] < 0.02 * n
    assert statuses["paid"] > statuses["late"] > 0.02 * n
    due_later = [inv for inv in regular if inv["deadline"] >= TODAY.isoformat()]
    assert sum(inv["status"] == "upcoming" for inv in due_later) > 0.6 * len(due_later)
    bank = [line for b in books(default_demo) for line in b.lines.values() if is_bank(line)]
    lines = {line["id"]: line for line in default_demo.all("lines")}
    grouped = [
        line
        for line in bank
        if sum(cents(lines[i]["debit"]) > 0 for i in line["lettered_ledger_entry_lines"]["ids"]) > 1
    ]
    assert 0.03 <= len(grouped) / len(bank) <= 0.07
    instalments = [
        inv for b in books(default_demo) for inv in b.regular if sum(is_bank(m) for m in b.group(b.line_of(inv))) >= 2
    ]
    assert 0.03 <= len(instalments) / n <= 0.09
