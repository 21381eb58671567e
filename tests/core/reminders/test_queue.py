"""The queue: levels given once, concurrent runs, a person's decisions (roles, scope, versions), dry run."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from core.access.permissions import Forbidden
from core.collections.errors import NotInScope
from core.formatting import PARIS
from core.reminders import queue
from core.reminders.model import DueReminder, ReminderLine
from core.reminders.queue import Composed, QueueError, StaleQueueItem
from core.reminders.settings import ReminderSettings
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)  # Monday, inside the window
SETTINGS = ReminderSettings()
COLLECTOR = Scope(email="compta@verdier.example", role="accounting", full_name="Claire Compta")
REP = Scope(email="rep@verdier.example", role="sales_rep", customers=frozenset({("alpha", 2)}))
MANAGER = Scope(email="dg@verdier.example", role="management")


def line(invoice_id: int, amount: str = "100.00", code: str = "reminder_1") -> ReminderLine:
    return ReminderLine("alpha", invoice_id, f"F-{invoice_id}", code, "", Decimal(amount), date(2026, 11, 1), 36)


def due(customer_id: int, *lines: ReminderLine, validation: bool = False, channel: str = "email",
        since: datetime = NOW) -> DueReminder:  # fmt: skip
    return DueReminder(
        entity_id="alpha", customer_id=customer_id, plan_id="fr", code=lines[0].code, position=2, channel=channel,
        language="fr", needs_validation=validation, cc_account_manager=False, penalty_block=False, lines=lines,
        total_due=sum((x.amount_due for x in lines), Decimal(0)), due_since=since,
    )  # fmt: skip


def compose(reminder: DueReminder) -> Composed:
    listed = ", ".join(f"F-{x.invoice_id}" for x in reminder.lines)
    return Composed(
        f"Relance {listed}", f"Total : {reminder.total_due} €", (f"client{reminder.customer_id}@ex.example",)
    )


@pytest.fixture
def paths(tmp_path: Path) -> StorePaths:
    return StorePaths(tmp_path / "data").ensure()


def put(paths: StorePaths, *reminders: DueReminder, dry_run: bool = False, now: datetime = NOW) -> queue.QueueReport:
    with operations.session(paths) as con:
        return queue.queue_due(con, reminders, compose=compose, settings=SETTINGS, now=now, dry_run=dry_run)


def levels(paths: StorePaths) -> list[tuple]:
    with operations.session(paths) as con:
        return con.execute("SELECT invoice_id, code, state FROM reminder_invoice_levels ORDER BY invoice_id").fetchall()


def item(paths: StorePaths, queue_id: int) -> queue.QueueItem:
    with operations.session(paths) as con:
        found = queue.read_item(con, queue_id)
    assert found is not None
    return found


def test_a_level_is_never_queued_twice_for_an_invoice(paths):
    first = put(paths, due(1, line(10), line(11)))
    second = put(paths, due(1, line(10), line(12)))  # the next run still sees 10 due
    assert len(first.queued) == 1 and len(second.queued) == 1
    assert second.dropped_lines == 1
    again = item(paths, second.queued[0])
    assert [i.invoice_id for i in again.invoices] == [12]
    assert again.subject == "Relance F-12" and again.total_due == Decimal("100.00")  # rendered for what is left
    assert put(paths, due(1, line(10))).empty == 1  # nothing left: no message
    assert levels(paths) == [(10, "reminder_1", "queued"), (11, "reminder_1", "queued"), (12, "reminder_1", "queued")]


def test_concurrent_runs_give_each_level_once(paths):
    batch = [due(c, line(100 + c)) for c in range(1, 21)]
    barrier = threading.Barrier(4)
    reports: list[queue.QueueReport] = []

    def run() -> None:
        barrier.wait()
        reports.append(put(paths, *batch))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r.queued) for r in reports) == 20
    assert len(levels(paths)) == 20


def test_state_and_window_at_queueing(paths):
    saturday = datetime(2026, 12, 12, 11, 0, tzinfo=PARIS)
    report = put(paths, due(1, line(1)), due(2, line(2), validation=True), due(3, line(3), channel="letter"),
                 now=saturday)  # fmt: skip
    states = [item(paths, q).state for q in report.queued]
    assert states == ["ready", "needs_validation", "to_print"]
    assert item(paths, report.queued[0]).scheduled_for == datetime(2026, 12, 14, 9, 0, tzinfo=PARIS)


def test_a_released_level_may_be_queued_again(paths):
    [q] = put(paths, due(1, line(1))).queued
    with operations.session(paths) as con, operations.transaction(con):
        con.execute("UPDATE reminder_invoice_levels SET state = 'released' WHERE queue_id = ?", (q,))
    assert len(put(paths, due(1, line(1))).queued) == 1


def test_dry_run_records_no_level_and_does_not_block_the_real_run(paths):
    dry = put(paths, due(1, line(1)), dry_run=True)
    assert item(paths, dry.queued[0]).dry_run and levels(paths) == []
    real = put(paths, due(1, line(1)))
    assert len(real.queued) == 1 and levels(paths) == [(1, "reminder_1", "queued")]
    assert [i.queue_id for i in queue.pending(paths, COLLECTOR, now=NOW, settings=SETTINGS)] == list(real.queued)


def test_approve_then_a_stale_version_is_refused_with_the_current_state(paths):
    [q] = put(paths, due(1, line(1), validation=True)).queued
    approved = queue.approve(paths, COLLECTOR, q, version=1, now=NOW)
    assert approved.state == "ready" and approved.decided_by == COLLECTOR.email and approved.version == 2
    with pytest.raises(StaleQueueItem, match="modifiée entre-temps") as refused:
        queue.skip(paths, COLLECTOR, q, version=1, now=NOW)
    assert refused.value.current.state == "ready"


def test_roles_and_scope_are_checked(paths):
    [q1, q2] = put(paths, due(1, line(1), validation=True), due(2, line(2), validation=True)).queued
    with pytest.raises(Forbidden):
        queue.approve(paths, MANAGER, q1, version=1, now=NOW)
    with pytest.raises(Forbidden):
        queue.approve(paths, REP, q2, version=1, now=NOW)  # a sales rep may not validate, even in scope
    admin_of_agency = Scope(email="a@verdier.example", role="accounting", customers=frozenset({("alpha", 2)}))
    with pytest.raises(NotInScope):
        queue.approve(paths, admin_of_agency, q1, version=1, now=NOW)
    assert [i.queue_id for i in queue.pending(paths, admin_of_agency, now=NOW, settings=SETTINGS)] == [q2]


def test_skip_keeps_the_levels_given(paths):
    [q] = put(paths, due(1, line(1), validation=True)).queued
    assert queue.skip(paths, COLLECTOR, q, version=1, now=NOW).state == "skipped"
    assert levels(paths) == [(1, "reminder_1", "skipped")]
    assert put(paths, due(1, line(1))).empty == 1  # a person said no: not proposed again


def test_postpone_goes_to_the_window_after_the_date(paths):
    [q] = put(paths, due(1, line(1))).queued
    later = queue.postpone(paths, COLLECTOR, q, datetime(2026, 12, 12, 8, 0, tzinfo=PARIS), version=1, now=NOW,
                           settings=SETTINGS)  # fmt: skip
    assert later.scheduled_for == datetime(2026, 12, 14, 9, 0, tzinfo=PARIS)
    [waiting] = queue.pending(paths, COLLECTOR, now=NOW, settings=SETTINGS)
    assert "14/12/2026" in waiting.waiting_reason
    with pytest.raises(QueueError, match="future"):
        queue.postpone(paths, COLLECTOR, q, NOW - timedelta(days=1), version=2, now=NOW, settings=SETTINGS)


def test_edit_checks_addresses_and_keeps_the_text(paths):
    [q] = put(paths, due(1, line(1), validation=True)).queued
    with pytest.raises(QueueError, match="invalide"):
        queue.edit(paths, COLLECTOR, q, subject="S", body="B", to=["compta@"], version=1, now=NOW)
    edited = queue.edit(paths, COLLECTOR, q, subject="Objet\r\nBcc: x@y.example", body="Bonjour", to=["a@b.example"],
                        cc=["c@b.example"], version=1, now=NOW)  # fmt: skip
    assert (
        edited.subject == "Objet Bcc: x@y.example" and edited.to == ("a@b.example",) and edited.cc == ("c@b.example",)
    )
    assert edited.state == "needs_validation" and edited.version == 2


def test_bulk_approve_says_what_was_refused_and_why(paths):
    qs = put(paths, *(due(c, line(c), validation=True) for c in (1, 2, 3))).queued
    queue.skip(paths, COLLECTOR, qs[2], version=1, now=NOW)
    result = queue.bulk_approve(paths, COLLECTOR, {qs[0]: 1, qs[1]: 7, qs[2]: 2}, now=NOW)
    assert result.approved == (qs[0],)
    assert "modifiée entre-temps" in result.refused[qs[1]]
    assert "écartée" in result.refused[qs[2]]


def test_pending_says_why_each_waits(paths):
    [v, r] = put(paths, due(1, line(1), validation=True), due(2, line(2))).queued
    old = NOW - timedelta(hours=3)
    reasons = {i.queue_id: i.waiting_reason for i in queue.pending(paths, COLLECTOR, now=NOW, settings=SETTINGS,
                                                                     last_sync=lambda e: old)}  # fmt: skip
    assert reasons[v].startswith("À valider")
    assert reasons[r] == "Dernière synchronisation Pennylane de alpha il y a 3 h : envoi suspendu."
    evening = datetime(2026, 12, 7, 19, 0, tzinfo=PARIS)
    [_, late] = queue.pending(paths, COLLECTOR, now=evening, settings=SETTINGS)
    assert late.waiting_reason == "Hors fenêtre d'envoi : partira le 08/12/2026 à 09:00."
