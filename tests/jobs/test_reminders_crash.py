"""The crash test: `python -m jobs.reminders send` killed with SIGKILL at random moments of a run
of 500 messages, restarted each time, against a real SMTP server (aiosmtpd, in this test's
process, with its own maildir). The server's maildir is the judge: every Message-ID once."""

from __future__ import annotations

import email.parser
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import policy
from pathlib import Path

import pytest

from core.formatting import PARIS
from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.mail.local_server import serving
from core.reminders.model import DueReminder, ReminderLine
from core.reminders.queue import Composed, queue_due
from core.reminders.settings import ReminderSettings
from core.store import operations
from core.store.paths import StorePaths
from tests.conftest import ROOT
from tests.support import records as r
from tests.support.processes import free_port

MESSAGES = 500
CUSTOMERS = 50
MIN_KILLS = 20
MAX_KILLS = 24  # then the last run finishes the queue
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)  # a Monday inside the window (passed as --now)


def store(tmp_path: Path) -> StorePaths:
    """500 open invoices of 50 customers, published; a sync that just succeeded; one queued message per invoice."""
    paths = StorePaths(tmp_path / "data").ensure()
    entity = r.write_entity(
        tmp_path / "source",
        "alpha",
        customers=[r.customer(c, name=f"Client {c}") for c in range(1, CUSTOMERS + 1)],
        invoices=[r.invoice(1000 + i, 1 + i % CUSTOMERS, "120.00") for i in range(MESSAGES)],
        lines=[],
    )
    publish_batches(
        paths, [batch_from_directory(entity, "alpha", "Alpha SAS")], now=NOW.astimezone(UTC), source="files"
    )
    due = [
        DueReminder(
            entity_id="alpha",
            customer_id=1 + i % CUSTOMERS,
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
                    "alpha",
                    1000 + i,
                    f"F-{1000 + i}",
                    "reminder_1",
                    "",
                    Decimal("120.00"),
                    NOW.date() - timedelta(days=60),
                    60,
                ),
            ),
            total_due=Decimal("120.00"),
            due_since=NOW - timedelta(days=1),
        )  # fmt: skip
        for i in range(MESSAGES)
    ]

    def compose(d: DueReminder) -> Composed:
        return Composed(
            f"Relance facture F-{d.lines[0].invoice_id}", "Bonjour,\n" + "x" * 2000, (f"c{d.customer_id}@ex.example",)
        )

    with operations.session(paths) as con:
        run = operations.start_sync_run(con, "alpha", "full", NOW - timedelta(minutes=5))
        operations.finish_sync_run(con, run, NOW - timedelta(minutes=4))
        report = queue_due(con, due, compose=compose, settings=ReminderSettings(), now=NOW)
    assert len(report.queued) == MESSAGES
    return paths


def maildir_ids(folder: Path) -> list[str]:
    parser = email.parser.BytesHeaderParser(policy=policy.compat32)
    ids = []
    for sub in ("new", "cur"):
        for entry in os.scandir(folder / sub):
            with open(entry.path, "rb") as handle:
                ids.append(str(parser.parse(handle)["Message-ID"]).strip())
    return ids


def left(paths: StorePaths) -> dict[str, int]:
    with operations.session(paths) as con:
        return dict(con.execute("SELECT state, count(*) FROM reminder_queue GROUP BY state").fetchall())


@pytest.mark.slow
def test_killed_at_random_every_message_is_delivered_exactly_once(tmp_path):
    paths = store(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PENNYLANE_", "ENCOURS_"))}
    env.update(ENCOURS_DATA_DIR=str(paths.data_dir), ENCOURS_SMTP_PORT=str(port))
    command = [sys.executable, "-m", "jobs.reminders", "send", "--now", NOW.isoformat()]
    rng = random.Random(12)  # noqa: S311 - test randomness, seeded to replay a failure
    kills = runs = 0
    deadline = time.monotonic() + 240
    with serving(paths.maildir, port=port):
        while True:
            runs += 1
            before = len(maildir_ids(paths.maildir))
            child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
            # Wait until this run has delivered something, then kill it a random moment later.
            while child.poll() is None and len(os.listdir(paths.maildir / "new")) <= before:
                time.sleep(0.01)
            if child.poll() is None and kills < MAX_KILLS:
                time.sleep(rng.uniform(0, 0.4))
                child.send_signal(signal.SIGKILL)
            code = child.wait()
            stderr = child.stderr.read().decode() if child.stderr else ""
            if code == -signal.SIGKILL:
                kills += 1
            elif code == 0:
                if set(left(paths)) == {"sent"}:
                    break  # a clean run sends one batch (200): run again until the queue is empty
            else:
                pytest.fail(f"run {runs} ended with {code}: {stderr}")
            assert time.monotonic() < deadline, f"not done after {runs} runs ({left(paths)})"
    ids = maildir_ids(paths.maildir)
    counts = Counter(ids)
    assert kills >= MIN_KILLS, f"only {kills} kills: the runs went too fast"
    assert [i for i, n in counts.items() if n > 1] == []  # no duplicate
    assert len(counts) == MESSAGES  # none lost
    assert left(paths) == {"sent": MESSAGES}
    with operations.session(paths) as con:
        sent = {row[0] for row in con.execute("SELECT header_message_id FROM messages WHERE state = 'sent'")}
    assert sent == set(counts)
