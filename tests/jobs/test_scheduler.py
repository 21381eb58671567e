"""The scheduler runs the ingestion at start and then on its cadence, the backup every night, and stops cleanly."""

import datetime
import os
import signal
import sqlite3
import threading
import time
from contextlib import closing

import schedule

from core.config import load_settings
from core.store import operations
from core.store.paths import StorePaths
from jobs import scheduler
from tests.support.stores import ORGANISATION


def test_default_cadence_is_every_15_minutes_and_configurable(tmp_path):
    assert load_settings(env={"ENCOURS_DATA_DIR": str(tmp_path)}, root=tmp_path).sync_every_minutes == 15
    assert load_settings(env={"ENCOURS_SYNC_MINUTES": "5"}, root=tmp_path).sync_every_minutes == 5
    s = schedule.Scheduler()
    scheduler.build_schedule(s, 15, lambda: None)
    (job,) = s.jobs
    assert job.interval == 15 and job.unit == "minutes"


def test_it_syncs_at_start_then_stops_when_asked():
    stop = threading.Event()
    runs = []

    def job():
        runs.append(1)
        stop.set()  # the first run asks to stop: the loop must end without another run

    t = threading.Thread(target=scheduler.serve, args=(stop,), kwargs={"every_minutes": 15, "job": job})
    t.start()
    t.join(timeout=10)
    assert not t.is_alive() and runs == [1]


def test_a_sync_already_running_is_skipped_not_queued(monkeypatch):
    monkeypatch.setattr(scheduler, "run_child", lambda *a, **k: 3)
    assert scheduler.run_ingestion() == 3


def test_stopping_the_scheduler_stops_its_running_child_instead_of_waiting_for_it():
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    code = scheduler.run_child(["timeit", "-n", "1", "import time; time.sleep(60)"], stop)
    assert code == -signal.SIGTERM and time.monotonic() - started < 20


def test_the_reminders_follow_each_sync_but_not_once_stopping(monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "run_child", lambda args, stop=None: calls.append(args[0]) or 0)
    stop = threading.Event()
    scheduler.sync_then_remind(stop)()
    stop.set()
    scheduler.sync_then_remind(stop)()
    assert calls == ["jobs.ingest", "jobs.reminders", "jobs.ingest"]


def test_the_backup_runs_every_night_at_half_past_two_paris_time():
    s = schedule.Scheduler()
    scheduler.build_nightly(s, lambda: None)
    (job,) = s.jobs
    assert job.unit == "days" and job.interval == 1
    assert job.at_time == datetime.time(2, 30) and str(job.at_time_zone) == "Europe/Paris"
    assert job.next_run is not None


def test_the_nightly_backup_is_a_child_process_writing_into_the_configured_folder(tmp_path, monkeypatch):
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    for key in [k for k in os.environ if k.startswith(("ENCOURS_", "PENNYLANE_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(paths.data_dir))
    monkeypatch.setenv("ENCOURS_BACKUP_DIR", str(tmp_path / "nuit"))
    assert scheduler.run_backup() == 0
    (backup,) = (tmp_path / "nuit").glob("operations-*.sqlite")
    with closing(sqlite3.connect(backup)) as con:
        assert con.execute("SELECT count(*) FROM users").fetchone() == (4,)
