"""The modelled views on a small hand-made group: amounts, statuses, dates, cash events."""

from datetime import date
from decimal import Decimal

from core.scope import everything
from core.store.reading import read_session
from tests.support.stores import seeded_store

TODAY = date(2026, 11, 22)


def test_invoices_view_derives_open_amount_status_and_lateness(tmp_path):
    paths = seeded_store(tmp_path)
    with read_session(paths, everything(), today=TODAY) as con:
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT invoice_id, status, open_amount_eur, paid_amount_eur, credited_amount_eur, days_late, "
                "last_payment_date, partially_paid, agency_name, primary_manager_email FROM invoices"
            ).fetchall()
        }
    assert rows[10] == ("overdue", Decimal("20.00"), Decimal("100.00"), Decimal("0.00"), 52, date(2026, 10, 15), True,
                        "Agence Paris", "rep.a@verdier.example")  # fmt: skip
    assert rows[12][:3] == ("paid", Decimal("0.00"), Decimal("50.00"))
    assert rows[13][:2] == ("not_due", Decimal("30.00")) and rows[13][4] == 0
    assert rows[14][:4] == ("cancelled", Decimal("0.00"), Decimal("0.00"), Decimal("40.00"))
    assert rows[15][0] == "credit_note"


def test_days_late_follow_the_pinned_today(tmp_path):
    paths = seeded_store(tmp_path)
    with read_session(paths, everything(), today=date(2026, 10, 2)) as con:
        assert con.execute("SELECT days_late FROM invoices WHERE invoice_id = 10").fetchone()[0] == 1
    with read_session(paths, everything(), today=date(2026, 9, 30)) as con:
        assert con.execute("SELECT status FROM invoices WHERE invoice_id = 10").fetchone()[0] == "not_due"


def test_cash_events_expected_on_due_date_and_collected_on_payment_date(tmp_path):
    paths = seeded_store(tmp_path)
    with read_session(paths, everything(), today=TODAY) as con:
        rows = con.execute(
            "SELECT event_kind, invoice_id, event_date, week_start, iso_week, amount_eur FROM cash_events ORDER BY 1, 2"
        ).fetchall()
    assert rows == [
        ("collected", 10, date(2026, 10, 15), date(2026, 10, 12), 42, Decimal("100.00")),
        ("collected", 12, date(2026, 9, 20), date(2026, 9, 14), 38, Decimal("50.00")),
        ("expected", 10, date(2026, 10, 1), date(2026, 9, 28), 40, Decimal("120.00")),
        ("expected", 12, date(2026, 10, 1), date(2026, 9, 28), 40, Decimal("50.00")),
        ("expected", 13, date(2026, 12, 30), date(2026, 12, 28), 53, Decimal("30.00")),
    ]
