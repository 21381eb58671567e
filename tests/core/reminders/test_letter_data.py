"""The letter of a queued reminder, read from a real operational store and a published snapshot
(tests.support.cash_book): the queued subject, body, language and balances, the customer and
entity names from the snapshot, the invoices' numbers and dates, registered for a formal notice."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from decimal import Decimal

import pytest

from core import formatting
from core.reminders import penalties
from core.reminders.letter_data import QueueRowNotFound, letter_for_queue_row
from core.reminders.letters import LEGAL_MENTION, PenaltyBlock, letter_pdf
from core.store import operations
from tests.support.cash_book import cash_book_store

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=formatting.PARIS)
STAMP = "2026-12-07T09:00:00+01:00"
BODY = "Madame, Monsieur,\n\nLes factures ci-dessous restent impayées.\n\nCordialement,"


def _queue(paths, *, code: str, tone: str, channel: str, language: str, lines: list[tuple[int, str, int]]) -> int:
    """A plan level and one queued reminder for customer 2 (Transports Morel), as the queue writes it."""
    with operations.session(paths) as ops, operations.transaction(ops):
        ops.execute(
            "INSERT OR IGNORE INTO reminder_plans (plan_id, label, language, updated_at) VALUES ('fr', 'Clients français', 'fr', ?)",
            (STAMP,),
        )
        ops.execute(
            "INSERT OR IGNORE INTO reminder_plan_levels (plan_id, position, code, label, anchor, offset_days, channel, tone, "
            "penalty_block, payment_deadline_days) VALUES ('fr', ?, ?, ?, 'due_date', 30, ?, ?, ?, 15)",
            (3 if tone == "formal_notice" else 1, code, code, channel, tone, int(tone == "formal_notice")),
        )
        total = sum((Decimal(amount) for _, amount, _ in lines), Decimal(0))
        cursor = ops.execute(
            "INSERT INTO reminder_queue (entity_id, customer_id, plan_id, code, channel, language, state, scheduled_for, "
            "subject, body, to_addresses, total_due, created_at, updated_at) "
            "VALUES ('alpha', 2, 'fr', ?, ?, ?, 'to_print', ?, ?, ?, '[\"compta2@client.example\"]', ?, ?, ?)",
            (code, channel, language, STAMP, f"Relance {code}", BODY, str(total), STAMP, STAMP),
        )
        queue_id = int(cursor.lastrowid or 0)
        for invoice_id, amount, days in lines:
            ops.execute(
                "INSERT INTO reminder_queue_invoices (queue_id, entity_id, invoice_id, code, amount_due, days_late) "
                "VALUES (?, 'alpha', ?, ?, ?, ?)",
                (queue_id, invoice_id, code, amount, days),
            )
    return queue_id


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return cash_book_store(tmp_path_factory.mktemp("letters"))


def test_a_formal_notice_letter_carries_the_queued_reminder_and_the_snapshot_facts(paths):
    queue_id = _queue(
        paths, code="formal_notice", tone="formal_notice", channel="letter", language="fr",
        lines=[(105, "800.00", 17), (103, "300.00", 43)],
    )  # fmt: skip
    letter = letter_for_queue_row(paths, queue_id, now=NOW, sender_address=("12 avenue de la République", "69002 Lyon"))
    assert letter.sender.name == "Alpha SAS"
    assert letter.sender.address_lines == ("12 avenue de la République", "69002 Lyon")
    assert letter.recipient.name == "Transports Morel"
    assert letter.recipient.address_lines == ("1 rue de la Paix", "75002 PARIS")  # Pennylane's billing address
    assert letter.registered
    assert (letter.language, letter.subject, letter.body) == ("fr", "Relance formal_notice", BODY)
    assert letter.date == date(2026, 12, 7)
    assert letter.reference == f"REL-{queue_id:06d}"
    assert [(i.number, i.issue_date, i.due_date, i.amount, i.amount_due, i.days_late) for i in letter.invoices] == [
        ("F-2026-000103", date(2026, 10, 20), date(2026, 10, 25), Decimal("500.00"), Decimal("300.00"), 43),
        ("F-2026-000105", date(2026, 11, 1), date(2026, 11, 20), Decimal("800.00"), Decimal("800.00"), 17),
    ]  # oldest due first; the balance is the queued one (a partial payment and a credit note on 103)
    assert letter.total_due == Decimal("1100.00")


def test_a_formal_notice_letter_claims_the_penalties_as_of_the_day_it_was_queued(paths):
    with operations.session(paths) as ops:
        penalties.seed_rates(ops, [(date(2026, 7, 1), "2.15", "test")], NOW)
    queue_id = _queue(
        paths, code="formal_notice", tone="formal_notice", channel="letter", language="fr",
        lines=[(105, "800.00", 17), (103, "300.00", 43)],
    )  # fmt: skip
    letter = letter_for_queue_row(paths, queue_id, now=NOW.replace(day=10))  # printed three days after
    assert letter.penalty is not None
    # 12,15 % a year (2,15 + 10 points) from the day after the due date to 07/12, the day it was queued
    assert letter.penalty.lines == (
        ("Pénalités de retard, facture F-2026-000103 (43 j de retard)", Decimal("4.29")),  # 300 € × 43 days
        ("Pénalités de retard, facture F-2026-000105 (17 j de retard)", Decimal("4.53")),  # 800 € × 17 days
        ("Indemnités forfaitaires de recouvrement : 2 × 40 €", Decimal("80")),  # a company: D441-5
    )
    assert letter.penalty.payment_deadline == date(2026, 12, 22)  # the level's 15 days from 07/12
    assert letter.total_claimed == Decimal("1188.82")
    assert letter.date == date(2026, 12, 10)


def test_a_bounced_email_becomes_a_plain_letter_in_the_reminders_language(paths):
    queue_id = _queue(
        paths, code="reminder_1", tone="friendly", channel="email", language="en", lines=[(105, "800.00", 17)]
    )
    letter = letter_for_queue_row(paths, queue_id, now=NOW)
    assert not letter.registered and letter.language == "en"
    assert [i.number for i in letter.invoices] == ["F-2026-000105"]


def test_the_letter_prints_with_a_penalty_block_passed_in(paths, tmp_path):
    queue_id = _queue(
        paths, code="formal_notice", tone="formal_notice", channel="letter", language="fr", lines=[(103, "300.00", 43)]
    )
    penalty = PenaltyBlock(
        (("Indemnité forfaitaire de recouvrement", Decimal("40")),), date(2026, 12, 22), LEGAL_MENTION["fr"]
    )
    letter = letter_for_queue_row(paths, queue_id, now=NOW, penalty=penalty, place="Lyon")
    out = tmp_path / "letter.pdf"
    assert letter_pdf(letter, out) == 1
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True, text=True).stdout
    text = text.replace("\u00a0", " ")
    for words in (
        "Alpha SAS",
        "Transports Morel",
        "1 rue de la Paix",
        "75002 PARIS",
        "Lyon, le 07/12/2026",
        "F-2026-000103",
        "340,00 €",
        "L441-10",
    ):
        assert words in text, words


def test_an_unknown_queue_row_is_refused(paths):
    with pytest.raises(QueueRowNotFound):
        letter_for_queue_row(paths, 424242, now=NOW)


def test_a_letter_carries_its_entity_s_letterhead_and_an_admin_s_is_never_replaced_by_a_seed(paths):
    from core.reminders.letterheads import Letterhead, load_letterheads, save_letterhead, seed_letterheads

    entered = Letterhead("alpha", ("3 place Bellecour", "69002 LYON"), "Lyon", "Tél. 04 72 00 00 00")
    with operations.session(paths) as ops:
        save_letterhead(ops, entered, by="admin@verdier.example", now=NOW)
        seed_letterheads(ops, (Letterhead("alpha", ("ailleurs",), "Paris", ""),), now=NOW)
        assert load_letterheads(ops)["alpha"] == entered
    queue_id = _queue(
        paths, code="reminder_1", tone="friendly", channel="letter", language="fr", lines=[(105, "800.00", 17)]
    )
    letter = letter_for_queue_row(paths, queue_id, now=NOW)
    assert letter.sender.address_lines == ("3 place Bellecour", "69002 LYON")
    assert (letter.place, letter.sender.contact) == ("Lyon", "Tél. 04 72 00 00 00")
