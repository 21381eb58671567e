"""The read session: live operational rows joined in, and the role scope applied once."""

from datetime import date, datetime

from core.scope import scope_for
from core.store import operations
from core.store.reading import read_session
from tests.support.stores import seeded_store

TODAY = date(2026, 11, 22)


def _customers_seen(paths, email):
    with operations.session(paths) as ops:
        scope = scope_for(ops, email)
    with read_session(paths, scope, today=TODAY) as con:
        invoices = {r[0] for r in con.execute("SELECT customer_id FROM scoped_invoices").fetchall()}
        customers = {r[0] for r in con.execute("SELECT customer_id FROM scoped_customers").fetchall()}
        events = {r[0] for r in con.execute("SELECT customer_id FROM scoped_cash_events").fetchall()}
    return invoices, customers, events


def test_each_role_sees_its_own_customers(tmp_path):
    paths = seeded_store(tmp_path)
    assert _customers_seen(paths, "admin@verdier.example")[1] == {1, 2, 3}
    assert _customers_seen(paths, "dir.paris@verdier.example")[1] == {1, 2}
    rep_a = _customers_seen(paths, "rep.a@verdier.example")
    assert rep_a[0] == {1, 2} and rep_a[1] == {1, 2} and rep_a[2] <= {1, 2}
    assert _customers_seen(paths, "REP.B@verdier.example")[1] == {2, 3}


def test_an_agreement_date_shows_at_once_without_a_new_publish(tmp_path):
    paths = seeded_store(tmp_path)
    with operations.session(paths) as ops:
        operations.upsert_followup(
            ops, "alpha", 10, internal_status="payment_agreement", agreement_date="2026-12-04",
            updated_by="rep.a@verdier.example", now=datetime(2026, 11, 22, 12, 0),
        )  # fmt: skip
        scope = scope_for(ops, "rep.a@verdier.example")
    with read_session(paths, scope, today=TODAY) as con:
        row = con.execute(
            "SELECT agreement_date, expected_date, internal_status, days_past_expected FROM scoped_invoices WHERE invoice_id = 10"
        ).fetchone()
        expected = con.execute(
            "SELECT event_date FROM scoped_cash_events WHERE invoice_id = 10 AND event_kind = 'expected'"
        ).fetchone()
    assert row == (date(2026, 12, 4), date(2026, 12, 4), "payment_agreement", 0)
    assert expected == (date(2026, 12, 4),)
    with read_session(paths, scope, today=TODAY, live=False) as con:  # the snapshot's own copy is as of its publish
        assert con.execute("SELECT agreement_date FROM invoices WHERE invoice_id = 10").fetchone() == (None,)


def test_a_reassigned_customer_moves_portfolio_at_once(tmp_path):
    paths = seeded_store(tmp_path)
    with operations.session(paths) as ops, operations.transaction(ops):
        ops.execute("DELETE FROM customer_managers WHERE customer_id = 1")
    assert 1 not in _customers_seen(paths, "rep.a@verdier.example")[1]
