"""The operational store migrates forward with PRAGMA user_version and numbered files; a store
made by an older version opens with nothing lost."""

from __future__ import annotations

import sqlite3

import pytest

from core.store import operations
from core.store.paths import StorePaths

# The operational store as the version before migrations made it: user_version 0, no `rejected`.
MIGRATION_0001 = (operations.MIGRATIONS_DIR / "0001_initial.sql").read_text(encoding="utf-8")


def _old_store(paths: StorePaths) -> None:
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(paths.operations)
    con.executescript(MIGRATION_0001)
    con.executescript(
        """
        INSERT INTO agencies VALUES ('paris', 'Agence Paris', 'alpha');
        INSERT INTO users VALUES ('rep@x.example', 'Rita Rep', 'sales_rep', 'paris', 1);
        INSERT INTO customer_accounts VALUES ('alpha', 1, 'paris');
        INSERT INTO customer_managers VALUES ('alpha', 1, 'rep@x.example', 1);
        INSERT INTO invoice_followups VALUES ('alpha', 10, 'disputed', '2026-12-01', '2026-11-20T10:00:00+01:00', 'rep@x.example');
        INSERT INTO sync_runs (entity_id, started_at, finished_at, mode, status, requests, records, error)
        VALUES ('alpha', '2026-11-20T09:00:00+01:00', '2026-11-20T09:01:00+01:00', 'full', 'success', 12, 345, NULL);
        UPDATE ops_revision SET revision = 41;
        """
    )
    con.commit()
    assert con.execute("PRAGMA user_version").fetchone()[0] == 0
    con.close()


def _dump(path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        names = [
            n
            for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        ]
        return {n: con.execute("SELECT * FROM " + n).fetchall() for n in sorted(names)}  # noqa: S608
    finally:
        con.close()


def test_a_store_of_the_previous_version_migrates_with_nothing_lost(tmp_path):
    paths = StorePaths(tmp_path / "data")
    _old_store(paths)
    before = _dump(paths.operations)
    with operations.session(paths) as ops:
        assert operations.schema_version(ops) == len(operations.migrations()) >= 2
        runs = operations.latest_sync_runs(ops)
    after = _dump(paths.operations)
    assert after["sync_runs"] == [(*row, None) for row in before["sync_runs"]]  # a new column, empty
    # 0007 widened invoice_followups: the old columns come first, unchanged; the new ones start empty
    # (customer_id … legal_date) and every existing row is version 1.
    assert after["invoice_followups"] == [
        (*row, None, None, None, None, None, 1) for row in before["invoice_followups"]
    ]
    kept = ("sync_runs", "ops_revision", "invoice_followups")
    assert {k: v for k, v in after.items() if k in before and k not in kept} == {
        k: v for k, v in before.items() if k not in kept
    }
    seeded = {"dispute_reasons"}  # reference lists a migration fills
    assert all(not after[k] for k in after.keys() - before.keys() - seeded)  # tables added later start empty
    assert after["dispute_reasons"]
    assert after["ops_revision"][0][1] >= 41
    assert runs[0]["last_success_at"] == "2026-11-20T09:01:00+01:00"


def test_a_new_store_and_a_migrated_one_have_the_same_schema(tmp_path):
    old, new = StorePaths(tmp_path / "old"), StorePaths(tmp_path / "new")
    _old_store(old)
    for paths in (old, new):
        operations.connect(paths).close()

    def schema(p):
        con = sqlite3.connect(p)
        try:
            return sorted(con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
        finally:
            con.close()

    assert schema(old.operations) == schema(new.operations)


def test_a_store_from_a_newer_version_is_refused_clearly(tmp_path):
    paths = StorePaths(tmp_path / "data")
    _old_store(paths)
    con = sqlite3.connect(paths.operations)
    con.execute("PRAGMA user_version = 999")
    con.close()
    with pytest.raises(operations.OperationalStoreTooNew, match="mettez Encours à jour"):
        operations.connect(paths)
