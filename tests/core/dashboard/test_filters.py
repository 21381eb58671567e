"""The dashboard's address: a shared link opens the same view; a bad one never breaks the page."""

from datetime import date

import pytest

from core.dashboard.filters import MAX_WEEKS, default_filters, from_query, parse_iso_week, to_query

TODAY = date(2026, 12, 2)


def test_a_view_survives_its_address():
    base = default_filters(TODAY)
    params = {
        "entite": ["alpha"],
        "agence": ["lyon", "paris"],
        "gestionnaire": ["Rep.A@verdier.example"],
        "client": ["alpha:3"],
        "du": ["2026-W40"],
        "au": ["2027-W02"],
        "ht": ["1"],
    }
    f = from_query(params, TODAY)
    assert f.first_week == date(2026, 9, 28) and f.last_week == date(2027, 1, 11)
    assert f.agencies == ("lyon", "paris") and f.managers == ("rep.a@verdier.example",) and f.without_tax
    assert from_query(to_query(f, TODAY), TODAY) == f
    assert to_query(base, TODAY) == {}  # the default view has a bare address


def test_iso_week_53_and_impossible_weeks():
    assert parse_iso_week("2026-W53") == date(2026, 12, 28)
    assert parse_iso_week("2027-W53") is None  # 2027 has 52 ISO weeks
    assert parse_iso_week("2026W49") == date(2026, 11, 30)


@pytest.mark.parametrize(
    "params",
    [
        {"du": ["'; DROP TABLE invoices; --"]},
        {"au": ["2026-13-45"]},
        {"client": ["alpha:1' OR 1=1 --", "%_%"]},
        {"agence": ["x" * 10_000]},
        {"du": ["2027-W10"], "au": ["2026-W10"]},
        {"du": ["1990-W01"]},
    ],
)
def test_hostile_addresses_are_read_safely_and_said(params):
    f = from_query(params, TODAY)
    assert f.notes, "the page must say what it ignored"
    assert f.first_week <= f.last_week
    assert (f.last_week - f.first_week).days // 7 + 1 <= MAX_WEEKS
    assert all(len(a) < 300 for a in f.agencies) and not f.customers
