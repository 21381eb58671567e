"""The scheduler: a companion process that runs the ingestion on a cadence (and at start), the
automatic reminders' pass after each sync (`python -m jobs.reminders run`: bounces read, what is
due queued, what the sending window lets out sent), and the backup of the operational store
every night (`NIGHTLY_BACKUP_AT`, Paris time).

SIGTERM or Ctrl-C: the running child is asked to stop the same way (the reminders finish the
message in flight), then the scheduler exits.

Each sync runs as its own `python -m jobs.ingest` process: a failure or a crash there never
takes the scheduler down, and the ingestion lock keeps two runs from overlapping (a run
started by hand meanwhile is told so and exits). `schedule` does not catch up runs missed
while the process was down; the ingestion finds its own position from the store instead.

With no Pennylane token, the scheduler is what needs the demo company's Pennylane-compatible
server, so it starts it (a child process, stopped with it); the sync never starts one itself.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import schedule

from core.config import Settings, load_settings
from core.store.paths import StorePaths
from jobs import exit_codes, logs
from jobs.pennylane_local import serving_demo

log = logging.getLogger("encours.scheduler")

NIGHTLY_BACKUP_AT = "02:30"
"""Paris time; `schedule` follows the daylight-saving changes (STACK-NOTES)."""
PARIS_ZONE = "Europe/Paris"


def run_child(args: list[str], stop: threading.Event | None = None) -> int:
    """`python -m ARGS` as a child process; `stop` set meanwhile → SIGTERM to it, then wait."""
    with subprocess.Popen([sys.executable, "-m", *args]) as child:
        signalled = False
        while child.poll() is None:
            if stop is not None and stop.is_set() and not signalled:
                child.send_signal(signal.SIGTERM)
                signalled = True
            time.sleep(0.2)
        return child.returncode


def run_ingestion(stop: threading.Event | None = None) -> int:
    """One sync in a child process; its exit code says how it went (see jobs/ingest.py)."""
    code = run_child(["jobs.ingest"], stop)
    if code == exit_codes.OK:
        log.info("synchronisation terminée")
    elif code == exit_codes.BUSY:
        log.info("synchronisation déjà en cours ailleurs : ce créneau est sauté")
    else:
        log.warning("synchronisation en échec (code %s) ; nouvel essai au prochain créneau", code)
    return code


def run_reminders(stop: threading.Event | None = None) -> int:
    """The reminders' pass in a child process (see jobs/reminders.py). It looks at what is due
    now, so a pass missed while the scheduler was down is caught up by the next one."""
    code = run_child(["jobs.reminders", "run"], stop)
    if code == exit_codes.BUSY:
        log.info("relances : un envoi est déjà en cours ailleurs ; ce passage est sauté")
    elif code != exit_codes.OK:
        log.warning("relances : passage en échec (code %s) ; nouvel essai au prochain créneau", code)
    return code


def sync_then_remind(stop: threading.Event) -> Callable[[], object]:
    """The cadence's job: the sync, then (unless stopping) the reminders on the fresh data."""

    def job() -> None:
        run_ingestion(stop)
        if not stop.is_set():
            run_reminders(stop)

    return job


def run_backup() -> int:
    """One backup of the operational store (with its rotation) in a child process (see jobs/backup.py)."""
    result = subprocess.run([sys.executable, "-m", "jobs.backup"], check=False)
    if result.returncode == exit_codes.OK:
        log.info("sauvegarde de la base opérationnelle terminée")
    else:
        log.warning("sauvegarde en échec (code %s) ; nouvel essai la nuit prochaine", result.returncode)
    return result.returncode


def build_schedule(scheduler: schedule.Scheduler, every_minutes: int, job: Callable[[], object]) -> None:
    scheduler.every(every_minutes).minutes.do(job)


def build_nightly(scheduler: schedule.Scheduler, job: Callable[[], object], at: str = NIGHTLY_BACKUP_AT) -> None:
    scheduler.every().day.at(at, PARIS_ZONE).do(job)


def serve(
    stop: threading.Event,
    *,
    every_minutes: int,
    job: Callable[[], object] = run_ingestion,
    nightly: Callable[[], object] | None = None,
) -> None:
    """Run `job` now, then every `every_minutes`, and `nightly` (if any) every night, until `stop` is
    set (the running job finishes first)."""
    scheduler = schedule.Scheduler()
    build_schedule(scheduler, every_minutes, job)
    if nightly is not None:
        build_nightly(scheduler, nightly)
    job()
    while not stop.is_set():
        scheduler.run_pending()
        idle = scheduler.idle_seconds
        stop.wait(min(idle if idle is not None and idle > 0 else 1.0, 30.0))


@contextmanager
def demo_server(settings: Settings) -> Iterator[None]:
    """The demo company's local Pennylane server while the scheduler runs (demo mode only)."""
    demo_dir = StorePaths(settings.data_dir).demo_dir
    if not settings.demo or not (demo_dir / "organisation.json").exists():
        yield
        return
    with serving_demo(demo_dir, settings.demo_api_port):
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.scheduler", description="Planificateur Encours")
    parser.add_argument("--every", type=int, default=None, help="minutes entre deux synchronisations")
    args = parser.parse_args(argv)
    logs.configure()
    settings = load_settings()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    every = args.every or settings.sync_every_minutes
    with demo_server(settings):
        log.info(
            "planificateur démarré : synchronisation puis relances toutes les %s minutes, sauvegarde chaque nuit à %s",
            every,
            NIGHTLY_BACKUP_AT,
        )
        serve(stop, every_minutes=every, job=sync_then_remind(stop), nightly=run_backup)
    log.info("planificateur arrêté")
    return 0


if __name__ == "__main__":
    sys.exit(main())
