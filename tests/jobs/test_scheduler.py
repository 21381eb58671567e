"""The scheduler runs the ingestion at start and then on its cadence, and stops cleanly."""

import threading

import schedule

from core.config import load_settings
from jobs import scheduler


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
    class Done:
        returncode = 3

    monkeypatch.setattr(scheduler.subprocess, "run", lambda *a, **k: Done())
    assert scheduler.run_ingestion() == 3
