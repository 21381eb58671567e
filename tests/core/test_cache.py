"""Cached reads refresh on a new publish and on an operational write, never otherwise."""

from datetime import date, datetime

from core.cache import snapshot_cached
from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.scope import everything
from core.store import operations
from core.store.reading import read_session
from tests.support.stores import NOW, seeded_store, small_entity

calls = []


@snapshot_cached()
def open_total(paths, scope, *, today):
    calls.append(1)
    with read_session(paths, scope, today=today) as con:
        return con.execute("SELECT sum(open_amount_eur), count(agreement_date) FROM scoped_invoices").fetchone()


def test_cache_follows_publishes_and_operational_writes(tmp_path):
    paths = seeded_store(tmp_path)
    today = date(2026, 11, 22)
    first = open_total(paths, everything(), today=today)
    assert open_total(paths, everything(), today=today) == first and len(calls) == 1

    with operations.session(paths) as ops:
        operations.upsert_followup(
            ops, "alpha", 10, internal_status="payment_agreement", agreement_date="2026-12-01", updated_by=None,
            now=datetime(2026, 11, 22, 12),
        )  # fmt: skip
    assert open_total(paths, everything(), today=today)[1] == 1 and len(calls) == 2

    publish_batches(
        paths, [batch_from_directory(small_entity(tmp_path / "again"), "alpha", "Alpha SAS")], now=NOW, source="files"
    )
    open_total(paths, everything(), today=today)
    assert len(calls) == 3
    open_total(paths, everything(), today=date(2026, 11, 23))
    assert len(calls) == 4
