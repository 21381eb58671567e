"""The demo outbox page (through app.py): what the embedded SMTP server received, newest first;
and, when a real SMTP server is configured, a page that says it is only for the demo."""

from dataclasses import replace
from datetime import timedelta

from core.mail.drafts import draft_reminder
from core.mail.manual import send_manual_reminder
from tests.support.apptest import app_on
from tests.support.mail import COLLECTOR, NOW, TODAY, mail_store, scope, sender, smtp_server

PAGE = "pages/outbox.py"


def _send_two(paths):
    user = scope(paths)
    with smtp_server(paths.maildir) as smtp:
        first = draft_reminder(paths, user, "alpha", [20], TODAY, sender(user))
        first = replace(first, cc=(first.account_manager_email,))
        send_manual_reminder(paths, user, first, now=NOW, server=smtp.server)
        second = draft_reminder(paths, user, "alpha", [22], TODAY, sender(user))
        send_manual_reminder(paths, user, second, now=NOW + timedelta(hours=2), server=smtp.server)


def test_the_outbox_shows_each_message_as_received_newest_first(tmp_path, monkeypatch):
    paths = mail_store(tmp_path)
    _send_two(paths)
    at = app_on(monkeypatch, paths, as_user=COLLECTOR).run().switch_page(PAGE).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Boîte d'envoi (démo)"
    assert "Aucun serveur d'envoi n'est configuré" in at.caption[0].value
    table = at.dataframe[0].value
    assert list(table.columns) == ["Reçu le", "De", "À", "Copie", "Objet"]
    assert table["À"].tolist() == ["accounts@morel.example", "compta1@client.example"]
    assert table["Copie"].tolist() == ["", "rep.a@verdier.example"]
    assert table["Reçu le"].tolist() == ["22/11/2026 à 13:30", "22/11/2026 à 11:30"]
    assert table["Objet"].tolist()[1] == "Relance : facture F-2026-000020 – 1\u202f234,56\u00a0€ restant dû"
    bodies = [t.value for t in at.text]
    assert any("Montant total restant dû : 1\u202f234,56\u00a0€" in b for b in bodies)
    assert any("Total outstanding: 99,90\u00a0€" in b for b in bodies)


def test_an_empty_outbox_says_how_to_fill_it(tmp_path, monkeypatch):
    at = app_on(monkeypatch, mail_store(tmp_path), as_user=COLLECTOR).run().switch_page(PAGE).run()
    assert not at.exception and not at.dataframe
    assert "Aucun message reçu pour l'instant" in at.info[0].value


def test_with_a_real_smtp_server_the_page_says_it_only_serves_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("ENCOURS_SMTP_HOST", "smtp.example.com")
    monkeypatch.setenv("ENCOURS_MAIL_FROM", "relances@verdier.example")
    at = app_on(monkeypatch, mail_store(tmp_path), as_user=COLLECTOR).run().switch_page(PAGE).run()
    assert not at.exception
    assert "Un serveur d'envoi est configuré (smtp.example.com)" in at.info[0].value
    assert "ne sert qu'en démonstration" in at.info[0].value


def test_a_sales_rep_is_refused_and_sees_no_message(tmp_path, monkeypatch):
    paths = mail_store(tmp_path)
    _send_two(paths)
    at = app_on(monkeypatch, paths, as_user="rep.a@verdier.example").run().switch_page(PAGE).run()
    assert "n'est pas ouverte à votre profil" in at.error[0].value
    assert not at.dataframe and not at.text
