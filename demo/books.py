"""Posting one customer's history: ids, invoice numbers, lettering groups and records.

``count_history`` (first pass) and ``post_history`` (second pass) must reserve exactly the
same records on the same days; ``Allocator.check_complete`` fails loudly if they drift.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from demo.customers import Customer
from demo.history import History
from demo.invoices import InvoiceRecords
from demo.ledger import Lettering, LineRecords, Stamp, payment_label
from demo.numbering import (
    ENTRY,
    INVOICE,
    LINE,
    NUMBER_CREDIT,
    NUMBER_DRAFT,
    NUMBER_INVOICE,
    Allocator,
    DayCounts,
)
from demo.timeline import Timeline, office_seconds

INVOICES = "customer_invoices"
LINES = "ledger_entry_lines"

Sink = Callable[[int, str, int, str], None]
"""``sink(entity, resource, day, json_line)`` receives every record as it is made."""


def _after(floor: Stamp, day: int, key: int) -> Stamp:
    """When a receipt line was created: its own time of day, but never before the invoice."""
    stamp = (day, office_seconds(key))
    return stamp if stamp > floor else (floor[0], min(floor[1] + 97, 86_399))


def count_history(c: Customer, hist: History, counts: DayCounts) -> None:
    """First pass: reserve the ids and numbers ``post_history`` will take."""
    e = c.entity
    for inv in hist.invoices:
        counts.add(e, INVOICE, inv.day)
        counts.add(e, ENTRY, inv.day)
        if inv.draft:
            counts.add(e, NUMBER_DRAFT, inv.day)
            continue
        counts.add(e, NUMBER_INVOICE, inv.day)
        counts.add(e, LINE, inv.day)
        if inv.credit is not None:
            for kind in (INVOICE, ENTRY, NUMBER_CREDIT, LINE):
                counts.add(e, kind, inv.credit.day)
        for day, _ in inv.payments:
            counts.add(e, LINE, day)
            counts.add(e, ENTRY, day)
    for group in hist.groups:
        counts.add(e, LINE, group.day)
        counts.add(e, ENTRY, group.day)


def post_history(c: Customer, hist: History, alloc: Allocator, timeline: Timeline, sink: Sink) -> tuple[int, int]:
    """Second pass: write the customer's invoices and 411 lines; returns their counts."""
    e = c.entity
    take = alloc.take
    n = len(hist.invoices)
    invoice_ids, entry_ids, inv_lines = [0] * n, [0] * n, [0] * n
    numbers = [""] * n
    credits: dict[int, tuple[int, int, int, str]] = {}  # invoice index → (id, entry, line, number)
    receipts: list[list[tuple[int, int]]] = [[] for _ in range(n)]  # (line id, entry id)
    for i, inv in enumerate(hist.invoices):
        invoice_ids[i] = take(e, INVOICE, inv.day)
        entry_ids[i] = take(e, ENTRY, inv.day)
        if inv.draft:
            numbers[i] = alloc.number(e, NUMBER_DRAFT, inv.day)
            continue
        numbers[i] = alloc.number(e, NUMBER_INVOICE, inv.day)
        inv_lines[i] = take(e, LINE, inv.day)
        if inv.credit is not None:
            d = inv.credit.day
            credits[i] = (take(e, INVOICE, d), take(e, ENTRY, d), take(e, LINE, d), alloc.number(e, NUMBER_CREDIT, d))
        receipts[i] = [(take(e, LINE, day), take(e, ENTRY, day)) for day, _ in inv.payments]
    transfers = [(take(e, LINE, g.day), take(e, ENTRY, g.day)) for g in hist.groups]

    created: list[Stamp] = [(inv.day, office_seconds(invoice_ids[i])) for i, inv in enumerate(hist.invoices)]
    received: list[list[Stamp]] = [
        [_after(created[i], day, line) for (line, _), (day, _) in zip(receipts[i], inv.payments, strict=True)]
        for i, inv in enumerate(hist.invoices)
    ]
    transferred = [
        _after(max(created[m] for m in g.invoices), g.day, line)
        for g, (line, _) in zip(hist.groups, transfers, strict=True)
    ]
    lettering = Lettering()
    for i, inv in enumerate(hist.invoices):
        if inv.draft or inv.group >= 0:
            continue
        members = [(inv_lines[i], created[i])]
        members += [(line, stamp) for (line, _), stamp in zip(receipts[i], received[i], strict=True)]
        if inv.credit is not None:
            members.append((credits[i][2], (inv.credit.day, office_seconds(credits[i][0]))))
        lettering.letter(members)
    for g, (line, _), stamp in zip(hist.groups, transfers, transferred, strict=True):
        lettering.letter([(inv_lines[m], created[m]) for m in g.invoices] + [(line, stamp)])

    invoice_records = InvoiceRecords(c, timeline, random.Random(c.render_seed))
    line_records = LineRecords(c, timeline)
    ts = timeline.timestamp
    written_invoices = written_lines = 0
    for i, inv in enumerate(hist.invoices):
        updated = created[i] if inv.draft else lettering.updated(inv_lines[i], created[i])
        record = invoice_records.invoice(inv, invoice_ids[i], entry_ids[i], numbers[i], ts(*created[i]), ts(*updated))
        sink(e, INVOICES, inv.day, record)
        written_invoices += 1
        if inv.draft:
            continue
        label = invoice_records.label(numbers[i])
        row = line_records.line(
            inv_lines[i], entry_ids[i], debit=inv.total_eur, credit=0, label=label, bank=False,
            created=created[i], lettering=lettering,
        )  # fmt: skip
        sink(e, LINES, inv.day, row)
        written_lines += 1
        if inv.credit is not None:
            credit_id, credit_entry, credit_line, credit_number = credits[i]
            stamp = (inv.credit.day, office_seconds(credit_id))
            note = invoice_records.credit_note(
                inv, invoice_ids[i], credit_id, credit_entry, credit_number, numbers[i], ts(*stamp)
            )
            sink(e, INVOICES, inv.credit.day, note)
            note_label = invoice_records.credit_label(credit_number)
            row = line_records.line(
                credit_line, credit_entry, debit=0, credit=inv.credit.total_eur, label=note_label, bank=False,
                created=stamp, lettering=lettering,
            )  # fmt: skip
            sink(e, LINES, inv.credit.day, row)
            written_invoices += 1
            written_lines += 1
        text = payment_label(c, [numbers[i]])
        for (line_id, entry_id), (day, amount), stamp in zip(receipts[i], inv.payments, received[i], strict=True):
            row = line_records.line(
                line_id, entry_id, debit=0, credit=amount, label=text, bank=True,
                created=stamp, lettering=lettering,
            )  # fmt: skip
            sink(e, LINES, day, row)
            written_lines += 1
    for g, (line_id, entry_id), stamp in zip(hist.groups, transfers, transferred, strict=True):
        text = payment_label(c, [numbers[m] for m in g.invoices])
        row = line_records.line(
            line_id, entry_id, debit=0, credit=g.total_eur, label=text, bank=True,
            created=stamp, lettering=lettering,
        )  # fmt: skip
        sink(e, LINES, g.day, row)
        written_lines += 1
    return written_invoices, written_lines
