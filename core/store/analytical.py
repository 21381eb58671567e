"""The one place DuckDB connections are opened.

Readers get a fresh in-memory DuckDB instance that ATTACHes the published snapshot read-only:
a new instance per request sidesteps DuckDB's per-path instance cache (which would keep
serving the replaced file) and never holds a lock a writer waits for, because the ingestion
never writes the published file — it replaces it (see snapshot.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from core.store.paths import StorePaths

STORAGE_VERSION = "v1.5.0"
"""Published files stay readable by the analysts' DuckDB CLI (duckdb-cli 1.5.x)."""
BUILD_MEMORY_LIMIT = "2GB"


class StoreNotPublished(RuntimeError):
    """No snapshot has been published yet (first sync not finished)."""


def snapshot_version(paths: StorePaths) -> str | None:
    """Identifies the published snapshot; changes at every publish. Keys the app's caches."""
    try:
        st = os.stat(paths.published)
    except FileNotFoundError:
        return None
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


@contextmanager
def open_snapshot(paths: StorePaths) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-only connection on the published snapshot (schema `store` is current)."""
    if not paths.published.exists():
        raise StoreNotPublished("Aucune donnée publiée : la première synchronisation n'est pas terminée.")
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'Europe/Paris'")
        con.execute("ATTACH ? AS store (READ_ONLY)", [str(paths.published)])
        con.execute("USE store")
        yield con
    finally:
        con.close()


def open_build(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection on a private build file (only the ingestion calls this).

    A new file is created in the storage format the analysts' CLI reads; an existing one
    (a copy of the published snapshot) keeps the format it was written in.
    """
    con = duckdb.connect(
        str(path),
        config={
            "storage_compatibility_version": STORAGE_VERSION,
            # bounded memory: a 1M-invoice load spills to the work directory instead of growing
            "memory_limit": BUILD_MEMORY_LIMIT,
            "temp_directory": str(path.parent / "duckdb-tmp"),
            "preserve_insertion_order": False,
        },
    )
    con.execute("SET TimeZone = 'Europe/Paris'")
    return con
