"""Bounces as real servers write them (Postfix DSNs, Exim, qmail, Office 365) are told apart
— failed for good or only delayed — and name the address and the reminder they are about."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from core.mail.bounces import HARD, SOFT, classify

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str, *, edit: tuple[str, str] | None = None) -> EmailMessage:
    raw = (SAMPLES / name).read_bytes()
    if edit:
        raw = re.sub(edit[0].encode(), edit[1].encode(), raw)
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


@pytest.mark.parametrize(
    ("name", "kind", "address", "status", "token"),
    [
        ("dsn_5_1_1_unknown_user.eml", HARD, "compta@fournil-dupont.example", "5.1.1", "3f2a9c0d4b5e6f708192a3b4"),
        ("dsn_4_2_2_mailbox_full.eml", SOFT, "factures@garage-petit.example", "4.2.2", "7c1d2e3f4a5b6c7d8e9f0a1b"),
        ("dsn_delayed.eml", SOFT, "accounts@morel-transport.example", "4.4.1", "0a1b2c3d4e5f60718293a4b5"),
        ("exim_failed.eml", HARD, "m.roux@quincaillerie-roux.example", "5.1.1", "5e6f7a8b9c0d1e2f3a4b5c6d"),
        ("exim_delay_warning.eml", SOFT, "achats@menuiserie-blanc.example", "4.3.0", "9d8c7b6a5f4e3d2c1b0a9f8e"),
        ("qmail_failure.eml", HARD, "comptabilite@transports-girard.example", "5.1.1", "1122334455667788aabbccdd"),
        ("office365_5_1_10.eml", HARD, "j.mercier@atelier-mercier.example", "5.1.10", "abcdef0123456789abcdef01"),
    ],
)
def test_each_bounce_names_its_kind_address_status_and_reminder(
    name: str, kind: str, address: str, status: str, token: str
) -> None:
    bounce = classify(sample(name))
    assert bounce is not None
    assert bounce.kind == kind
    assert bounce.addresses == (address,)
    assert bounce.status_code == status
    assert bounce.token == token


def test_unknown_user_reads_as_an_invalid_address_in_french() -> None:
    bounce = classify(sample("dsn_5_1_1_unknown_user.eml"))
    assert bounce is not None and bounce.hard
    assert bounce.detail == "Adresse en échec définitif : adresse inconnue du serveur destinataire (5.1.1)."


def test_mailbox_full_and_delays_are_soft_in_french() -> None:
    full = classify(sample("dsn_4_2_2_mailbox_full.eml"))
    delayed = classify(sample("exim_delay_warning.eml"))
    assert full is not None and "boîte du destinataire pleine" in full.detail
    assert delayed is not None and not delayed.hard and delayed.detail.startswith("Remise retardée")


def test_a_bounce_without_the_return_path_is_found_by_the_quoted_message_id() -> None:
    msg = sample("qmail_failure.eml", edit=(r"\+encours-[0-9a-f]+@", "@"))
    assert "+encours-" not in msg.as_string()
    bounce = classify(msg)
    assert bounce is not None and bounce.token == "1122334455667788aabbccdd"


def test_a_reply_that_quotes_an_address_is_not_a_bounce() -> None:
    msg = EmailMessage()
    msg["From"] = "Jeanne Roux <j.roux@quincaillerie-roux.example>"
    msg["To"] = "relances@verdier.example"
    msg["Subject"] = "RE: Relance : facture F-2026-0501 en retard"
    msg.set_content("Bonjour, écrivez plutôt à compta@quincaillerie-roux.example, merci.\n")
    assert classify(msg) is None
