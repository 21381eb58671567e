"""Reminders figures for `make bench` (issue 12):

- `reminders.eval_10k_s`, `reminders.eval_100k_s`: the engine (`due_reminders`, pure) over 10k /
  100k open invoices of ~1k / ~10k customers on the five default plans, with a history of given
  levels; the call alone is timed (inputs built beforehand), best of three at 10k (targets ≤ 5 s
  / ≤ 30 s).
- `reminders.send_rate_per_s`: 500 queued messages sent by `send_ready`, with the job's own
  re-check (published store) and sync guard, to the embedded SMTP server running in its own
  process as in `make run` (target ≥ 20).
- `reminders.kill_runs`, `reminders.duplicates`, `reminders.lost`: the crash harness at full size
  (500 messages, 24 SIGKILLs; targets ≥ 20, 0, 0).
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.formatting import PARIS
from core.mail.smtp import SmtpServer
from core.reminders.engine import CustomerPlan, GivenLevel, OpenInvoice, due_reminders
from core.reminders.plans import default_plans
from core.reminders.sending import send_ready, store_last_sync, store_recheck
from core.reminders.settings import ReminderSettings
from tests.support.processes import free_port
from tests.support.reminder_crash import NOW, crash_run, queued_store

log = logging.getLogger("encours.bench")
ROOT = Path(__file__).resolve().parents[1]
SEND_MESSAGES = 500
CRASH_MESSAGES = 500
CRASH_KILLS = 24


def engine_inputs(
    invoices: int, customers: int, seed: int = 12
) -> tuple[list[OpenInvoice], list[GivenLevel], dict[tuple[str, int], CustomerPlan]]:
    """Open invoices due from 150 days ago to 20 days ahead; one in ten under a payment agreement,
    one in fifty disputed, one in fifty on hold; for each late invoice, the levels its plan would
    have given so far (sent, a few skipped); customers spread over the five plans."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    plans = {p.plan_id: p for p in default_plans()}
    plan_ids = list(plans)
    today = NOW.astimezone(PARIS).date()
    chosen = {
        ("alpha", c): CustomerPlan(plan_ids[c % len(plan_ids)], language="fr" if c % 3 else "en")
        for c in range(1, customers + 1)
    }
    open_invoices: list[OpenInvoice] = []
    history: list[GivenLevel] = []
    for i in range(invoices):
        customer = 1 + rng.randrange(customers)
        due = today + timedelta(days=rng.randint(-150, 20))
        amount = Decimal(rng.randint(50, 20_000))
        roll = rng.random()
        status, agreement, hold = "issued", None, None
        if roll < 0.10:
            status, agreement = "payment_agreement", today + timedelta(days=rng.randint(-10, 20))
        elif roll < 0.12:
            status = "disputed"
        elif roll < 0.14:
            status, hold = "on_hold", today + timedelta(days=rng.randint(-5, 30))
        invoice = OpenInvoice(
            entity_id="alpha", invoice_id=i + 1, number=f"F-{i + 1}", customer_id=customer,
            issue_date=due - timedelta(days=30), due_date=due, amount=amount,
            open_amount=amount if rng.random() > 0.1 else amount / 2, internal_status=status,
            agreement_date=agreement, on_hold_until=hold,
        )  # fmt: skip
        open_invoices.append(invoice)
        plan = plans[chosen[("alpha", customer)].plan_id or "fr"]
        for level in plan.levels:
            if level.anchor != "due_date":
                continue
            given_on = due + timedelta(days=level.offset_days)
            if given_on >= today - timedelta(days=rng.randint(0, 6)):
                break  # the most recent levels are what the engine finds due now
            moment = NOW.replace(year=given_on.year, month=given_on.month, day=given_on.day)
            state = "skipped" if rng.random() < 0.05 else "sent"
            history.append(
                GivenLevel("alpha", i + 1, plan.plan_id, level.code, "", state, moment if state == "sent" else None)
            )
    return open_invoices, history, chosen


def time_engine(invoices: int, customers: int, rounds: int) -> tuple[float, int]:
    """Best wall time of `rounds` calls of `due_reminders`, and how many reminders it found."""
    found, history, chosen = engine_inputs(invoices, customers)
    plans = {p.plan_id: p for p in default_plans()}
    best, count = float("inf"), 0
    for _ in range(rounds):
        started = time.perf_counter()
        count = len(due_reminders(found, history, plans, chosen, NOW))
        best = min(best, time.perf_counter() - started)
    return best, count


def send_rate(work: Path, messages: int = SEND_MESSAGES) -> float:
    """Messages per second of one `send_ready` over `messages` queued ones (all in one run)."""
    paths = queued_store(work, messages)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PENNYLANE_", "ENCOURS_"))}
    env.update(ENCOURS_DATA_DIR=str(work / "server"))
    command = [sys.executable, "-m", "jobs.mailserver", "--port", str(port), "--maildir", str(work / "maildir"),
               "--bounces", str(work / "bounces")]  # fmt: skip
    with subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL) as server:  # noqa: S603
        try:
            _wait_port(port, server)
            started = time.perf_counter()
            report = send_ready(
                paths, now=NOW, server=SmtpServer("127.0.0.1", port), recheck=store_recheck(paths, today=NOW.date()),
                last_sync=store_last_sync(paths), mail_from="relances@bench.example",
                settings=replace(ReminderSettings(), send_batch_size=messages),
            )  # fmt: skip
            seconds = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    if len(report.sent) != messages:
        raise RuntimeError(f"{len(report.sent)} sent out of {messages}: {report}")
    return messages / seconds


def _wait_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the SMTP server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"SMTP server on port {port}")


def reminders_benchmarks(work: Path, *, quick: bool = False) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    for chatty in ("mail.log", "encours.mailserver", "encours.mail"):  # the in-process SMTP server's every command
        logging.getLogger(chatty).setLevel(logging.WARNING)
    scale = 10 if quick else 1
    results: dict[str, Any] = {"reminders.load_average_1m": round(os.getloadavg()[0], 2)}
    for label, invoices in {"10k": 10_000, "100k": 100_000}.items():
        seconds, count = time_engine(invoices // scale, invoices // scale // 10, rounds=3 if label == "10k" else 1)
        results[f"reminders.eval_{label}_s"] = round(seconds, 3)
        results[f"reminders.eval_{label}_due"] = count
        log.info("engine %s: %.3f s, %d reminders due", label, seconds, count)
    run_dir = work / "run"
    shutil.rmtree(run_dir, ignore_errors=True)  # a fresh queue and maildir each time
    results["reminders.send_rate_per_s"] = round(send_rate(run_dir / "send", SEND_MESSAGES // scale), 1)
    log.info("send rate: %s messages/s", results["reminders.send_rate_per_s"])
    crash = crash_run(run_dir / "crash", CRASH_MESSAGES // scale, CRASH_KILLS, seed=12)
    if crash.problems:
        log.warning("crash run: %s", crash.problems)
    results.update(
        {
            "reminders.kill_runs": crash.kills,
            "reminders.duplicates": crash.duplicates,
            "reminders.lost": crash.lost,
            "reminders.crash_messages": CRASH_MESSAGES // scale,
            "reminders.crash_s": crash.seconds,
            "reminders.crash_runs": crash.runs,
            "reminders.crash_recovered": crash.recovered,
            "reminders.crash_resent": crash.resent,
            "reminders.crash_problems": list(crash.problems),
        }
    )
    results["reminders.load_average_1m_after"] = round(os.getloadavg()[0], 2)
    log.info("reminders: %s", results)
    return results
