"""Every sync run row is closed however the run ends, and one left open by a killed process
reads as interrupted, on the home page too, until the next run closes it."""

from __future__ import annotations

import itertools
import signal
from datetime import UTC, date, datetime, timedelta

import pytest

from core.home import entity_summaries
from core.ingestion.sync import run_sync
from core.scope import everything
from core.store.analytical import open_snapshot
from core.store.lock import is_held
from tests.jobs.cli_helpers import demo_data, ingest, kill, runs, start_at_failpoint
from tests.jobs.sync_helpers import checksums, entities
from tests.support.pennylane_server import serve

TODAY = date(2026, 11, 22)
T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@pytest.mark.slow
def test_a_run_killed_9_reads_as_interrupted_and_the_next_run_closes_it(tmp_path, demo_dir):
    with demo_data(tmp_path, demo_dir) as (paths, env, _):
        assert ingest(env).returncode == 0
        proc = start_at_failpoint(env, tmp_path / "marker")
        kill(proc, signal.SIGKILL)
        killed = [r for r in runs(paths) if r["status"] == "running"]
        assert len(killed) == 3  # the dead process could not close them

        # before any next run, the home page does not take them for a run in progress
        assert not is_held(paths.ingest_lock)
        for summary in entity_summaries(paths, everything(), today=TODAY):
            assert summary.last_error and "interrompue" in summary.last_error, summary

        done = ingest(env)
        assert done.returncode == 0, done.stderr
        by_id = {r["run_id"]: r for r in runs(paths)}
        for run in killed:
            closed = by_id[run["run_id"]]
            assert closed["status"] == "failed" and closed["error"] == "interrompue" and closed["finished_at"]
        assert not [r for r in by_id.values() if r["status"] == "running"]
        assert "interrompue" in done.stderr  # the log says what it found


@pytest.mark.slow
def test_sigterm_mid_run_closes_its_runs_and_exits_non_zero(tmp_path, demo_dir):
    with demo_data(tmp_path, demo_dir) as (paths, env, _):
        assert ingest(env).returncode == 0
        before = checksums(paths)
        proc = start_at_failpoint(env, tmp_path / "marker")
        code, err = kill(proc, signal.SIGTERM)
        assert code != 0
        assert "interrompue" in err and "SIGTERM" in err
        last = runs(paths)[-3:]
        assert all(r["status"] == "failed" and r["finished_at"] for r in last), last
        assert all(str(r["error"]).startswith("interrompue") for r in last)
        assert checksums(paths) == before  # nothing half-published
        assert not is_held(paths.ingest_lock) and not list(paths.work_dir.glob("build-*"))


class _Boom:
    """A progress that fails, as an unforeseen bug anywhere in the run would."""

    def __init__(self) -> None:
        self.calls = 0

    def begin(self, entity_id: str, resource: str, expected: int | None) -> None:
        if entity_id == "verdier-formation":
            raise LookupError("clé introuvable")

    def advance(self, records: int, requests: int) -> None:
        pass


def test_an_unexpected_exception_closes_every_open_run(store, demo_dir):
    with serve(demo_dir, rate_limit=False) as server:
        with pytest.raises(LookupError):
            run_sync(store, entities(demo_dir, server.base_url), now=T0, progress=_Boom())
    rows = runs(store)
    assert rows and not [r for r in rows if r["status"] == "running"]
    failed = {r["entity_id"]: r["error"] for r in rows}
    assert failed["verdier-formation"] == "erreur inattendue (LookupError) : clé introuvable"


def test_each_entity_run_counts_its_own_records_at_the_pinned_times(store, demo_dir):
    ends = (T0 + timedelta(minutes=n) for n in itertools.count(1))
    with serve(demo_dir, rate_limit=False) as server:
        result = run_sync(store, entities(demo_dir, server.base_url), now=T0, clock=lambda: next(ends))
    assert result.ok
    with open_snapshot(store) as con:
        own = dict(
            con.execute(
                "SELECT entity_id, sum(n) FROM ("
                " SELECT entity_id, count(*) AS n FROM pennylane_customers GROUP BY 1"
                " UNION ALL SELECT entity_id, count(*) FROM pennylane_customer_invoices GROUP BY 1"
                " UNION ALL SELECT entity_id, count(*) FROM pennylane_ledger_entry_lines GROUP BY 1) GROUP BY 1"
            ).fetchall()
        )
    rows = runs(store)
    assert {r["entity_id"]: r["records"] for r in rows} == own
    assert len(set(own.values())) == 3  # three entities of different sizes: not the group's total
    assert {r["started_at"] for r in rows} == {T0.isoformat()}
    assert [r["finished_at"] for r in rows] == [(T0 + timedelta(minutes=n)).isoformat() for n in (1, 2, 3)]
    assert {r["mode"] for r in rows} == {"full"}
