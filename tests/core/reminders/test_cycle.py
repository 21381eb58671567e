"""The scheduler's reminders pass end to end: a published store, the default plans, the embedded
SMTP server (which plays bounces for `@rebond.example`), a pinned clock."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from core.collections.messages import customer_messages
from core.config import MailSettings, Settings
from core.formatting import PARIS
from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.mail.local_server import bounces_maildir, serving
from core.mail.received import received_messages
from core.reminders.cycle import run_cycle
from core.reminders.letter_data import letter_for_queue_row
from core.reminders.letters import letter_pdf
from core.scope import Scope, everything
from core.store import operations
from core.store.paths import StorePaths
from tests.support import records as r
from tests.support.processes import free_port
from tests.support.stores import NOW, ORGANISATION

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)  # in the default window (Mon–Fri, 09:00–17:00)
SATURDAY = datetime(2026, 11, 21, 10, 0, tzinfo=PARIS)


def book(tmp_path: Path, *, emails: str = "compta1@client.example") -> StorePaths:
    """Customer 1 owes 20 € on an invoice due 01/10/2026 (partly paid); customer 3's invoice is not due."""
    return published(
        tmp_path,
        customers=[
            r.customer(1, emails=[emails]),
            r.customer(2, name="Transports Morel"),
            r.customer(3, name="Garage Petit"),
        ],
        invoices=[
            r.invoice(10, 1, "120.00", remaining="20.00", status="partially_paid"),
            r.invoice(13, 3, "30.00", deadline="2026-12-30"),
        ],
        lines=[
            r.line(100, account=9001, entry=50010, date="2026-09-01", debit="120.00", lettered=[100, 101]),
            r.line(101, account=9001, entry=7001, date="2026-10-15", credit="100.00", lettered=[100, 101]),
        ],
    )


def published(tmp_path: Path, *, customers: list, invoices: list, lines: list) -> StorePaths:
    """A store where entity alpha holds these records, published, with the test organisation."""
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    entity = r.write_entity(tmp_path / "source", "alpha", customers=customers, invoices=invoices, lines=lines)
    publish_batches(paths, [batch_from_directory(entity, "alpha", "Alpha SAS")], now=NOW, source="files")
    return paths


def synced(paths: StorePaths, at: datetime) -> None:
    with operations.session(paths) as ops, operations.transaction(ops, revision=False):
        ops.execute(
            "INSERT INTO sync_runs (entity_id, started_at, finished_at, mode, status) VALUES ('alpha', ?, ?, 'incremental', 'success')",
            ((at - timedelta(minutes=2)).isoformat(), at.isoformat()),
        )


@contextmanager
def embedded(paths: StorePaths) -> Iterator[Settings]:
    port = free_port()
    with serving(paths.maildir, port=port, bounces=bounces_maildir(paths.data_dir), clock=lambda: MONDAY):
        yield Settings(data_dir=paths.data_dir, mail=MailSettings(smtp_port=port))


def queue_rows(paths: StorePaths) -> list[tuple]:
    with operations.session(paths) as ops:
        return ops.execute(
            "SELECT customer_id, code, channel, state, dry_run, total_due FROM reminder_queue ORDER BY queue_id"
        ).fetchall()


def test_a_pass_sends_the_due_reminder_once_for_the_balance_and_nothing_more_the_next_time(tmp_path):
    paths = book(tmp_path)
    synced(paths, MONDAY - timedelta(minutes=5))
    with embedded(paths) as settings:
        first = run_cycle(paths, settings, now=MONDAY)
        second = run_cycle(paths, settings, now=MONDAY + timedelta(minutes=15))
        received = received_messages(paths.maildir)
    assert first.sent is not None and len(first.sent.sent) == 1
    assert second.sent is not None and second.sent.sent == [] and second.queued and second.queued.queued == ()
    (message,) = received
    assert message.to == "compta1@client.example"
    assert "F-2026-000010" in message.subject and "20,00\u00a0€" in message.body
    assert queue_rows(paths) == [(1, "reminder_3", "email", "sent", 0, "20.00")]  # 53 days late, under the 50 € notice


def test_on_a_saturday_it_is_queued_and_leaves_when_the_window_opens_on_monday(tmp_path):
    paths = book(tmp_path)
    synced(paths, SATURDAY)
    with embedded(paths) as settings:
        weekend = run_cycle(paths, settings, now=SATURDAY)
        assert received_messages(paths.maildir) == []
        synced(paths, MONDAY.replace(hour=9, minute=1))
        monday = run_cycle(paths, settings, now=MONDAY.replace(hour=9, minute=5))
        assert len(received_messages(paths.maildir)) == 1
    assert (
        weekend.sent is not None and weekend.sent.outside_window and weekend.queued and len(weekend.queued.queued) == 1
    )
    assert monday.sent is not None and len(monday.sent.sent) == 1 and monday.queued and monday.queued.queued == ()


def test_stale_data_keeps_the_reminder_waiting_and_says_why(tmp_path):
    paths = book(tmp_path)
    synced(paths, MONDAY - timedelta(hours=3))
    with embedded(paths) as settings:
        report = run_cycle(paths, settings, now=MONDAY)
        assert received_messages(paths.maildir) == []
    assert report.sent is not None and report.sent.waiting
    (reason,) = report.sent.waiting.values()
    assert "synchronisation" in reason.lower()
    assert queue_rows(paths)[0][3] == "ready"


def test_a_dry_run_queues_what_would_leave_marked_as_such_sends_nothing_and_blocks_nothing(tmp_path):
    paths = book(tmp_path)
    synced(paths, MONDAY - timedelta(minutes=5))
    with embedded(paths) as settings:
        run_cycle(paths, settings, now=MONDAY, dry_run=True)
        run_cycle(paths, settings, now=MONDAY, dry_run=True)  # replaces the previous dry run's rows
        assert received_messages(paths.maildir) == []
        assert [row[3:5] for row in queue_rows(paths)] == [("ready", 1)]
        real = run_cycle(paths, settings, now=MONDAY)
        assert len(received_messages(paths.maildir)) == 1
    assert real.sent is not None and len(real.sent.sent) == 1


def test_a_bounce_comes_back_and_the_next_pass_marks_the_address_and_prepares_a_letter(tmp_path):
    paths = book(tmp_path, emails="boulangerie@rebond.example")
    synced(paths, MONDAY - timedelta(minutes=5))
    with embedded(paths) as settings:
        run_cycle(paths, settings, now=MONDAY)
        later = run_cycle(paths, settings, now=MONDAY + timedelta(minutes=15))
    assert later.followup is not None and later.followup.kinds.get("hard_bounce") == 1
    assert later.followup.invalid_addresses == ("boulangerie@rebond.example",)
    rows = queue_rows(paths)
    assert [(row[2], row[3]) for row in rows] == [("email", "sent"), ("letter", "to_print")]
    with operations.session(paths) as ops:
        (status,) = ops.execute("SELECT delivery_status FROM messages").fetchone()
    assert status == "bounced"
    (entry,) = customer_messages(paths, everything(), "alpha", 1)  # the customer's history says so
    assert "rejeté : adresse invalide" in entry.title and "Relance automatique · envoyé" in entry.detail
    (letter_id,) = later.followup.letters  # the printable letter, with the invoice it is about
    pdf = tmp_path / "courrier.pdf"
    letter_pdf(letter_for_queue_row(paths, letter_id, now=MONDAY), pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "F-2026-000010" in text and "20,00" in text and "Boulangerie Lefèvre" in text


def test_a_customer_without_any_valid_address_gets_a_letter_to_print_not_a_failed_email(tmp_path):
    paths = book(tmp_path, emails="compta@")  # as some ledgers hold them
    synced(paths, MONDAY - timedelta(minutes=5))
    with embedded(paths) as settings:
        first = run_cycle(paths, settings, now=MONDAY)
        again = run_cycle(paths, settings, now=MONDAY + timedelta(minutes=15))
        assert received_messages(paths.maildir) == []
    assert first.sent is not None and not first.sent.failed and again.queued and again.queued.queued == ()
    assert [(row[1], row[2], row[3]) for row in queue_rows(paths)] == [("reminder_3", "letter", "to_print")]


def test_a_formal_notice_without_its_ecb_rate_is_held_shown_with_its_reason_then_sent_once_the_rate_is_set(tmp_path):
    from core.reminders.screens import held_customers, set_rate

    paths = published(
        tmp_path,
        customers=[r.customer(1, name="Boulangerie Martin", emails=["compta1@client.example"])],
        invoices=[r.invoice(10, 1, "120.00")],  # due 01/10/2026, 53 days late: the formal notice is due
        lines=[],
    )
    synced(paths, MONDAY - timedelta(minutes=5))
    admin = everything("admin@verdier.example")
    with embedded(paths) as settings:
        held = run_cycle(paths, settings, now=MONDAY)
        (shown,) = held_customers(paths, admin, today=MONDAY.date())
        elsewhere = Scope(email="compta@verdier.example", role=admin.role, customers=frozenset({("alpha", 2)}))
        assert held_customers(paths, elsewhere, today=MONDAY.date()) == []  # another portfolio's hold is not shown
        again = run_cycle(paths, settings, now=MONDAY + timedelta(minutes=15))
        assert held_customers(paths, admin, today=MONDAY.date())[0].since == shown.since  # first held, kept
        assert received_messages(paths.maildir) == [] and queue_rows(paths) == []
        set_rate(paths, admin, datetime(2026, 7, 1).date(), "2,15", source="BCE", now=MONDAY)
        run_cycle(paths, settings, now=MONDAY + timedelta(minutes=30))
    assert list(held.held.values()) == list(again.held.values()) and "2026" in shown.reason
    assert (shown.customer, shown.since) == ("Boulangerie Martin", MONDAY)
    assert held_customers(paths, admin, today=MONDAY.date()) == []
    assert [(row[1], row[5]) for row in queue_rows(paths)] == [("formal_notice", "120.00")]
