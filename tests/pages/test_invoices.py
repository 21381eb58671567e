"""The Factures page (AppTest through app.py): the URL sets the filters, widgets change the figures
and the URL, the totals are the whole filtered set's, a selected row opens the invoice's detail."""

import pytest

from core import formatting
from core.lists.filters import InvoiceFilters, from_query
from core.lists.invoices import query_page
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
    at.switch_page("pages/invoices.py").run()
    assert not at.exception
    return at


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def _expected(paths, filters, scope=None):
    page = query_page(paths, scope or everything(), filters, today=formatting.paris_today())
    return {
        "Factures": formatting.number(page.totals.count),
        "Montant TTC": formatting.money(page.totals.amount_eur, cents=False),
        "Montant ouvert": formatting.money(page.totals.open_eur, cents=False),
    }


def test_filters_in_the_url_set_the_widgets_and_the_totals(book, monkeypatch):
    query = {"agence": ["lyon", "paris"], "statut": ["overdue", "paid"], "montant_min": "2000", "tri": "-montant"}
    at = _open(monkeypatch, book, query)
    assert at.sidebar.multiselect(key="inv.f.agence").value == ["lyon", "paris"]
    assert at.sidebar.multiselect(key="inv.f.statut").value == ["overdue", "paid"]
    assert at.sidebar.text_input(key="inv.f.montant_min").value == "2000"
    assert at.sidebar.selectbox(key="inv.f.tri").value == "montant" and at.sidebar.checkbox(key="inv.f.desc").value
    filters, _ = from_query(query)
    assert _metrics(at) == _expected(book, filters)
    grid = at.dataframe[0].value
    assert list(grid["montant"]) == sorted(grid["montant"], reverse=True)
    assert set(grid["statut"]) <= {"Échue", "Payée"} and set(grid["agence"]) <= {"Agence Lyon", "Agence Paris"}
    assert any("Agences : Agence Lyon, Agence Paris" in c.value for c in at.caption)


def test_a_widget_change_updates_the_figures_and_the_url(book, monkeypatch):
    at = _open(monkeypatch, book)
    assert _metrics(at) == _expected(book, InvoiceFilters())
    at.sidebar.checkbox(key="inv.f.ouvertes").check().run()
    at.sidebar.multiselect(key="inv.f.entite").select("beta").run()
    assert not at.exception
    assert _metrics(at) == _expected(book, InvoiceFilters(entities=("beta",), open_only=True))
    assert at.query_params["ouvertes"] == "1" and at.query_params["entite"] == "beta"
    at.sidebar.text_input(key="inv.f.q").input("élodie").run()
    assert at.query_params["q"] == "élodie"
    assert set(at.dataframe[0].value["client"]) == {CUSTOMERS["beta"][1]}


def test_a_hostile_url_gives_french_messages_and_the_list_still_shows(book, monkeypatch):
    query = {"q": "x" * 10_000, "retard_min": "-1", "echeance_du": "2026-02-30", "client": "gamma:7", "tri": "1;--"}
    at = _open(monkeypatch, book, query)
    warnings = " ".join(w.value for w in at.warning)
    assert "« q »" in warnings and "« retard_min »" in warnings and "« echeance_du »" in warnings
    assert "hors de votre périmètre" in warnings and "« tri »" in warnings
    assert _metrics(at) == _expected(book, InvoiceFilters())
    assert at.query_params == {}  # only valid filters are written back


def test_a_filter_matching_nothing_says_so(book, monkeypatch):
    at = _open(monkeypatch, book, {"q": "aucune facture ne s'appelle ainsi"})
    assert _metrics(at)["Factures"] == "0"
    assert any("Aucune facture ne correspond" in i.value for i in at.info)
    assert not at.dataframe


def test_pages_move_with_the_buttons_and_the_url_keeps_the_page(book, monkeypatch):
    at = _open(monkeypatch, book, {"tri": "numero"})
    first = list(at.dataframe[0].value["numero"])
    assert len(first) == 50
    at.button(key="inv.next").click().run()
    assert at.query_params["page"] == "2"
    second = list(at.dataframe[0].value["numero"])
    assert len(second) == 16 and not set(first) & set(second)
    assert _metrics(at)["Factures"] == "66"  # the totals stay the whole set's
    at.sidebar.checkbox(key="inv.f.litige").check().run()  # another filter: back to page 1
    assert "page" not in at.query_params and at.number_input(key="inv.page").value == 1


def test_selecting_a_row_opens_the_invoice_s_detail(book, monkeypatch):
    at = _open(monkeypatch, book, {"client": "alpha:2", "tri": "numero"})
    [grid_key] = [k for k in at.session_state if k.startswith("inv.grid.")]
    first = at.dataframe[0].value.iloc[0]
    at.session_state[grid_key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert any(s.value == f"Facture {first['numero']}" for s in at.subheader)
    text = " ".join(m.value for m in at.markdown)
    assert "Transports Morel" in text and "Montant ouvert" in text and "Date d'accord" in text
    [link] = at.get("page_link")
    assert link.proto.label == "Ouvrir la fiche de recouvrement de la facture"
    assert "facture" in link.proto.page and "entite=alpha" in link.proto.query_string


def test_a_sales_rep_sees_only_their_portfolio_whatever_the_url(book, monkeypatch):
    email = "rep.c@verdier.example"
    at = _open(monkeypatch, book, {"client": ["alpha:1", "beta:1"]}, as_user=email)
    assert any("alpha:1" in w.value for w in at.warning)
    assert at.sidebar.multiselect(key="inv.f.client").value == [("beta", 1)]
    assert _metrics(at) == _expected(book, InvoiceFilters(customers=(("beta", 1),)), scope_of(book, email))
    assert set(at.dataframe[0].value["client"]) == {"Élodie Durand"}
    assert CUSTOMERS["alpha"][1] not in " ".join(str(o) for o in at.sidebar.multiselect(key="inv.f.client").options)


def test_three_export_buttons_for_the_whole_filtered_set(book, monkeypatch):
    at = _open(monkeypatch, book, {"agence": "lyon"})
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["PDF", "CSV", "Excel"]
    assert any("Toutes les lignes filtrées" in c.value for c in at.caption)


def test_a_long_export_is_prepared_under_a_progress_bar_then_downloaded_and_logged(book, monkeypatch):
    import ui.list_exports
    from core.exports.audit import export_log

    monkeypatch.setattr(ui.list_exports, "LARGE", 5)  # the book's 66 invoices count as a long export
    at = _open(monkeypatch, book, {"statut": "overdue"})
    assert not at.get("download_button")
    at.button(key="inv.export.prepare.xlsx").click().run()
    assert not at.exception
    [download] = at.get("download_button")
    assert download.proto.label.startswith("Télécharger factures-") and download.proto.label.endswith(".xlsx")
    latest = export_log(book, everything())[0]
    assert (latest.email, latest.list_kind, latest.format, latest.source) == (
        "admin@verdier.example",
        "invoices",
        "xlsx",
        "app",
    )
    assert latest.filters == {"statut": ["overdue"]} and latest.filters_text == "Statut : Échue"
    at.sidebar.checkbox(key="inv.f.desc").uncheck().run()  # another order: that file is not offered any more
    assert not at.get("download_button") and at.button(key="inv.export.prepare.pdf")


def test_before_the_first_sync_the_lists_say_so(tmp_path, monkeypatch):
    from core.store import operations
    from core.store.paths import StorePaths
    from tests.support.invoice_book import ORGANISATION

    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    for script in ("pages/invoices.py", "pages/customers.py"):
        at = app_on(monkeypatch, paths).run()
        at.switch_page(script).run()
        assert not at.exception
        assert any("première synchronisation" in i.value for i in at.info) and not at.dataframe


def test_a_link_followed_in_an_open_session_sets_its_filters_and_its_page(book, monkeypatch):
    at = _open(monkeypatch, book, {"statut": "paid"})
    at.query_params.clear()
    at.query_params["tri"] = "numero"
    at.query_params["page"] = "2"  # as a drill-down or a bookmark would, in the same tab
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="inv.f.statut").value == []
    assert at.number_input(key="inv.page").value == 2 and at.query_params["page"] == "2"
    assert len(at.dataframe[0].value) == 16
