"""The dashboard page through app.py (AppTest): filters from the widgets and from the address
change the figures as the hand-made book says, a sales rep's view never shows another
portfolio, and every empty state is a French sentence, never a traceback."""

from datetime import date
from decimal import Decimal

import pytest

from core import formatting
from core.store import operations
from core.store.paths import StorePaths
from tests.support.apptest import app_on
from tests.support.cash_book import TODAY, cash_book_store, follow_up
from tests.support.stores import ORGANISATION

PAGE = "pages/dashboard.py"


@pytest.fixture
def paths(tmp_path, monkeypatch):
    monkeypatch.setattr(formatting, "paris_today", lambda: TODAY)
    return cash_book_store(tmp_path)


def _open(monkeypatch, paths, email="admin@verdier.example", query=None):
    at = app_on(monkeypatch, paths, as_user=email)
    for name, values in (query or {}).items():
        at.query_params[name] = values
    at.run()
    if not query:
        at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _tile(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _weekly(at):
    """The table beside the weekly chart: the page's first table."""
    return at.dataframe[0].value


def _param(at, name) -> list[str]:
    value = at.query_params[name]
    return [value] if isinstance(value, str) else list(value)


def _money(amount: str) -> str:
    return formatting.money(Decimal(amount), cents=False)


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [str(x.value) for x in (*at.caption, *at.info, *at.warning, *at.success)]
    parts += [f"{m.label} {m.value}" for m in at.metric] + [s.value for s in at.subheader]
    parts += [df.value.to_string() for df in at.dataframe]
    return " ".join(parts)


def test_management_lands_on_the_dashboard(monkeypatch, paths):
    with operations.session(paths) as ops, operations.transaction(ops):
        ops.execute(
            "INSERT INTO users (email, full_name, role, active) VALUES ('dg@verdier.example', 'Diane', 'management', 1)"
        )
    at = app_on(monkeypatch, paths, as_user="dg@verdier.example").run()
    assert not at.exception
    assert at.title[0].value == "Tableau de bord"
    assert _tile(at, "Encours") == _money("2600")


def test_the_figures_of_the_book(monkeypatch, paths):
    at = _open(monkeypatch, paths)
    assert _tile(at, "Encours") == _money("2600")
    assert _tile(at, "Échu") == _money("1600")
    assert _tile(at, "Encaissé (semaine)") == _money("150")
    assert _tile(at, "DSO") == "62,9 j"
    assert "L'écart : " + formatting.money(Decimal("1600")) in _text(at)
    weekly = _weekly(at)
    assert weekly.loc[weekly["Semaine"] == "S53 2026", "Attendu"].item() == formatting.money(Decimal("1000"))


def test_each_filter_changes_the_figures_and_the_address(monkeypatch, paths):
    at = _open(monkeypatch, paths)
    at.multiselect(key="dashboard.filter.agencies").set_value(["lyon"]).run()
    assert _tile(at, "Encours") == _money("1250")
    assert _param(at, "agence") == ["lyon"]
    at.multiselect(key="dashboard.filter.agencies").set_value([]).run()
    at.multiselect(key="dashboard.filter.managers").set_value(["rep.b@verdier.example"]).run()
    assert _tile(at, "Encours") == _money("2350")  # customers 2 and 3, whose primary manager is Bob
    at.multiselect(key="dashboard.filter.managers").set_value([]).run()
    at.text_input(key="dashboard.filter.search").set_value("boulan").run()
    at.multiselect(key="dashboard.filter.customers").set_value(["alpha:1"]).run()
    assert _tile(at, "Encours") == _money("250")
    assert _param(at, "client") == ["alpha:1"]
    at.multiselect(key="dashboard.filter.customers").set_value([]).run()
    at.toggle(key="dashboard.filter.without_tax").set_value(True).run()
    assert _tile(at, "Encours") == _money("2540")
    assert "(HT)" in _text(at)
    at.toggle(key="dashboard.filter.without_tax").set_value(False).run()
    at.date_input(key="dashboard.filter.period").set_value((date(2026, 10, 12), date(2026, 10, 25))).run()
    weeks = _weekly(at)
    assert list(weeks["Semaine"]) == ["S42 2026", "S43 2026"]
    assert _param(at, "du") == ["2026-W42"] and _param(at, "au") == ["2026-W43"]


def test_an_address_opens_the_same_view(monkeypatch, paths):
    at = app_on(monkeypatch, paths).run()
    at.query_params["agence"] = "lyon"
    at.query_params["ht"] = "1"
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.multiselect(key="dashboard.filter.agencies").value == ["lyon"]
    assert at.toggle(key="dashboard.filter.without_tax").value is True
    assert _tile(at, "Encours") == _money("1250")  # customer 3, no tax on its invoices


def test_a_collectors_agreement_date_shows_at_the_next_run(monkeypatch, paths):
    at = _open(monkeypatch, paths)
    assert "L'écart : " + formatting.money(Decimal("1600")) in _text(at)
    follow_up(paths, 105, "payment_agreement", agreement=date(2026, 12, 10))
    at.run()
    assert "L'écart : " + formatting.money(Decimal("800")) in _text(at)


def test_a_sales_rep_never_sees_another_portfolio(monkeypatch, paths):
    at = _open(monkeypatch, paths, email="rep.b@verdier.example")  # customers 2 and 3
    assert _tile(at, "Encours") == _money("2350")
    text = _text(at)
    assert "Boulangerie Lefèvre" not in text
    weekly = _weekly(at)
    assert weekly.loc[weekly["Semaine"] == "S42 2026", "Attendu"].item() == formatting.money(Decimal("0"))  # customer 1
    at.text_input(key="dashboard.filter.search").set_value("Boulangerie").run()
    assert at.multiselect(key="dashboard.filter.customers").options == []


def test_a_filter_matching_nothing_says_so(monkeypatch, paths):
    at = _open(monkeypatch, paths)
    at.multiselect(key="dashboard.filter.agencies").set_value(["lyon"]).run()
    at.multiselect(key="dashboard.filter.managers").set_value(["rep.a@verdier.example"]).run()
    assert "Aucun client ne correspond à ces filtres" in _text(at)
    assert not at.metric


def test_a_store_never_synced_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(formatting, "paris_today", lambda: TODAY)
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    at = _open(monkeypatch, paths)
    assert at.info and "synchronis" in at.info[0].value
    assert not at.metric


def test_a_store_with_no_invoices_says_so(monkeypatch, tmp_path):
    from core.ingestion.batches import batch_from_directory
    from core.ingestion.runs import publish_batches
    from tests.support import records as r
    from tests.support.cash_book import PUBLISHED_AT

    monkeypatch.setattr(formatting, "paris_today", lambda: TODAY)
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    empty = r.write_entity(tmp_path / "src", "alpha", customers=[r.customer(1)], invoices=[], lines=[])
    publish_batches(paths, [batch_from_directory(empty, "alpha", "Alpha SAS")], now=PUBLISHED_AT, source="files")
    at = _open(monkeypatch, paths)
    assert "Aucune facture à encaisser" in _text(at)
    assert not at.metric
