"""Out-of-office replies (Outlook in French, Gmail in English, plain servers) are recognised,
with the date the person says they are back when they give one; a person's answer and a bounce
are not taken for one."""

from __future__ import annotations

import email
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from core.mail.autoreplies import classify_auto_reply, first_date, is_human_reply, return_date

SAMPLES = Path(__file__).parent / "samples"
OUR_ID = "<179663412543.2211.5512.encours-3f2a9c0d4b5e6f708192a3b4@verdier.example>"


def sample(name: str) -> EmailMessage:
    msg = email.message_from_bytes((SAMPLES / name).read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def reply(
    subject: str, body: str, *, date_header: str = "Mon, 07 Dec 2026 10:00:00 +0100", **headers: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Paul Girard <p.girard@transports-girard.example>"
    msg["To"] = "relances@verdier.example"
    msg["Subject"] = subject
    msg["Date"] = date_header
    msg["In-Reply-To"] = OUR_ID
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def test_outlook_french_absence_with_its_return_date_and_reminder() -> None:
    away = classify_auto_reply(sample("outlook_fr_absence.eml"))
    assert away is not None
    assert away.address == "s.lefevre@fournil-dupont.example"
    assert away.return_date == date(2027, 1, 4)
    assert away.token == "3f2a9c0d4b5e6f708192a3b4"
    assert away.detail == "Réponse automatique d'absence : de retour le 04/01/2027."


def test_gmail_english_vacation_without_a_year_is_back_next_january() -> None:
    away = classify_auto_reply(sample("gmail_en_vacation.eml"))
    assert away is not None
    assert away.return_date == date(2027, 1, 12)
    assert away.token == "0a1b2c3d4e5f60718293a4b5"


def test_outlook_fr_subject_with_a_no_break_space_is_enough() -> None:
    for space in ("\u00a0", "\u202f"):
        msg = reply(f"Réponse automatique{space}: Relance", "Je suis en congés, de retour le 12/01/2027.")
        away = classify_auto_reply(msg)
        assert away is not None and away.return_date == date(2027, 1, 12)


def test_french_absence_without_a_return_date() -> None:
    msg = reply("Absent(e) du bureau", "Bonjour, je suis actuellement absent. Je vous répondrai dès que possible.")
    away = classify_auto_reply(msg)
    assert away is not None
    assert away.return_date is None
    assert away.detail == "Réponse automatique d'absence (sans date de retour)."


def test_english_headers_only_without_a_return_date() -> None:
    msg = reply("Re: Reminder", "I am away with no access to email.", Auto_Submitted="auto-replied")
    away = classify_auto_reply(msg)
    assert away is not None and away.return_date is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je suis absent du 21 décembre au 3 janvier 2027 inclus.", date(2027, 1, 3)),
        ("Je serai de retour le mardi 12 janvier.", date(2027, 1, 12)),
        ("Retour prévu le 15/12.", date(2026, 12, 15)),
        ("En congés jusqu'au 1er février 2027.", date(2027, 2, 1)),
        ("I will be out of the office until January 12, 2027.", date(2027, 1, 12)),
        ("I am returning on Monday 4th January.", date(2027, 1, 4)),
        ("Back on 12 Jan.", date(2027, 1, 12)),
        ("Je suis en congés. Merci de votre message.", None),
    ],
)
def test_return_dates_in_french_and_english(text: str, expected: date | None) -> None:
    assert return_date(text, date(2026, 12, 7)) == expected


def test_a_date_without_a_year_is_the_next_one_not_the_past_one() -> None:
    assert first_date("12 Jan", date(2026, 12, 7)) == date(2027, 1, 12)
    assert first_date("12 décembre", date(2026, 12, 7)) == date(2026, 12, 12)
    assert first_date("12/01/27", date(2026, 12, 7)) == date(2027, 1, 12)


def test_a_person_answering_is_a_reply_not_an_auto_reply() -> None:
    msg = reply("RE: Relance : facture F-2026-0460", "Bonjour, le virement part demain. Cordialement.")
    assert classify_auto_reply(msg) is None
    assert is_human_reply(msg)


def test_a_bounce_is_neither_an_auto_reply_nor_a_reply() -> None:
    bounce = sample("dsn_5_1_1_unknown_user.eml")
    assert classify_auto_reply(bounce) is None
    assert not is_human_reply(bounce)
    assert not is_human_reply(sample("outlook_fr_absence.eml"))
