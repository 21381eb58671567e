"""Ledger entry lines on customers' 411 accounts, and how they are lettered together.

Only the receivable side is written: the invoice's debit, the credit note's credit and the
bank receipt's credit on the customer's own account. Lettering is what tells Encours when
and how an invoice was paid, so the groups follow Pennylane's rule exactly: every line of a
group lists the sorted ids of all the group's lines, itself included.
"""

from __future__ import annotations

from collections.abc import Iterable
from json.encoder import encode_basestring as quote

from demo.customers import Customer
from demo.organisation import API, ENTITIES
from demo.timeline import Timeline

Stamp = tuple[int, int]
"""``(day ordinal, seconds after midnight)``: when a line was created."""

_LABEL_LIMIT = 140


class Lettering:
    """Which lines are lettered together, and when each group last changed."""

    __slots__ = ("ids", "changed")

    def __init__(self) -> None:
        self.ids: dict[int, list[int]] = {}
        self.changed: dict[int, Stamp] = {}

    def letter(self, members: Iterable[tuple[int, Stamp]]) -> None:
        """Letter ``(line id, created)`` pairs together; a lone line stays unlettered."""
        lines = list(members)
        if len(lines) < 2:
            return
        ids = sorted(line_id for line_id, _ in lines)
        last = max(stamp for _, stamp in lines)
        for line_id in ids:
            self.ids[line_id] = ids
            self.changed[line_id] = last

    def updated(self, line_id: int, created: Stamp) -> Stamp:
        return self.changed.get(line_id, created)


def payment_label(c: Customer, numbers: list[str]) -> str:
    """What the bank statement says: ``VIR SEPA BOULANGERIE LEFEVRE SARL F-2025-000123``."""
    label = f"{c.pay_method} {c.bank_name}"
    if c.cites_invoices and numbers:
        label = f"{label} {' '.join(numbers)}"
    return label[:_LABEL_LIMIT]


class LineRecords:
    """Writes one customer's ledger entry lines as compact JSON text (see ``invoices``)."""

    def __init__(self, c: Customer, timeline: Timeline) -> None:
        entity = ENTITIES[c.entity]
        self.timeline = timeline
        self.account = (
            f'{{"id":{c.ledger_account_id},"number":{quote(c.ledger_account_number)},'
            f'"url":"{API}/ledger_accounts/{c.ledger_account_id}"}}'
        )
        self.sales = f'{{"id":{entity.sales_journal},"url":"{API}/journals/{entity.sales_journal}"}}'
        self.bank = f'{{"id":{c.bank_journal},"url":"{API}/journals/{c.bank_journal}"}}'

    def line(
        self,
        line_id: int,
        entry_id: int,
        *,
        debit: int,
        credit: int,
        label: str,
        bank: bool,
        created: Stamp,
        lettering: Lettering,
    ) -> str:
        updated = lettering.updated(line_id, created)
        ts = self.timeline.timestamp
        ids = ",".join(map(str, lettering.ids.get(line_id, ())))
        return (
            f'{{"id":{line_id},"debit":"{debit // 100}.{debit % 100:02d}","credit":"{credit // 100}.{credit % 100:02d}",'
            f'"label":{quote(label)},"categories":[],"ledger_account":{self.account},'
            f'"journal":{self.bank if bank else self.sales},"date":"{self.timeline.iso(created[0])}",'
            f'"ledger_entry":{{"id":{entry_id}}},"lettered_ledger_entry_lines":{{"ids":[{ids}],'
            f'"url":"{API}/ledger_entry_lines/{line_id}/lettered_ledger_entry_lines"}},'
            f'"created_at":"{ts(*created)}","updated_at":"{ts(*updated)}"}}'
        )
