"""The reminder form (AppTest of the component alone, sending to a real aiosmtpd server): pre-filled
draft, edits, the account manager's copy, and French success and failure messages."""

import pytest
from streamlit.testing.v1 import AppTest

from core.mail.history import messages_for_customer
from tests.support.mail import COLLECTOR, MAIL_FROM, TODAY, mail_store, scope, smtp_server
from tests.support.processes import free_port

KEY = "reminder.alpha.20"


def _form(paths, user, invoice_ids, today):
    from ui.reminder_form import reminder_form

    reminder_form(paths, user, "alpha", invoice_ids, today)


@pytest.fixture
def paths(tmp_path, monkeypatch):
    monkeypatch.delenv("ENCOURS_SMTP_HOST", raising=False)
    monkeypatch.setenv("ENCOURS_MAIL_FROM", MAIL_FROM)
    return mail_store(tmp_path)


def _app(paths, email=COLLECTOR, invoice_ids=(20,)):
    return AppTest.from_function(_form, args=(paths, scope(paths, email), invoice_ids, TODAY), default_timeout=30).run()


def test_the_form_is_pre_filled_and_sends_what_was_edited_with_the_copy(paths, monkeypatch, tmp_path):
    with smtp_server(tmp_path / "maildir") as smtp:
        monkeypatch.setenv("ENCOURS_SMTP_PORT", str(smtp.port))
        at = _app(paths)
        assert not at.exception
        assert at.text_input(key=KEY + ".to").value == "compta1@client.example"
        assert at.text_input(key=KEY + ".subject").value.startswith("Relance : facture F-2026-000020")
        assert "1\u202f234,56\u00a0€" in at.text_area(key=KEY + ".body").value
        assert "compta@" in at.warning[0].value  # Pennylane's broken address, set aside
        assert "modèle en français" in at.caption[0].value

        at.text_input(key=KEY + ".to").set_value("compta1@client.example; direction@client.example")
        at.checkbox(key=KEY + ".cc").check()
        at.text_input(key=KEY + ".subject").set_value("Facture F-2026-000020 : rappel")
        at.button[0].click().run()
        assert not at.exception and not at.error
        assert (
            at.success[0].value
            == "Relance envoyée à compta1@client.example, direction@client.example, rep.a@verdier.example."
        )
        (received,) = smtp.received()
    assert received.subject == "Facture F-2026-000020 : rappel"
    assert received.to == "compta1@client.example, direction@client.example"
    assert received.cc == "rep.a@verdier.example"
    (message,) = messages_for_customer(paths, scope(paths), "alpha", 1)
    assert message.state == "sent" and message.subject == "Facture F-2026-000020 : rappel"


def test_server_down_shows_a_french_error_and_the_failure_is_in_the_history(paths, monkeypatch):
    monkeypatch.setenv("ENCOURS_SMTP_PORT", str(free_port()))  # nobody listens
    at = _app(paths)
    at.button[0].click().run()
    assert not at.exception and not at.success
    assert "ne répond pas (connexion refusée)" in at.error[0].value
    assert "L'échec est noté dans l'historique du client." in at.error[0].value
    (message,) = messages_for_customer(paths, scope(paths), "alpha", 1)
    assert message.state == "failed" and message.sent_at is None


def test_a_typo_in_an_address_is_caught_before_sending(paths, monkeypatch, tmp_path):
    with smtp_server(tmp_path / "maildir") as smtp:
        monkeypatch.setenv("ENCOURS_SMTP_PORT", str(smtp.port))
        at = _app(paths)
        at.text_input(key=KEY + ".to").set_value("compta1@client")
        at.button[0].click().run()
        assert "Adresse invalide : compta1@client." in at.error[0].value
        assert smtp.received() == []
    assert messages_for_customer(paths, scope(paths), "alpha", 1) == []


def test_a_sales_rep_gets_a_french_refusal_and_no_form(paths):
    at = _app(paths, "rep.a@verdier.example")
    assert not at.exception and not at.text_input and not at.button
    assert "ne permet pas : envoyer une relance manuelle" in at.error[0].value
