"""docs/metrics.md defines days late once; the `invoices` view computes exactly that."""

from datetime import date

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.scope import everything
from core.store.paths import StorePaths
from core.store.reading import read_session
from tests.conftest import ROOT
from tests.support import records as r
from tests.support.stores import NOW

TODAY = date(2026, 11, 22)


def _store(tmp_path):
    entity = r.write_entity(
        tmp_path / "src",
        "alpha",
        customers=[r.customer(1)],
        invoices=[
            r.invoice(1, 1, "100.00", remaining="0.00", status="paid", deadline="2026-10-01"),  # paid 14 days late
            r.invoice(2, 1, "100.00", remaining="0.00", status="paid", deadline="2026-10-01"),  # paid 10 days early
            r.invoice(3, 1, "100.00", deadline="2026-11-02"),  # open, 20 days late today
            r.invoice(4, 1, "100.00", deadline="2026-12-30"),  # open, not due
            r.invoice(5, 1, "100.00", remaining="0.00", status="paid", deadline="2026-10-01"),  # paid, no lettering
        ],
        lines=[
            r.line(100, account=9001, entry=50001, date="2026-09-01", debit="100.00", lettered=[100, 101]),
            r.line(101, account=9001, entry=7001, date="2026-10-15", credit="100.00", lettered=[100, 101]),
            r.line(102, account=9001, entry=50002, date="2026-09-01", debit="100.00", lettered=[102, 103]),
            r.line(103, account=9001, entry=7002, date="2026-09-21", credit="100.00", lettered=[102, 103]),
        ],
    )
    paths = StorePaths(tmp_path / "data").ensure()
    publish_batches(paths, [batch_from_directory(entity, "alpha", "Alpha SAS")], now=NOW, source="files")
    return paths


def test_days_late_is_max_zero_payment_or_today_minus_due(tmp_path):
    paths = _store(tmp_path)
    with read_session(paths, everything(), today=TODAY, live=False) as con:
        rows = dict(con.execute("SELECT invoice_id, days_late FROM invoices").fetchall())
    assert rows == {1: 14, 2: 0, 3: 20, 4: 0, 5: None}


def test_days_late_is_defined_once_in_the_docs():
    metrics = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert "max(0, (payment date, or today if unpaid) − due date)" in metrics
    schema = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert "metrics.md#days-late" in schema
    assert "last_payment_date - due_date" not in schema  # the examples use the column, not their own formula
