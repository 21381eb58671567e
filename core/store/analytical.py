"""The one place DuckDB connections are opened.

Readers get an in-memory DuckDB instance that ATTACHes the published snapshot read-only: its own
instance sidesteps DuckDB's per-path instance cache (which would keep serving the replaced file)
and never holds a lock a writer waits for, because the ingestion never writes the published file
— it replaces it (see snapshot.py).

Starting an instance costs ~27 ms, as much as a list page's queries on a million invoices, so a
reader's instance is kept for the next reader of the same snapshot (a few per process, each
used by one request at a time): its temporary views and tables are dropped when handed back, and
it is closed as soon as a newer snapshot is published or the request failed. Tests that rewrite
a published file in place call `release_idle()` first (DuckDB refuses a read-write open of a file
this process has attached read-only).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterator
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
    return snapshot_version_of(paths.published)


def snapshot_version_of(published: Path) -> str | None:
    try:
        st = os.stat(published)
    except FileNotFoundError:
        return None
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


IDLE_PER_SNAPSHOT = 2
IDLE_STORES = 2
"""Kept connections: two per snapshot, for the last stores read (a process reads one store; a
test run reads thousands). Each kept instance holds its threads and its cache of the snapshot:
~100 MB after list pages on a million invoices, released when a newer snapshot is read."""
_idle: OrderedDict[Path, tuple[str, list[duckdb.DuckDBPyConnection]]] = OrderedDict()
_idle_lock = threading.Lock()


@contextmanager
def open_snapshot(paths: StorePaths, *, keep: Collection[str] = ()) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection on the published snapshot for one request (schema `store` is current).

    `keep`: temporary views and tables the caller sets up the same way at every request (the
    read session's scope views and live rows) and rebuilds only when they change; every other
    temporary object is dropped before the connection serves another request."""
    version = snapshot_version(paths)
    if version is None:
        raise StoreNotPublished("Aucune donnée publiée : la première synchronisation n'est pas terminée.")
    con = _take(paths.published, version) or _attach(paths.published)
    reusable = False
    try:
        yield con
        reusable = _reset(con, frozenset(keep))
    finally:
        if not (reusable and _give_back(paths.published, version, con)):
            con.close()


def _attach(published: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'Europe/Paris'")
        con.execute("ATTACH ? AS store (READ_ONLY)", [str(published)])
        con.execute("USE store")
    except BaseException:
        con.close()
        raise
    return con


def _take(published: Path, version: str) -> duckdb.DuckDBPyConnection | None:
    """An idle connection on this very snapshot; idle ones on an older snapshot are closed."""
    stale: list[duckdb.DuckDBPyConnection] = []
    taken = None
    with _idle_lock:
        kept = _idle.get(published)
        if kept and kept[0] != version:
            stale = kept[1]
            del _idle[published]
        elif kept and kept[1]:
            taken = kept[1].pop()
    for con in stale:
        con.close()
    return taken


def _give_back(published: Path, version: str, con: duckdb.DuckDBPyConnection) -> bool:
    if snapshot_version_of(published) != version:
        return False  # a newer snapshot was published meanwhile
    evicted: list[duckdb.DuckDBPyConnection] = []
    with _idle_lock:
        kept = _idle.setdefault(published, (version, []))
        if kept[0] != version or len(kept[1]) >= IDLE_PER_SNAPSHOT:
            return False
        kept[1].append(con)
        _idle.move_to_end(published)
        while len(_idle) > IDLE_STORES:
            evicted.extend(_idle.popitem(last=False)[1][1])
    for old in evicted:
        old.close()
    return True


_TEMPORARY = (
    "SELECT 'VIEW', view_name FROM duckdb_views() WHERE database_name = 'temp' "
    "UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables() WHERE database_name = 'temp'"
)


def _reset(con: duckdb.DuckDBPyConnection, keep: frozenset[str]) -> bool:
    """Drop what a request left in its connection (temporary views and tables, registered rows)
    but `keep`; False when it cannot be made clean, and the connection is then closed, not kept."""
    try:
        con.abort()  # a result the request left half-read would block the next request's queries
        for kind, name in con.execute(_TEMPORARY).fetchall():
            if name in keep:
                continue
            # identifiers read from the catalog just now, quoted; never input
            con.execute("DROP " + kind + ' IF EXISTS temp.main."' + str(name).replace('"', '""') + '"')
        con.execute("USE store")
    except duckdb.Error:
        return False
    return True


def release_idle() -> None:
    """Close every kept connection (before a test rewrites a published file in place)."""
    with _idle_lock:
        kept = [con for _, cons in _idle.values() for con in cons]
        _idle.clear()
    for con in kept:
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
