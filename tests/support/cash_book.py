"""A small hand-made book for the dashboard's tests, whose right answers are worked out by hand
in tests/core/dashboard (today is Wednesday 02/12/2026, ISO week 49).

Customers 1 (Boulangerie Lefèvre, Paris, Rita) · 2 (Transports Morel, Paris, Bob + Rita) ·
3 (Garage Petit, Lyon, Bob) — the hierarchy of tests.support.stores.ORGANISATION.

| inv | cust | amount | issued | due                 | what happens                                  |
|-----|------|--------|--------|---------------------|-----------------------------------------------|
| 101 | 1    | 1000   | 15/09  | Thu 15/10 (W42)     | paid late, in full, Thu 05/11 (W45)           |
| 102 | 1    | 600    | 01/10  | Sat 31/10 (W44)     | paid in two parts: 200 Fri 30/10 (W44), 400 Mon 09/11 (W46) |
| 103 | 2    | 500 (tax 100) | 20/10 | Sun 25/10 (W43, the night clocks go back) | credit note 104 of 200; 300 open |
| 105 | 2    | 800    | 01/11  | Fri 20/11 (W47)     | open; agreement date 10/12 (W50) when `agreement` is set |
| 106 | 3    | 700    | 25/11  | Tue 29/12 (W53 2026)| open, not due                                 |
| 107 | 3    | 300    | 25/11  | Sat 02/01/2027 (W53 2026) | open, not due                           |
| 108 | 3    | 250    | 01/08  | Mon 31/08 (W36)     | open, disputed when `dispute` is set          |
| 109 | 1    | 400    | 02/11  | Mon 30/11 (W49)     | 150 paid Tue 01/12 (W49); 250 open            |
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.store import operations
from core.store.paths import StorePaths
from tests.support import records as r
from tests.support.stores import ORGANISATION

TODAY = date(2026, 12, 2)
PUBLISHED_AT = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def _paid(lid: int, cid: int, iid: int, issued: str, amount: str, payments: list[tuple[int, str, str]]) -> list:
    group = [lid, *(pid for pid, _, _ in payments)]
    lines = [r.line(lid, account=9000 + cid, entry=50000 + iid, date=issued, debit=amount, lettered=group)]
    for pid, day, paid in payments:
        lines.append(r.line(pid, account=9000 + cid, entry=70000 + pid, date=day, credit=paid, lettered=group))
    return lines


def book(root: Path) -> Path:
    invoices = [
        r.invoice(101, 1, "1000.00", date="2026-09-15", deadline="2026-10-15", remaining="0.00", status="paid"),
        r.invoice(102, 1, "600.00", date="2026-10-01", deadline="2026-10-31", remaining="0.00", status="paid"),
        r.invoice(103, 2, "500.00", date="2026-10-20", deadline="2026-10-25", remaining="300.00",
                  status="partially_paid", tax="100.00", currency_amount_before_tax="400.00"),
        r.invoice(104, 2, "-200.00", date="2026-10-22", deadline="2026-10-22", remaining="0.00",
                  status="credit_note", credited_invoice={"id": 103, "url": "x"}),
        r.invoice(105, 2, "800.00", date="2026-11-01", deadline="2026-11-20"),
        r.invoice(106, 3, "700.00", date="2026-11-25", deadline="2026-12-29"),
        r.invoice(107, 3, "300.00", date="2026-11-25", deadline="2027-01-02"),
        r.invoice(108, 3, "250.00", date="2026-08-01", deadline="2026-08-31"),
        r.invoice(109, 1, "400.00", date="2026-11-02", deadline="2026-11-30", remaining="250.00",
                  status="partially_paid"),
    ]  # fmt: skip
    lines = [
        *_paid(1, 1, 101, "2026-09-15", "1000.00", [(2, "2026-11-05", "1000.00")]),
        *_paid(3, 1, 102, "2026-10-01", "600.00", [(4, "2026-10-30", "200.00"), (5, "2026-11-09", "400.00")]),
        r.line(6, account=9002, entry=50103, date="2026-10-20", debit="500.00", lettered=[6, 7]),
        r.line(7, account=9002, entry=50104, date="2026-10-22", credit="200.00", lettered=[6, 7]),
        *_paid(8, 1, 109, "2026-11-02", "400.00", [(9, "2026-12-01", "150.00")]),
    ]
    customers = [r.customer(1), r.customer(2, name="Transports Morel"), r.customer(3, name="Garage Petit")]
    return r.write_entity(root, "alpha", customers=customers, invoices=invoices, lines=lines)


def cash_book_store(tmp_path: Path) -> StorePaths:
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    publish_batches(
        paths, [batch_from_directory(book(tmp_path / "source"), "alpha", "Alpha SAS")], now=PUBLISHED_AT, source="files"
    )
    return paths


def follow_up(paths: StorePaths, invoice_id: int, status: str, agreement: date | None = None) -> None:
    """Record a collector's follow-up in the operational store, as the workspace will."""
    with operations.session(paths) as ops, operations.transaction(ops):
        ops.execute("DELETE FROM invoice_followups WHERE entity_id = 'alpha' AND invoice_id = ?", (invoice_id,))
        ops.execute(
            "INSERT INTO invoice_followups (entity_id, invoice_id, internal_status, agreement_date, updated_at, "
            "updated_by) VALUES ('alpha', ?, ?, ?, ?, 'compta@verdier.example')",
            (invoice_id, status, agreement.isoformat() if agreement else None, "2026-12-01T09:30:00+00:00"),
        )
