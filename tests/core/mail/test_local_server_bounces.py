"""The embedded SMTP server plays the demo's unlucky customers: a message to an address at
rebond.example comes back as a standard bounce (5.1.1), one to absent.example as a French
away reply two weeks ahead — both to the envelope sender, in the bounces maildir."""

from __future__ import annotations

import smtplib
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

from core.mail import bounces
from core.mail.autoreplies import classify_auto_reply
from core.mail.local_server import serving
from core.mail.mailbox import MaildirSource
from tests.support.processes import free_port

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
VERP = "relances+encours-00112233445566778899aabb@verdier.example"
MSG_ID = "<1.2.encours-00112233445566778899aabb@verdier.example>"


def deliver(tmp_path: Path, to: list[str]) -> list[EmailMessage]:
    msg = EmailMessage()
    msg["From"] = "Verdier SAS <relances@verdier.example>"
    msg["To"] = ", ".join(to)
    msg["Subject"] = "Relance : facture F-2026-000020 – 1\u202f234,56\u00a0€ restant dû"
    msg["Message-ID"] = MSG_ID
    msg.set_content("Bonjour,\nla facture reste due.\n")
    port = free_port()
    with serving(tmp_path / "outbox", port=port, bounces=tmp_path / "bounces", clock=lambda: NOW):
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.send_message(msg, from_addr=VERP, to_addrs=to)
    return [m for _, _, m in MaildirSource(tmp_path / "bounces").read()]


def test_a_bouncing_demo_address_gets_a_dsn_back_to_the_verp_sender(tmp_path: Path) -> None:
    [dsn] = deliver(tmp_path, ["compta@rebond.example"])
    assert dsn["To"] == VERP
    assert dsn.get_content_type() == "multipart/report"
    found = bounces.classify(dsn)
    assert found is not None
    assert (found.kind, found.addresses, found.status_code) == ("hard_bounce", ("compta@rebond.example",), "5.1.1")
    assert found.token == "00112233445566778899aabb"


def test_an_away_demo_address_answers_in_french_with_a_return_date(tmp_path: Path) -> None:
    [reply] = deliver(tmp_path, ["contact@absent.example"])
    assert reply["To"] == VERP and reply["In-Reply-To"] == MSG_ID
    away = classify_auto_reply(reply)
    assert away is not None
    assert away.address == "contact@absent.example"
    assert away.return_date == date(2026, 12, 21)
    assert away.token == "00112233445566778899aabb"


def test_ordinary_addresses_get_nothing_back_and_everything_is_still_delivered(tmp_path: Path) -> None:
    assert deliver(tmp_path, ["compta@client.example"]) == []
    answers = deliver(tmp_path, ["compta@client.example", "a@rebond.example", "b@absent.example"])
    assert sorted(m["From"] for m in answers) == [
        "Mail Delivery System <MAILER-DAEMON@mx.rebond.example>",
        "b@absent.example",
    ]
    assert len(list(MaildirSource(tmp_path / "outbox").read())) == 2
