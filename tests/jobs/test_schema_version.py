"""A snapshot built with another schema version is rebuilt from scratch by the next sync,
by itself, instead of failing on tables that no longer fit."""

from __future__ import annotations

import duckdb

from core.store.analytical import open_snapshot, release_idle
from core.store.schema import SCHEMA_VERSION
from tests.jobs.conftest import seeded
from tests.jobs.sync_helpers import checksums, sync
from tests.support.pennylane_server import serve


def _age(paths) -> None:
    """Make the published snapshot look built by an older version: a column it did not have yet."""
    release_idle()  # this process's kept read-only connections would refuse the rewrite
    con = duckdb.connect(str(paths.published))
    try:
        con.execute("ALTER TABLE pennylane_customer_invoices DROP COLUMN e_invoicing_status")
        con.execute("DELETE FROM schema_version")
        con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION - 1])
    finally:
        con.close()


def test_a_snapshot_of_another_schema_version_is_rebuilt_by_a_full_sync(tmp_path, demo_dir, store):
    with serve(demo_dir, rate_limit=False) as server:
        assert sync(store, demo_dir, server.base_url).ok
        _age(store)
        result = sync(store, demo_dir, server.base_url)  # would be incremental on a current snapshot
        assert result.ok, result.failures
        assert set(result.modes.values()) == {"full"}
        fresh = seeded(tmp_path / "fresh", demo_dir)
        assert sync(fresh, demo_dir, server.base_url).ok
    assert checksums(store) == checksums(fresh)
    with open_snapshot(store) as con:
        assert con.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
