"""The Clients page (AppTest through app.py): URL filters set the widgets, a widget change updates
the figures and the URL, the scope of a sales rep holds whatever the URL says."""

import pytest

from core import formatting
from core.lists.customers import query_customer_page
from core.lists.filters import CustomerFilters
from core.scope import everything, scope_of
from tests.support.apptest import app_on
from tests.support.invoice_book import CUSTOMERS, invoice_book_store


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return invoice_book_store(tmp_path_factory.mktemp("book"))


def _open(monkeypatch, paths, query=None, as_user="admin@verdier.example"):
    at = app_on(monkeypatch, paths, as_user=as_user).run()
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page("pages/customers.py").run()
    assert not at.exception
    return at


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def _expected(paths, filters, scope=None):
    page = query_customer_page(paths, scope or everything(), filters, today=formatting.paris_today())
    return {
        "Clients": formatting.number(page.totals.count),
        "Montant ouvert": formatting.money(page.totals.open_eur, cents=False),
        "Dont échu": formatting.money(page.totals.overdue_eur, cents=False),
    }


def test_filters_in_the_url_set_the_widgets_and_the_totals(book, monkeypatch):
    at = _open(monkeypatch, book, {"agence": "paris", "echus": "1", "tri": "client"})
    assert at.sidebar.multiselect(key="cli.f.agence").value == ["paris"]
    assert at.sidebar.checkbox(key="cli.f.echus").value
    assert _metrics(at) == _expected(book, CustomerFilters(agencies=("paris",), overdue_only=True, sort="client"))
    grid = at.dataframe[0].value
    assert list(grid["client"]) == sorted(grid["client"])
    assert set(grid["lien"]) <= {"factures?client=alpha%3A1", "factures?client=alpha%3A2"}
    assert set(grid["fiche"]) <= {"client-fiche?entite=alpha&client=1", "client-fiche?entite=alpha&client=2"}


def test_a_widget_change_updates_the_figures_and_the_url(book, monkeypatch):
    at = _open(monkeypatch, book)
    assert _metrics(at) == _expected(book, CustomerFilters())
    assert _metrics(at)["Clients"] == "6"
    at.sidebar.text_input(key="cli.f.q").input("CAFE").run()
    assert not at.exception
    assert at.query_params["q"] == "CAFE"
    assert list(at.dataframe[0].value["client"]) == [CUSTOMERS["beta"][2]]
    assert _metrics(at) == _expected(book, CustomerFilters(search="CAFE"))


def test_a_filter_matching_nothing_says_so(book, monkeypatch):
    at = _open(monkeypatch, book, {"q": "personne"})
    assert _metrics(at)["Clients"] == "0" and any("Aucun client ne correspond" in i.value for i in at.info)


def test_a_sales_rep_sees_only_their_customers(book, monkeypatch):
    email = "rep.a@verdier.example"
    at = _open(monkeypatch, book, {"agence": "marseille"}, as_user=email)
    assert any("marseille" in w.value for w in at.warning)  # not an agency of their customers: ignored
    assert _metrics(at) == _expected(book, CustomerFilters(), scope_of(book, email))
    assert set(at.dataframe[0].value["client"]) == {CUSTOMERS["alpha"][1], CUSTOMERS["alpha"][2]}


def test_the_customer_list_exports_too(book, monkeypatch):
    at = _open(monkeypatch, book)
    assert [b.proto.label for b in at.get("download_button")] == ["PDF", "CSV", "Excel"]
