"""The invoice page (through app.py, AppTest): Pennylane's data and the workspace, each form,
a second writer told the invoice changed, and a sales rep refused outside the portfolio."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import formatting
from core.collections import workflow
from core.collections.followups import change_status
from core.collections.invoice import invoice_detail
from core.collections.workflow import StatusChange
from core.scope import scope_of
from tests.core.collections.conftest import NOW, add_people
from tests.support.apptest import app_on
from tests.support.cash_book import TODAY, cash_book_store

PAGE = "pages/invoice.py"
CLAIRE = "compta@verdier.example"


@pytest.fixture
def paths(tmp_path, monkeypatch):
    monkeypatch.setattr(formatting, "paris_today", lambda: TODAY)
    paths = cash_book_store(tmp_path)
    add_people(paths)
    return paths


def _open(monkeypatch, paths, email=CLAIRE, invoice="105", entity="alpha"):
    at = app_on(monkeypatch, paths, as_user=email).run()
    if entity:
        at.query_params["entite"] = entity
    if invoice:
        at.query_params["facture"] = invoice
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _table(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _detail(paths, email=CLAIRE, invoice=105):
    return invoice_detail(paths, scope_of(paths, email), "alpha", invoice, today=TODAY, grace_days=3)


def test_the_page_shows_the_invoice_in_french(monkeypatch, paths):
    at = _open(monkeypatch, paths)
    assert at.subheader[0].value == "F-2026-000105 — Transports Morel"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reste à encaisser"] == formatting.money(800) and metrics["Statut interne"] == "Émise"
    text = " ".join(m.value for m in at.markdown)
    assert "En retard" in text and "20/11/2026" in text and "12 jour(s) de retard" in text
    assert any(s.value == "Relancer maintenant" for s in at.subheader)


def test_an_agreement_date_a_note_and_a_call_with_a_promise(monkeypatch, paths):
    at = _open(monkeypatch, paths)
    at.date_input(key="facture.agreement_date").set_value(date(2026, 12, 10))
    at.text_input(key="facture.comment.payment_agreement").set_value("accord obtenu")
    _button(at, "Passer en « Accord de paiement »").click().run()
    assert not at.exception and not at.error
    assert "Statut enregistré : Accord de paiement." in at.success[0].value
    assert {m.label: m.value for m in at.metric}["Statut interne"] == "Accord de paiement"

    at.text_area(key="facture.note.body").set_value("Virement annoncé pour le 10")
    _button(at, "Enregistrer la note").click().run()
    assert not at.error and at.success[0].value == "Note enregistrée."

    at.text_input(key="facture.call.contact").set_value("M. Morel")
    at.selectbox(key="facture.call.outcome").set_value("promised")
    at.text_input(key="facture.call.amount").set_value("800,00")
    at.date_input(key="facture.call.promised_for").set_value(date(2026, 12, 10))
    _button(at, "Enregistrer l'appel").click().run()
    assert not at.error and at.success[0].value == "Appel enregistré."

    detail = _detail(paths)
    assert (detail.followup.status, detail.followup.agreement_date) == ("payment_agreement", date(2026, 12, 10))
    assert [e.kind for e in detail.history] == ["call", "promise", "note", "status"]
    history = _table(at, "Quoi")
    assert list(history["Quoi"])[:1] == ["Appel à M. Morel : Promesse de paiement"]
    assert list(_table(at, "État")["État"]) == ["En cours"]


def test_a_refused_transition_is_explained(monkeypatch, paths):
    at = _open(monkeypatch, paths)
    _button(at, "Passer en « Accord de paiement »").click().run()  # no date
    assert "Indiquez la date de paiement convenue" in at.error[0].value
    assert _detail(paths).version == 0


def test_the_second_writer_sees_the_new_state_and_nothing_is_overwritten(monkeypatch, paths):
    at = _open(monkeypatch, paths)  # Claire reads version 0
    admin = scope_of(paths, "admin@verdier.example")
    dispute = StatusChange(
        workflow.DISPUTED, fields={"dispute_reason": "price", "dispute_expected_end": date(2026, 12, 20)}
    )
    change_status(paths, admin, "alpha", 105, dispute, version=0, now=NOW, today=TODAY)  # meanwhile, the admin

    at.date_input(key="facture.agreement_date").set_value(date(2026, 12, 10))
    _button(at, "Passer en « Accord de paiement »").click().run()
    assert not at.exception
    assert "La facture a changé depuis que vous l'avez ouverte" in at.error[0].value
    assert "État actuel : En litige" in at.info[0].value
    assert {m.label: m.value for m in at.metric}["Statut interne"] == "En litige"
    assert _detail(paths).followup.status == "disputed"  # nothing overwritten
    # now that Claire has seen it, her next write goes through
    at.date_input(key="facture.agreement_date").set_value(date(2026, 12, 10))
    _button(at, "Passer en « Accord de paiement »").click().run()
    assert not at.error and _detail(paths).followup.status == "payment_agreement"


def test_a_sales_rep_cannot_open_an_invoice_outside_the_portfolio_by_its_address(monkeypatch, paths):
    at = _open(monkeypatch, paths, email="rep.b@verdier.example", invoice="109")  # customer 1, Rita's
    assert "hors de votre périmètre" in at.warning[0].value
    assert not at.metric and not at.dataframe and [b.key for b in at.button] == ["signin.logout"]
    text = " ".join(m.value for m in at.markdown) + " ".join(s.value for s in at.subheader)
    assert "Boulangerie" not in text


def test_a_sales_rep_may_note_and_call_but_not_change_the_status(monkeypatch, paths):
    at = _open(monkeypatch, paths, email="rep.b@verdier.example", invoice="105")
    labels = {b.label for b in at.button}
    assert "Enregistrer la note" in labels and "Enregistrer l'appel" in labels
    assert not any(label.startswith("Passer en") for label in labels)
    assert "Enregistrer la promesse" not in labels


@pytest.mark.parametrize(("entity", "invoice"), [(None, None), ("alpha", None), ("alpha", "abc"), ("beta", "105")])
def test_a_missing_or_wrong_address_says_so(monkeypatch, paths, entity, invoice):
    at = _open(monkeypatch, paths, entity=entity, invoice=invoice)
    messages = [m.value for m in (*at.info, *at.warning)]
    assert messages and any("Ouvrez une facture" in m or "introuvable" in m for m in messages)
    assert not at.metric


def test_the_promise_date_must_come(monkeypatch, paths):
    at = _open(monkeypatch, paths)
    at.text_input(key="facture.promise.amount").set_value("100")
    _button(at, "Enregistrer la promesse").click().run()
    assert "Indiquez la date promise." in at.error[0].value
    at.text_input(key="facture.promise.amount").set_value("-5")
    at.date_input(key="facture.promise.date").set_value(TODAY + timedelta(days=3))
    _button(at, "Enregistrer la promesse").click().run()
    assert "Le montant promis doit être positif." in at.error[0].value
