"""Read connections are kept between requests (starting one costs as much as a list page's
queries): what one request leaves behind never reaches the next, and a new snapshot is read at once."""

from datetime import date

import duckdb
import pytest

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.scope import everything, scope_for
from core.store import analytical, operations
from core.store.reading import read_session
from tests.support import records as r
from tests.support.stores import NOW, seeded_store

TODAY = date(2026, 11, 22)


def test_what_a_request_leaves_is_gone_and_the_next_request_gets_its_own_scope(tmp_path):
    paths = seeded_store(tmp_path)
    with operations.session(paths) as ops:
        rep = scope_for(ops, "rep.a@verdier.example")
    with read_session(paths, everything(), today=TODAY) as con:
        first = id(con)
        con.execute("CREATE TEMP TABLE leftover AS SELECT 1 AS x")
        con.execute("SELECT * FROM scoped_invoices").fetchone()  # a result left half-read
    with read_session(paths, rep, today=TODAY) as con:
        assert id(con) == first  # the same connection, kept
        with pytest.raises(duckdb.CatalogException):
            con.execute("SELECT * FROM leftover")
        seen = {row[0] for row in con.execute("SELECT customer_id FROM scoped_customers").fetchall()}
    with read_session(paths, everything(), today=TODAY) as con:
        everyone = {row[0] for row in con.execute("SELECT customer_id FROM scoped_customers").fetchall()}
    assert seen == {1, 2} and everyone == {1, 2, 3}


def test_a_new_snapshot_is_read_at_once_and_a_failed_request_does_not_leave_its_connection(tmp_path):
    paths = seeded_store(tmp_path)
    with read_session(paths, everything(), today=TODAY) as con:
        before = con.execute("SELECT count(*) FROM scoped_invoices").fetchall()[0][0]
    entity = r.write_entity(
        tmp_path / "next",
        "alpha",
        customers=[r.customer(1)],
        invoices=[r.invoice(10, 1, "120.00")],
        lines=[r.line(100, account=9001, entry=50010, date="2026-09-01", debit="120.00")],
    )
    publish_batches(paths, [batch_from_directory(entity, "alpha", "Alpha SAS")], now=NOW, source="files")
    with pytest.raises(RuntimeError), read_session(paths, everything(), today=TODAY) as con:
        failed = id(con)
        after = con.execute("SELECT count(*) FROM scoped_invoices").fetchall()[0][0]
        raise RuntimeError("the page failed")
    with read_session(paths, everything(), today=TODAY) as con:
        assert id(con) != failed
    assert before == 5 and after == 1
    analytical.release_idle()
    with duckdb.connect(str(paths.published)) as writer:  # nothing of this process holds the file now
        writer.execute("CREATE TABLE analyst_notes AS SELECT 1 AS x")
