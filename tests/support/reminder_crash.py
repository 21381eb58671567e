"""The reminders' crash harness, shared by the crash test (`make test`, small) and `make bench`
(full size): `python -m jobs.reminders send` killed with SIGKILL at random moments, restarted each
time, against a real SMTP server (aiosmtpd, in the caller's process, with its own maildir). The
server's maildir is the judge: every queued message's Message-ID exactly once.

A kill comes either right at start-up (a random moment before the run's first delivery: imports,
store opening, the recovery of the previous kill), or a few messages into the run, within about
one message's time of a delivery: on the wire, or between the server's answer and the commit
that marks the message sent. A killed run delivers at most `messages / (2 × kills)` messages
before its kill, so the queue outlasts the kills; unkilled runs then drain it.
"""

from __future__ import annotations

import email.parser
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import policy
from pathlib import Path

from core.formatting import PARIS
from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.mail.local_server import serving
from core.reminders.model import DueReminder, ReminderLine
from core.reminders.queue import Composed, queue_due
from core.reminders.settings import ReminderSettings, save_settings
from core.store import operations
from core.store.paths import StorePaths
from tests.support import records as r
from tests.support.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)  # a Monday inside the window (passed as --now)
ENTITY = "alpha"


@dataclass(frozen=True)
class CrashResult:
    kills: int  # runs ended by SIGKILL
    delivered: int  # distinct Message-IDs in the server's maildir
    duplicates: int  # Message-IDs received more than once
    lost: int  # queued messages never received
    seconds: float
    runs: int = 0
    recovered: int = 0  # found delivered after a kill (killed between the server's answer and the commit)
    resent: int = 0  # recorded but not delivered when killed: sent again with the same Message-ID
    problems: tuple[str, ...] = ()  # anything else wrong (a run that failed, rows not `sent`, history mismatch)


def queued_store(work_dir: Path, messages: int, *, customers: int | None = None, now: datetime = NOW) -> StorePaths:
    """`messages` open invoices spread over `customers` customers, published; a sync that just
    succeeded; one queued message per invoice (ready, automatic, due now)."""
    customers = customers or max(1, messages // 10)
    paths = StorePaths(work_dir / "data").ensure()
    entity = r.write_entity(
        work_dir / "source",
        ENTITY,
        customers=[r.customer(c, name=f"Client {c}") for c in range(1, customers + 1)],
        invoices=[r.invoice(1000 + i, 1 + i % customers, "120.00") for i in range(messages)],
        lines=[],
    )
    publish_batches(paths, [batch_from_directory(entity, ENTITY, "Alpha SAS")], now=now.astimezone(UTC), source="files")
    due = [
        DueReminder(
            entity_id=ENTITY,
            customer_id=1 + i % customers,
            plan_id="fr",
            code="reminder_1",
            position=2,
            channel="email",
            language="fr",
            needs_validation=False,
            cc_account_manager=False,
            penalty_block=False,
            lines=(
                ReminderLine(
                    ENTITY,
                    1000 + i,
                    f"F-{1000 + i}",
                    "reminder_1",
                    "",
                    Decimal("120.00"),
                    now.date() - timedelta(days=60),
                    60,
                ),
            ),
            total_due=Decimal("120.00"),
            due_since=now - timedelta(days=1),
        )  # fmt: skip
        for i in range(messages)
    ]

    def compose(d: DueReminder) -> Composed:
        return Composed(
            f"Relance facture F-{d.lines[0].invoice_id}", "Bonjour,\n" + "x" * 2000, (f"c{d.customer_id}@ex.example",)
        )

    with operations.session(paths) as con:
        run = operations.start_sync_run(con, ENTITY, "full", now - timedelta(minutes=5))
        operations.finish_sync_run(con, run, now - timedelta(minutes=4))
        report = queue_due(con, due, compose=compose, settings=ReminderSettings(), now=now)
    if len(report.queued) != messages:
        raise AssertionError(f"{len(report.queued)} queued out of {messages}")
    return paths


def maildir_ids(folder: Path) -> list[str]:
    parser = email.parser.BytesHeaderParser(policy=policy.compat32)
    ids = []
    for sub in ("new", "cur"):
        if not (folder / sub).is_dir():
            continue
        for entry in os.scandir(folder / sub):
            with open(entry.path, "rb") as handle:
                ids.append(str(parser.parse(handle)["Message-ID"]).strip())
    return ids


def queue_states(paths: StorePaths) -> dict[str, int]:
    with operations.session(paths) as con:
        return dict(con.execute("SELECT state, count(*) FROM reminder_queue GROUP BY state").fetchall())


def crash_run(
    work_dir: Path, messages: int, kills: int, seed: int, *, timeout_s: float = 600, batch_size: int | None = None
) -> CrashResult:
    """Queue `messages`, then run the send job until the queue is empty, killing it `kills` times
    at random moments (seeded by `seed`, to replay a failure). `batch_size`: messages a run sends
    at most (default: a share of the queue, so a run survives long enough to be killed mid-way)."""
    started = time.monotonic()
    paths = queued_store(work_dir, messages)
    batch = batch_size or messages
    with operations.session(paths) as con:
        save_settings(con, replace(ReminderSettings(), send_batch_size=batch), by="crash test", now=NOW)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PENNYLANE_", "ENCOURS_"))}
    env.update(ENCOURS_DATA_DIR=str(paths.data_dir), ENCOURS_SMTP_PORT=str(port))
    command = [sys.executable, "-m", "jobs.reminders", "send", "--now", NOW.isoformat()]
    rng = random.Random(seed)  # noqa: S311 - test randomness, seeded to replay a failure
    killed = runs = recovered = resent = 0
    problems: list[str] = []
    deadline = started + timeout_s
    per_run = max(1, messages // (2 * max(1, kills)))  # messages a killed run may deliver: the queue outlasts the kills
    startup = 0.7  # seconds from launch to a run's first delivery: updated as runs are watched
    with serving(paths.maildir, port=port):
        while time.monotonic() < deadline:
            runs += 1
            launched = time.monotonic()
            before = len(os.listdir(paths.maildir / "new"))
            child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
            if killed < kills:
                if rng.random() < 0.4:  # at start-up: imports, store opening, recovery of the last kill
                    _kill_after(child, rng.uniform(0, startup))
                elif _delivered(child, paths.maildir, before + rng.randint(1, per_run)):
                    # mid-run: a few messages in, then within about one message's time (on the wire, or
                    # between the server's answer and the commit)
                    startup = 0.5 * startup + 0.5 * (time.monotonic() - launched)
                    _kill_after(child, rng.uniform(0, 0.02))
            code = child.wait()
            stderr = child.stderr.read().decode() if child.stderr else ""
            recovered += stderr.count("retrouvée dans l'archive")
            resent += stderr.count("renvoyée avec le même Message-ID")
            if code == -signal.SIGKILL:
                killed += 1
            elif code == 0:
                if set(queue_states(paths)) == {"sent"}:
                    break  # a clean run sends one batch: run again until the queue is empty
            else:
                problems.append(f"run {runs} ended with {code}: {stderr[-500:]}")
                break
        else:
            problems.append(f"not done after {runs} runs: {queue_states(paths)}")
    counts = Counter(maildir_ids(paths.maildir))
    with operations.session(paths) as con:
        sent = {row[0] for row in con.execute("SELECT header_message_id FROM messages WHERE state = 'sent'")}
    if queue_states(paths) != {"sent": messages}:
        problems.append(f"queue left as {queue_states(paths)}")
    if sent != set(counts):
        problems.append(f"history and server differ on {len(sent ^ set(counts))} Message-IDs")
    return CrashResult(
        kills=killed,
        delivered=len(counts),
        duplicates=sum(1 for n in counts.values() if n > 1),
        lost=max(0, messages - len(counts)),
        seconds=round(time.monotonic() - started, 1),
        runs=runs,
        recovered=recovered,
        resent=resent,
        problems=tuple(problems),
    )


def _delivered(child: subprocess.Popen[bytes], maildir: Path, count: int) -> bool:
    """Wait until the server holds `count` messages; False if the child ended first."""
    while child.poll() is None:
        if len(os.listdir(maildir / "new")) >= count:
            return True
        time.sleep(0.005)
    return False


def _kill_after(child: subprocess.Popen[bytes], delay: float) -> None:
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
