"""Manual reminders against a real SMTP server (aiosmtpd, the embedded one, on a free port):
what arrives, header injection, a server down, recipients refused — and the history says
exactly what happened (nothing marked sent that was not)."""

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from core.access.permissions import Forbidden
from core.mail.drafts import ReminderRefused, draft_reminder
from core.mail.history import OutOfScope, messages_for_customer, messages_for_invoice
from core.mail.manual import send_manual_reminder
from core.mail.smtp import SmtpServer
from core.scope import Scope
from tests.support.mail import MAIL_FROM, NOW, TODAY, mail_store, scope, sender, smtp_server
from tests.support.processes import free_port

AMOUNT = "1\u202f234,56\u00a0€"


@pytest.fixture
def paths(tmp_path):
    return mail_store(tmp_path)


@pytest.fixture
def collector(paths):
    return scope(paths)


def _draft(paths, user, invoice_ids=(20,)):
    return draft_reminder(paths, user, "alpha", invoice_ids, TODAY, sender(user))


def _rows(paths):
    con = sqlite3.connect(paths.operations)
    try:
        return con.execute("SELECT state, sent_at, error FROM messages ORDER BY message_id").fetchall()
    finally:
        con.close()


def test_the_reminder_arrives_with_its_recipients_subject_french_body_and_amounts(paths, collector, tmp_path):
    with smtp_server(tmp_path / "maildir") as smtp:
        outcome = send_manual_reminder(paths, collector, _draft(paths, collector), now=NOW, server=smtp.server)
        (received,) = smtp.received()
    assert outcome.state == "sent" and outcome.notice == "Relance envoyée à compta1@client.example."
    assert received.to == "compta1@client.example" and received.cc == ""
    assert received.envelope_to == "compta1@client.example"
    assert received.sender == f"Claire Compta <{MAIL_FROM}>"
    assert received.subject == f"Relance : facture F-2026-000020 – {AMOUNT} restant dû"
    assert "Sauf erreur de notre part, la facture suivante n'est pas encore réglée" in received.body
    assert f"{AMOUNT} restant dû, échéance le 01/10/2026 (52 jours de retard)" in received.body
    assert "encours-" in received.message_id and received.message_id.endswith("@verdier.example>")

    (message,) = messages_for_customer(paths, collector, "alpha", 1)
    assert (message.state, message.state_label, message.kind_label) == ("sent", "envoyé", "relance manuelle")
    assert message.sent_at == NOW and message.to == ("compta1@client.example",) and message.cc == ()
    assert message.subject == received.subject and message.body == received.body
    assert message.header_message_id == received.message_id
    assert [(i.invoice_id, i.invoice_number, str(i.amount_due)) for i in message.invoices] == [
        (20, "F-2026-000020", "1234.56")
    ]
    assert message.sender_email == "compta@verdier.example" and message.delivery_status is None
    assert [m.message_id for m in messages_for_invoice(paths, collector, "alpha", 20)] == [message.message_id]


def test_the_account_manager_is_copied_when_asked_and_edits_are_what_is_sent(paths, collector, tmp_path):
    draft = _draft(paths, collector)
    edited = replace(
        draft,
        to=("compta1@client.example", "direction@client.example"),
        cc=(draft.account_manager_email,),
        subject="Votre facture F-2026-000020",
        body=draft.body.replace("Bonjour,", "Bonjour Madame Lefèvre,"),
    )
    with smtp_server(tmp_path / "maildir") as smtp:
        outcome = send_manual_reminder(paths, collector, edited, now=NOW, server=smtp.server)
        (received,) = smtp.received()
    assert outcome.state == "sent"
    assert received.to == "compta1@client.example, direction@client.example"
    assert received.cc == "rep.a@verdier.example"
    assert received.envelope_to == "compta1@client.example, direction@client.example, rep.a@verdier.example"
    assert received.subject == "Votre facture F-2026-000020"
    assert received.body.startswith("Bonjour Madame Lefèvre,")
    (message,) = messages_for_customer(paths, collector, "alpha", 1)
    assert message.cc == ("rep.a@verdier.example",)


def test_a_long_french_subject_arrives_with_every_space(paths, collector, tmp_path):
    subject = (
        "Nouvelle relance : facture F-2026-000020 impayée – 1 234,56\u00a0€ depuis le 22/11/2026, merci de régulariser"
    )
    edited = replace(_draft(paths, collector), subject=subject)
    with smtp_server(tmp_path / "maildir") as smtp:
        send_manual_reminder(paths, collector, edited, now=NOW, server=smtp.server)
        (received,) = smtp.received()
    assert received.subject == subject  # Python's folding at 78 columns lost the space after "–"


def test_an_english_customer_receives_the_english_reminder(paths, collector, tmp_path):
    with smtp_server(tmp_path / "maildir") as smtp:
        send_manual_reminder(paths, collector, _draft(paths, collector, (22,)), now=NOW, server=smtp.server)
        (received,) = smtp.received()
    assert received.to == "accounts@morel.example"
    assert received.subject == "Reminder: invoice F-2026-000022 – 99,90\u00a0€ outstanding"
    assert "Total outstanding: 99,90\u00a0€" in received.body


@pytest.mark.parametrize(
    "field", ["subject", "name"], ids=["injection in the subject", "injection in the sender's name"]
)
def test_a_header_injection_stays_text_and_adds_no_recipient(paths, collector, tmp_path, field):
    draft = _draft(paths, collector)
    evil = "Relance\r\nBcc: pirate@evil.example\r\nX-Injected: oui\n"
    if field == "subject":
        draft = replace(draft, subject=evil)
    else:
        draft = replace(draft, sender=replace(draft.sender, name=evil))
    with smtp_server(tmp_path / "maildir") as smtp:
        assert send_manual_reminder(paths, collector, draft, now=NOW, server=smtp.server).state == "sent"
        (received,) = smtp.received()
        raw = next((tmp_path / "maildir" / "new").iterdir()).read_bytes()
    assert received.envelope_to == "compta1@client.example"
    assert b"\nBcc:" not in raw and b"\nX-Injected:" not in raw and b"\r\nBcc:" not in raw
    shown = received.subject if field == "subject" else received.sender
    assert "Relance Bcc: pirate@evil.example X-Injected: oui" in shown


def test_an_address_carrying_a_header_is_refused_before_anything_is_recorded(paths, collector):
    draft = replace(_draft(paths, collector), to=("compta1@client.example\r\nBcc: pirate@evil.example",))
    with pytest.raises(ReminderRefused, match="n'est pas une adresse e-mail valide"):
        send_manual_reminder(paths, collector, draft, now=NOW, server=SmtpServer("127.0.0.1", free_port()))
    assert _rows(paths) == []


def test_server_down_is_a_clear_french_failure_recorded_as_failed(paths, collector):
    down = SmtpServer("127.0.0.1", free_port(), timeout_s=5)  # nobody listens there
    outcome = send_manual_reminder(paths, collector, _draft(paths, collector), now=NOW, server=down)
    assert outcome.state == "failed" and not outcome.sent
    assert outcome.notice.startswith(f"Le serveur d'envoi 127.0.0.1:{down.port} ne répond pas (connexion refusée)")
    assert "n'est pas parti" in outcome.notice
    (message,) = messages_for_customer(paths, collector, "alpha", 1)
    assert message.state == "failed" and message.sent_at is None and message.error == outcome.notice
    assert message.state_label == "échec de l'envoi"
    assert {r.status for r in message.recipients} == {"pending"}  # never "accepted"


def test_every_recipient_refused_with_550_is_a_failure(paths, collector, tmp_path):
    with smtp_server(tmp_path / "maildir", refused=["compta1@client.example"]) as smtp:
        outcome = send_manual_reminder(paths, collector, _draft(paths, collector), now=NOW, server=smtp.server)
        assert smtp.received() == []
    assert outcome.state == "failed"
    assert "Le serveur a refusé tous les destinataires : compta1@client.example (550 5.1.1" in outcome.notice
    (message,) = messages_for_customer(paths, collector, "alpha", 1)
    assert message.state == "failed" and message.sent_at is None
    assert [(r.address, r.status) for r in message.recipients] == [("compta1@client.example", "refused")]
    assert message.recipients[0].smtp_reply.startswith("550 5.1.1")


def test_some_recipients_refused_is_sent_in_part_and_says_to_whom_not(paths, collector, tmp_path):
    draft = replace(_draft(paths, collector), to=("compta1@client.example", "ancien@client.example"))
    with smtp_server(tmp_path / "maildir", refused=["ancien@client.example"]) as smtp:
        outcome = send_manual_reminder(paths, collector, draft, now=NOW, server=smtp.server)
        (received,) = smtp.received()
    assert received.envelope_to == "compta1@client.example"
    assert outcome.state == "partly_sent" and outcome.accepted == ("compta1@client.example",)
    assert "refusée pour ancien@client.example (550 5.1.1" in outcome.notice
    (message,) = messages_for_customer(paths, collector, "alpha", 1)
    assert message.state == "partly_sent" and message.state_label == "envoyé en partie"
    assert {r.address: r.status for r in message.recipients} == {
        "compta1@client.example": "accepted",
        "ancien@client.example": "refused",
    }
    assert "ancien@client.example" in message.error


def test_a_crash_after_recording_leaves_sending_never_sent(paths, collector, tmp_path, monkeypatch):
    from core.mail import manual

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(manual, "send", crash)
    with pytest.raises(KeyboardInterrupt):
        send_manual_reminder(paths, collector, _draft(paths, collector), now=NOW, server=SmtpServer("x", 1))
    assert _rows(paths) == [("sending", None, None)]
    (message,) = messages_for_customer(paths, collector, "alpha", 1)
    assert message.state_label == "envoi en cours ou interrompu"


def test_the_history_is_newest_first_and_per_customer(paths, collector, tmp_path):
    with smtp_server(tmp_path / "maildir") as smtp:
        first = send_manual_reminder(paths, collector, _draft(paths, collector), now=NOW, server=smtp.server)
        later = NOW + timedelta(days=3)
        second = send_manual_reminder(
            paths, collector, _draft(paths, collector, (20, 21)), now=later, server=smtp.server
        )
        send_manual_reminder(paths, collector, _draft(paths, collector, (22,)), now=later, server=smtp.server)
    assert [m.message_id for m in messages_for_customer(paths, collector, "alpha", 1)] == [
        second.message_id,
        first.message_id,
    ]
    assert [m.message_id for m in messages_for_invoice(paths, collector, "alpha", 21)] == [second.message_id]
    assert len(messages_for_customer(paths, collector, "alpha", 2)) == 1


def test_a_sales_rep_can_neither_send_nor_read_another_portfolio(paths, collector, tmp_path):
    rep_b = scope(paths, "rep.b@verdier.example")  # customers 2 and 3
    draft = _draft(paths, collector)
    with smtp_server(tmp_path / "maildir") as smtp:
        with pytest.raises(Forbidden):
            send_manual_reminder(paths, rep_b, draft, now=NOW, server=smtp.server)
        restricted = Scope(email=collector.email, role="accounting", customers=frozenset({("alpha", 2)}))
        with pytest.raises(ReminderRefused, match="hors de votre périmètre"):
            send_manual_reminder(paths, restricted, draft, now=NOW, server=smtp.server)
        assert smtp.received() == [] and _rows(paths) == []
        send_manual_reminder(paths, collector, draft, now=NOW, server=smtp.server)
    with pytest.raises(OutOfScope, match="pas dans votre périmètre"):
        messages_for_customer(paths, rep_b, "alpha", 1)
    assert messages_for_invoice(paths, rep_b, "alpha", 20) == []
    assert len(messages_for_customer(paths, scope(paths, "rep.a@verdier.example"), "alpha", 1)) == 1
