"""Sending the queue to a real SMTP server (aiosmtpd, the embedded one)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest

from core.formatting import PARIS
from core.mail import smtp as smtp_module
from core.mail.local_server import serving
from core.mail.received import received_messages
from core.mail.smtp import SmtpServer
from core.reminders import sending
from core.reminders.queue import Composed, QueueItem, read_item
from core.reminders.sending import INTERRUPTED, maildir_archive, send_ready, store_last_sync, store_recheck
from core.store import operations
from core.store.paths import StorePaths
from tests.core.reminders.test_queue import NOW, SETTINGS, due, line, put
from tests.support.mail import MAIL_FROM, smtp_server
from tests.support.processes import free_port
from tests.support.reminder_crash import NOW as CRASH_NOW
from tests.support.reminder_crash import queued_store


@pytest.fixture
def paths(tmp_path: Path) -> StorePaths:
    return StorePaths(tmp_path / "data").ensure()


def fresh(entity_id: str) -> datetime:
    return NOW - timedelta(minutes=10)


def open_amounts(entity_id: str, invoice_ids: tuple[int, ...]) -> dict[int, Decimal | None]:
    return {i: Decimal("100.00") for i in invoice_ids}


def run(paths: StorePaths, server: SmtpServer, **kw) -> sending.SendReport:
    options = {"recheck": open_amounts, "last_sync": fresh, "settings": SETTINGS, **kw}
    return send_ready(paths, now=NOW, server=server, mail_from=MAIL_FROM, **options)


def state(paths: StorePaths, q: int) -> QueueItem:
    with operations.session(paths) as con:
        found = read_item(con, q)
    assert found is not None
    return found


def level_states(paths: StorePaths) -> list[str]:
    with operations.session(paths) as con:
        return [r[0] for r in con.execute("SELECT state FROM reminder_invoice_levels ORDER BY invoice_id")]


def test_ready_messages_arrive_once_with_a_verp_return_path(paths, tmp_path):
    [q1, q2] = put(paths, due(1, line(1)), due(2, line(2))).queued
    with smtp_server(tmp_path / "maildir") as smtp:
        report = run(paths, smtp.server)
        assert sorted(report.sent) == [q1, q2]
        received = smtp.received()
        assert run(paths, smtp.server).sent == []  # a second run sends nothing
        assert len(smtp.received()) == 2
    assert {m.subject for m in received} == {"Relance F-1", "Relance F-2"}
    with operations.session(paths) as con:
        rows = con.execute("SELECT kind, state, envelope_from, header_message_id FROM messages ORDER BY message_id")
        kinds = rows.fetchall()
    assert all(k[0] == "automatic" and k[1] == "sent" and "+encours-" in k[2] for k in kinds)
    assert {m.message_id for m in received} == {k[3] for k in kinds}
    assert level_states(paths) == ["sent", "sent"]


def test_paid_between_queueing_and_sending_is_cancelled_and_its_level_freed(paths, tmp_path):
    [q] = put(paths, due(1, line(1))).queued
    with smtp_server(tmp_path / "maildir") as smtp:
        report = run(paths, smtp.server, recheck=lambda e, ids: {i: None for i in ids})
        assert smtp.received() == []
    assert report.cancelled and state(paths, q).state == "cancelled"
    assert "Plus aucune facture" in (state(paths, q).reason or "")
    assert level_states(paths) == ["released"]


def test_a_partial_payment_lowers_the_amount_sent(paths, tmp_path):
    [q] = put(paths, due(1, line(1, "100.00"), line(2, "50.00"))).queued

    def recompose(item: QueueItem) -> Composed:
        return Composed(f"Relance {item.total_due}", f"Reste dû : {item.total_due} €", item.to, item.cc)

    with smtp_server(tmp_path / "maildir") as smtp:
        run(paths, smtp.server, recheck=lambda e, ids: {1: Decimal("40.00"), 2: None}, recompose=recompose)
        [received] = smtp.received()
    assert "Reste dû : 40.00 €" in received.body
    assert [(i.invoice_id, i.amount_due) for i in state(paths, q).invoices] == [(1, Decimal("40.00"))]
    assert level_states(paths) == ["sent", "released"]


def test_without_a_renderer_changed_amounts_cancel_for_the_engine_to_redo(paths, tmp_path):
    [q] = put(paths, due(1, line(1, "100.00"))).queued
    with smtp_server(tmp_path / "maildir") as smtp:
        run(paths, smtp.server, recheck=lambda e, ids: {1: Decimal("40.00")})
        assert smtp.received() == []
    assert state(paths, q).state == "cancelled" and level_states(paths) == ["released"]


def test_stale_data_waits_and_says_why(paths, tmp_path):
    [q] = put(paths, due(1, line(1))).queued
    with smtp_server(tmp_path / "maildir") as smtp:
        report = run(paths, smtp.server, last_sync=lambda e: NOW - timedelta(hours=5))
        assert smtp.received() == []
    assert state(paths, q).state == "ready"
    assert report.waiting[q] == "Dernière synchronisation Pennylane de alpha il y a 5 h : envoi suspendu."


def test_invalid_addresses_are_dropped_and_none_left_fails(paths, tmp_path):
    [q1, q2] = put(paths, due(1, line(1)), due(2, line(2))).queued
    with operations.session(paths) as con, operations.transaction(con):
        con.execute("UPDATE reminder_queue SET cc_addresses = '[\"ok@ex.example\"]' WHERE queue_id = ?", (q1,))
        con.executemany(
            "INSERT INTO invalid_addresses (address, reason, detected_at) VALUES (?, '5.1.1', ?)",
            [("CLIENT1@ex.example", NOW.isoformat()), ("client2@ex.example", NOW.isoformat())],
        )
    with smtp_server(tmp_path / "maildir") as smtp:
        report = run(paths, smtp.server)
        [received] = smtp.received()
    assert received.to == "ok@ex.example" and report.sent == [q1]
    assert state(paths, q2).state == "failed" and "aucune adresse valide" in (state(paths, q2).reason or "")


def test_server_down_leaves_rows_ready_for_the_next_run(paths):
    [q1, q2] = put(paths, due(1, line(1)), due(2, line(2))).queued
    report = run(paths, SmtpServer("127.0.0.1", free_port(), timeout_s=2))
    assert state(paths, q1).state == "ready" and state(paths, q2).state == "ready"
    assert "ne répond pas" in report.waiting[q1] and "prochain passage" in (state(paths, q1).reason or "")
    assert level_states(paths) == ["queued", "queued"]


def test_refused_by_the_server_fails_and_frees_the_level(paths, tmp_path):
    [q] = put(paths, due(1, line(1))).queued
    with smtp_server(tmp_path / "maildir", refused=["client1@ex.example"]) as smtp:
        report = run(paths, smtp.server)
    assert state(paths, q).state == "failed" and "550" in report.failed[q]
    assert level_states(paths) == ["released"]


def test_a_stop_request_finishes_the_message_in_flight_and_sends_no_more(paths, tmp_path):
    put(paths, *(due(c, line(c)) for c in range(1, 6)))
    stop = threading.Event()
    with smtp_server(tmp_path / "maildir") as smtp:
        # the stop request comes while the first message is being recorded and sent
        report = run(paths, smtp.server, stop=stop, clock=lambda: (stop.set(), NOW)[1])
        assert len(smtp.received()) == 1  # the one already started
    assert report.stopped and len(report.sent) == 1


def test_outside_the_window_nothing_leaves(paths, tmp_path):
    put(paths, due(1, line(1)))
    with smtp_server(tmp_path / "maildir") as smtp:
        report = send_ready(paths, now=datetime(2026, 12, 7, 18, 0, tzinfo=PARIS), server=smtp.server,
                            recheck=open_amounts, last_sync=fresh, mail_from=MAIL_FROM, settings=SETTINGS)  # fmt: skip
        assert smtp.received() == [] and report.outside_window


def _crash_after_recording(paths: StorePaths, server: SmtpServer) -> tuple[int, str]:
    """A run that dies after writing `sending`, before the SMTP conversation."""
    [q] = put(paths, due(1, line(1))).queued

    def die(*args, **kwargs):
        raise KeyboardInterrupt

    original = sending._converse
    sending._converse = die  # type: ignore[assignment]
    try:
        with pytest.raises(KeyboardInterrupt):
            run(paths, server)
    finally:
        sending._converse = original  # type: ignore[assignment]
    item = state(paths, q)
    assert item.state == "sending"
    with operations.session(paths) as con:
        header = con.execute("SELECT header_message_id FROM messages WHERE message_id = ?", (item.message_id,))
        return q, header.fetchone()[0]


def test_after_a_crash_an_undelivered_message_is_resent_with_the_same_message_id(paths, tmp_path):
    with smtp_server(tmp_path / "maildir") as smtp:
        q, header = _crash_after_recording(paths, smtp.server)
        report = run(paths, smtp.server, delivered=maildir_archive(smtp.maildir))
        [received] = smtp.received()
        assert run(paths, smtp.server, delivered=maildir_archive(smtp.maildir)).sent == []
    assert report.resent == [q] and received.message_id == header and state(paths, q).state == "sent"


def test_after_a_crash_a_delivered_message_is_only_marked_sent(paths, tmp_path):
    with smtp_server(tmp_path / "maildir") as smtp:
        q, header = _crash_after_recording(paths, smtp.server)
        report = run(paths, smtp.server, delivered=lambda mid: mid == header)
        assert smtp.received() == []
    assert report.recovered == [q] and state(paths, q).state == "sent" and level_states(paths) == ["sent"]


def test_after_a_crash_without_an_archive_nothing_is_resent_blind(paths, tmp_path):
    with smtp_server(tmp_path / "maildir") as smtp:
        q, _ = _crash_after_recording(paths, smtp.server)
        report = run(paths, smtp.server)
        assert smtp.received() == []
    assert report.failed[q] == INTERRUPTED and state(paths, q).state == "failed"
    assert level_states(paths) == ["queued"]  # not freed: a person checks first


def test_a_payment_arriving_during_the_run_stops_the_later_batches_messages(paths, tmp_path):
    """The re-check is read per batch, just before it is sent: a payment recorded while the first
    batch goes out still stops a message of the second one."""
    count = sending.RECHECK_BATCH + 5
    queued = put(paths, *(due(c, line(c)) for c in range(1, count + 1))).queued
    paid_late = count  # in the second batch
    reads: list[tuple[int, ...]] = []

    def recheck(entity_id: str, ids: tuple[int, ...]) -> dict[int, Decimal | None]:
        reads.append(ids)
        paid = len(reads) > 1  # paid once the first batch was read
        return {i: None if paid and i == paid_late else Decimal("100.00") for i in ids}

    with smtp_server(tmp_path / "maildir") as smtp:
        report = run(paths, smtp.server, recheck=recheck, settings=replace(SETTINGS, send_batch_size=500))
        received = smtp.received()
    assert len(received) == count - 1 and f"Relance F-{paid_late}" not in {m.subject for m in received}
    assert state(paths, queued[-1]).state == "cancelled" and report.cancelled.keys() == {queued[-1]}
    assert [len(ids) for ids in reads] == [sending.RECHECK_BATCH, 5]  # one read per batch, not per message


def test_an_invoice_disputed_after_queueing_is_not_sent_with_the_stores_recheck(tmp_path):
    """The job's re-check (published store + collectors' follow-ups), for real."""
    paths = queued_store(tmp_path, 3, customers=3)
    with operations.session(paths) as con, operations.transaction(con):
        con.execute(
            "INSERT INTO invoice_followups (entity_id, invoice_id, internal_status, updated_at) VALUES (?, ?, ?, ?)",
            ("alpha", 1001, "disputed", CRASH_NOW.isoformat()),
        )
    with smtp_server(tmp_path / "maildir") as smtp:
        report = send_ready(paths, now=CRASH_NOW, server=smtp.server, mail_from=MAIL_FROM,
                            recheck=store_recheck(paths, today=CRASH_NOW.date()), last_sync=store_last_sync(paths))  # fmt: skip
        received = smtp.received()
    assert sorted(m.subject for m in received) == ["Relance facture F-1000", "Relance facture F-1002"]
    assert len(report.sent) == 2 and len(report.cancelled) == 1


def test_a_batch_goes_over_one_smtp_connection(paths, tmp_path, monkeypatch):
    put(paths, *(due(c, line(c)) for c in range(1, 6)))
    opened: list[object] = []
    real_open = smtp_module._open
    monkeypatch.setattr(smtp_module, "_open", lambda server: opened.append(server) or real_open(server))
    with smtp_server(tmp_path / "maildir") as smtp:
        report = run(paths, smtp.server)
        assert len(smtp.received()) == 5
    assert len(report.sent) == 5 and len(opened) == 1


def test_a_batch_connection_dropped_by_the_server_is_opened_again(tmp_path):
    """Between two messages of a batch the server went away and came back: the next one still leaves."""
    port = free_port()
    maildir = tmp_path / "maildir"
    message = plain_message("first")
    with smtp_module.connection(SmtpServer("127.0.0.1", port, timeout_s=5)) as conn:
        with serving(maildir, port=port):
            conn.send(message, envelope_from=MAIL_FROM, recipients=["a@ex.example"])
        with serving(maildir, port=port):
            conn.send(plain_message("second"), envelope_from=MAIL_FROM, recipients=["a@ex.example"])
    assert sorted(m.subject for m in received_messages(maildir)) == ["first", "second"]


def plain_message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = MAIL_FROM, "a@ex.example", subject
    message.set_content("Bonjour")
    return message
