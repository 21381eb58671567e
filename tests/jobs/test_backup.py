"""`python -m jobs.backup` end to end, with real processes writing the store all along.

A backup taken while two writers are busy opens, passes `PRAGMA integrity_check`, holds a
consistent state (each writer's steps whole: the same in every table, no gap) and every row
committed before it started; restoring it while two other writers are busy brings back every
row of every table, and the writers meet no error.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from core.store import operations
from core.store.paths import StorePaths
from tests.conftest import ROOT
from tests.jobs.cli_helpers import env_for
from tests.support.stores import ORGANISATION

WAIT_S = 120


def table_rows(db: Path) -> dict[str, set[tuple[object, ...]]]:
    """Every row of every table (ops_revision aside: a restore moves it on purpose), generically."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            name: set(con.execute('SELECT * FROM "' + name + '"').fetchall())  # noqa: S608 - names from sqlite_master
            for name in names
            if not name.startswith("sqlite_") and name != "ops_revision"
        }


def steps(rows: dict[str, set[tuple[object, ...]]], writer: str) -> dict[str, set[int]]:
    """Per table, the steps of `writer` it holds (see tests/support/ops_writers.py)."""
    return {
        "agencies": {int(r[0].rsplit("-", 1)[1]) for r in rows["agencies"] if r[2] == writer},
        "users": {int(r[0].split("@")[0].rsplit("-", 1)[1]) for r in rows["users"] if r[0].startswith(writer + "-")},
        "invoice_followups": {int(r[1]) for r in rows["invoice_followups"] if r[0] == writer},
    }


def committed(paths: StorePaths, writer: str) -> int:
    with operations.session(paths) as ops:
        return int(ops.execute("SELECT count(*) FROM agencies WHERE entity_id = ?", (writer,)).fetchone()[0])


@contextmanager
def busy_writers(paths: StorePaths, tmp_path: Path, *names: str) -> Iterator[dict[str, dict]]:
    """Writer processes running for the block, each with at least 20 steps committed before it
    starts; their summaries (filled at exit) in the yielded dict."""
    stop = tmp_path / f"stop-{'-'.join(names)}"
    procs = {
        name: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.ops_writers",
                "--data",
                str(paths.data_dir),
                "--writer-id",
                name,
                "--stop-file",
                str(stop),
                "--out",
                str(tmp_path / f"{name}.json"),
            ],
            cwd=ROOT,
        )  # fmt: skip
        for name in names
    }
    summaries: dict[str, dict] = {}
    try:
        deadline = time.monotonic() + WAIT_S
        while any(committed(paths, name) < 20 for name in names):
            assert all(p.poll() is None for p in procs.values()), "a writer died"
            assert time.monotonic() < deadline, "the writers never got going"
            time.sleep(0.05)
        yield summaries
    finally:
        stop.touch()
        for name, proc in procs.items():
            assert proc.wait(timeout=WAIT_S) == 0
            summaries[name] = json.loads((tmp_path / f"{name}.json").read_text())


def backup_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobs.backup", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=WAIT_S
    )


@pytest.mark.slow
def test_backup_under_two_busy_writers_then_restore_under_two_more(tmp_path):
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    folder = tmp_path / "sauvegardes"
    env = env_for(paths.data_dir, ENCOURS_BACKUP_DIR=str(folder))

    with busy_writers(paths, tmp_path, "w1", "w2") as first:
        before = table_rows(paths.operations)  # committed before the backup starts
        done = backup_cli(env)
        assert done.returncode == 0, done.stderr
        counts = {name: committed(paths, name) for name in ("w1", "w2")}
        deadline = time.monotonic() + WAIT_S
        while any(committed(paths, n) < counts[n] + 20 for n in counts):  # they went on writing after it
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert first["w1"]["errors"] == [] and first["w2"]["errors"] == []

    (backup,) = folder.glob("operations-*.sqlite")
    assert not list(folder.glob(".*"))  # no temporary file left behind
    with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA user_version").fetchone()[0] == len(operations.migrations())
    saved = table_rows(backup)
    for name in before:
        assert before[name] <= saved[name], name
    for writer in ("w1", "w2"):
        per_table = steps(saved, writer)
        assert len({frozenset(s) for s in per_table.values()}) == 1, per_table  # same steps in every table
        held = per_table["agencies"]
        assert held == set(range(len(held))) and len(held) >= 20  # a prefix of what it wrote: no gap
        assert len(held) < len(first[writer]["written"])  # and the later steps are not in it

    with busy_writers(paths, tmp_path, "w3", "w4") as second:
        done = backup_cli(env, "--restore", str(backup))
        assert done.returncode == 0, done.stderr
        assert "restaurée" in done.stdout
    assert second["w3"]["errors"] == [] and second["w4"]["errors"] == []

    restored = table_rows(paths.operations)
    for name, rows in saved.items():
        assert rows <= restored[name], name  # every row of every table is back
    for writer in ("w1", "w2"):
        assert steps(restored, writer) == steps(saved, writer)  # and only what the backup held
    (safety,) = folder.glob("avant-restauration-*.sqlite")
    assert steps(table_rows(safety), "w1")["agencies"] == set(first["w1"]["written"])
    with operations.session(paths) as ops:
        assert operations.schema_version(ops) == len(operations.migrations())


def test_the_cli_refuses_a_file_that_is_not_a_backup_and_changes_nothing(tmp_path):
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    before = table_rows(paths.operations)
    junk = tmp_path / "notes.sqlite"
    junk.write_bytes(b"ceci n'est pas une base" * 100)
    env = env_for(paths.data_dir, ENCOURS_BACKUP_DIR=str(tmp_path / "sauvegardes"))
    done = backup_cli(env, "--restore", str(junk))
    assert done.returncode == 1
    assert "notes.sqlite n'est pas une base SQLite lisible" in done.stderr
    assert table_rows(paths.operations) == before
    assert not list((tmp_path / "sauvegardes").glob("avant-restauration-*"))


def test_a_missing_store_is_a_clear_failure(tmp_path):
    done = backup_cli(env_for(tmp_path / "vide", ENCOURS_BACKUP_DIR=str(tmp_path / "s")))
    assert done.returncode == 1 and "aucune base opérationnelle à sauvegarder" in done.stderr
