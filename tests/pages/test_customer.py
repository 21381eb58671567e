"""The customer page (AppTest): invoices, totals, DSO, managers, history filtered by kind, a note;
a sales rep refused outside the portfolio, by address."""

from __future__ import annotations

import pytest

from core import formatting
from core.collections import workflow
from core.collections.followups import change_status
from core.collections.workflow import StatusChange
from core.scope import scope_of
from tests.core.collections.conftest import NOW, add_people
from tests.support.apptest import app_on
from tests.support.cash_book import TODAY, cash_book_store

PAGE = "pages/customer.py"


@pytest.fixture
def paths(tmp_path, monkeypatch):
    monkeypatch.setattr(formatting, "paris_today", lambda: TODAY)
    paths = cash_book_store(tmp_path)
    add_people(paths)
    return paths


def _open(monkeypatch, paths, email="compta@verdier.example", customer="2"):
    at = app_on(monkeypatch, paths, as_user=email).run()
    at.query_params["entite"] = "alpha"
    at.query_params["client"] = customer
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _table(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_the_customer_view_and_its_history(monkeypatch, paths):
    admin = scope_of(paths, "admin@verdier.example")
    change_status(paths, admin, "alpha", 105, StatusChange(workflow.REMINDED, comment="1re relance"), version=0,
                  now=NOW, today=TODAY)  # fmt: skip
    at = _open(monkeypatch, paths)
    assert at.subheader[0].value == "Transports Morel"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Encours"] == formatting.money(1100) and metrics["Dont en retard"] == formatting.money(1100)
    assert metrics["DSO"] == "61 j"
    assert "Bob Rep (principal), Rita Rep" in at.caption[0].value
    assert at.caption[1].value == "Adresse de facturation : 1 rue de la Paix, 75002 PARIS"
    assert list(_table(at, "Facture")["Facture"]) == ["F-2026-000105", "F-2026-000104", "F-2026-000103"]

    at.text_area(key="client.note.body").set_value("Nouveau comptable : Mme Roux")
    next(b for b in at.button if b.label == "Enregistrer la note").click().run()
    assert at.success[0].value == "Note enregistrée."
    assert list(_table(at, "Quoi")["Type"]) == ["Notes", "Changements de statut"]
    at.multiselect(key="client.kinds").set_value(["status"]).run()
    assert list(_table(at, "Quoi")["Quoi"]) == ["Émise → Relancée"]


def test_a_sales_rep_cannot_open_a_customer_outside_the_portfolio(monkeypatch, paths):
    at = _open(monkeypatch, paths, email="rep.b@verdier.example", customer="1")
    assert "hors de votre périmètre" in at.warning[0].value
    assert not at.metric and not at.dataframe


def test_without_an_address_the_page_says_how_to_open_it(monkeypatch, paths):
    at = app_on(monkeypatch, paths, as_user="compta@verdier.example").run()
    at.switch_page(PAGE).run()
    assert "Ouvrez une fiche client" in at.info[0].value
