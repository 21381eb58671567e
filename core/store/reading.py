"""The session every app query runs in: the published snapshot, joined with live operational
rows, restricted to the user's scope, with "today" pinned.

- Live overlay: the snapshot carries a copy of the hierarchy and follow-ups as of its
  publish (for analysts). Here Arrow relations registered under the same names shadow them
  with the rows currently in the operational store (re-read only when its revision moves),
  so the views in the snapshot (invoices, cash_events…) show an agreement date the moment a
  collector records it, with one definition of each view.
- Scope: queries read `scoped_invoices`, `scoped_customers` and `scoped_cash_events`, which
  are the views restricted to the scope's customers; `scoped_entities`, the entities where the
  scope has at least one customer (a sales rep never learns the name of the others); and
  `scoped_ingest_rejects`, the records the sync left out — they belong to no customer, so only
  people who see every customer see them; `scoped_customer_keys`, just the (entity_id,
  customer_id) pairs, for aggregates that join customers without the whole customers view.
  This is the only place rows are filtered by role.

This session is the only way the app reads data: pages, `ui/` and the feature modules of `core/`
never open the snapshot themselves (tests/test_layout.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import pyarrow as pa

from core.scope import Scope
from core.store import operations
from core.store.analytical import StoreNotPublished, open_snapshot, snapshot_version
from core.store.paths import StorePaths
from core.store.schema import DERIVED, VIEWS, sql_text

SCOPED_VIEWS = ("invoices", "customers", "cash_events")
# Identifiers below come from these constants, never from input (hence the noqa: S608).
_SCOPED_ALL = {v: "CREATE OR REPLACE TEMP VIEW scoped_" + v + " AS SELECT * FROM " + v for v in SCOPED_VIEWS}  # noqa: S608
_SEMI_JOIN_SCOPE = " SEMI JOIN scope_customers USING (entity_id, customer_id)"
_SCOPED_SOME = {v: _SCOPED_ALL[v] + _SEMI_JOIN_SCOPE for v in SCOPED_VIEWS}
_ENTITIES_ALL = "CREATE OR REPLACE TEMP VIEW scoped_entities AS SELECT * FROM entities"
_ENTITIES_SOME = "CREATE OR REPLACE TEMP VIEW scoped_entities AS SELECT * FROM entities WHERE entity_id IN (SELECT entity_id FROM scope_customers)"
_KEYS_ALL = "CREATE OR REPLACE TEMP VIEW scoped_customer_keys AS SELECT entity_id, customer_id FROM pennylane_customers"
_KEYS_SOME = "CREATE OR REPLACE TEMP VIEW scoped_customer_keys AS SELECT entity_id, customer_id FROM scope_customers"
_REJECTS_ALL = "CREATE OR REPLACE TEMP VIEW scoped_ingest_rejects AS SELECT * FROM ingest_rejects"
_REJECTS_NONE = "CREATE OR REPLACE TEMP VIEW scoped_ingest_rejects AS SELECT * FROM ingest_rejects WHERE false"


@contextmanager
def read_session(
    paths: StorePaths, scope: Scope, *, today: date, live: bool = True
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only session for one request. `live=False` reads the snapshot's own copy.

    The connection may have served a request before (core/store/analytical.py keeps them): its
    live rows and scope views stay when they are still right (`session_state` says what they
    were set up for), and are set up again when the operational store moved or the scope's
    kind changed; the scope's own customers are loaded at every request."""
    with open_snapshot(paths, keep=_FURNITURE) as con:
        _check_derived(paths, con)
        con.execute("SET VARIABLE encours_today = ?", [today.isoformat()])
        previous = _session_state(con)
        live_key = "snapshot"
        if live:
            revision, tables = _live_rows(paths)
            live_key = f"live:{revision}" if tables else "snapshot"
        if previous is None or previous[0] != live_key:
            _unregister_live(con)
            if live_key != "snapshot":
                for name, table in tables.items():
                    con.register(name, table)  # shadows the snapshot's copy of the same name
                con.register("customers", _live_customers(paths, con, revision))
        mode = "all" if scope.customers is None else "some"
        _apply_scope(con, scope, views=previous is None or previous[1] != mode)
        if previous != (live_key, mode):
            con.execute(
                "CREATE OR REPLACE TEMP TABLE session_state AS SELECT ? AS live_key, ? AS mode", [live_key, mode]
            )
        yield con


_REGISTERED = (*operations.ORGANISATION_TABLES, "customers")
_FURNITURE = frozenset(
    {*_REGISTERED, "session_state", "scoped_entities", "scoped_customer_keys", "scoped_ingest_rejects"}
    | {"scoped_" + v for v in SCOPED_VIEWS}
)
"""What a read session sets up and a kept connection keeps for the next one (analytical.open_snapshot)."""


def _session_state(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    try:
        rows = con.execute("SELECT live_key, mode FROM temp.main.session_state").fetchall()  # all: none left pending
    except duckdb.CatalogException:
        return None
    return (str(rows[0][0]), str(rows[0][1])) if rows else None


def _unregister_live(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE database_name = 'temp'").fetchall()
    }
    for name in _REGISTERED:
        if name in present:
            con.unregister(name)


class SnapshotTooOld(StoreNotPublished):
    """The published snapshot was built by an older Encours: a view, table or macro this code reads
    is missing. Every publish rebuilds them (core/store/schema.py DERIVED), so the next sync fixes it."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "Les données publiées datent d'une version précédente d'Encours (il leur manque : "
            + ", ".join(missing)
            + ") : la prochaine synchronisation les met à jour."
        )


_DERIVED_SQL = """
SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()
UNION ALL SELECT function_name FROM duckdb_functions() WHERE function_type = 'macro' AND NOT internal
"""
_VIEW_COLUMNS_SQL = "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND table_name = ?"
_checked: set[tuple[StorePaths, str | None]] = set()


def _check_derived(paths: StorePaths, con: duckdb.DuckDBPyConnection) -> None:
    """SnapshotTooOld unless the snapshot holds every derived relation, and the modelled views
    every column their current definition has (checked once per snapshot)."""
    key = (paths, snapshot_version(paths))
    if key in _checked:
        return
    present = {row[0] for row in con.execute(_DERIVED_SQL).fetchall()}
    missing = [name for name in DERIVED if name not in present]
    if not missing:
        missing = [view for view in VIEWS if not _view_current(con, view)]
    if missing:
        raise SnapshotTooOld(missing)
    _checked.add(key)


def _view_current(con: duckdb.DuckDBPyConnection, view: str) -> bool:
    """Whether the snapshot's `view` has the columns of the definition in core/sql/, bound here as
    a temporary view over the snapshot's own relations (a view published by an older Encours lacks
    the columns added since, and a page would fail on them)."""
    database = con.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
    published = {row[0] for row in con.execute(_VIEW_COLUMNS_SQL, [database, view]).fetchall()}
    probe = "_current_" + view
    header = "CREATE OR REPLACE VIEW " + view + " AS"
    assert header in sql_text(view), f"core/sql/{view}.sql no longer starts its view with {header!r}"
    definition = sql_text(view).replace(header, "CREATE OR REPLACE TEMP VIEW " + probe + " AS")
    try:
        con.execute(definition)
    except duckdb.Error:
        return False  # it reads a column the snapshot's tables do not have
    try:
        expected = {row[0] for row in con.execute(_VIEW_COLUMNS_SQL, ["temp", probe]).fetchall()}
    finally:
        con.execute("DROP VIEW IF EXISTS temp.main." + probe)
    return expected <= published


_live_cache: dict[StorePaths, tuple[int, dict[str, pa.Table]]] = {}
_live_lock = threading.Lock()


def live_organisation(paths: StorePaths) -> dict[str, pa.Table]:
    """The operational store's hierarchy and follow-ups, re-read only when its revision moved."""
    return _live_rows(paths)[1]


def _live_rows(paths: StorePaths) -> tuple[int | None, dict[str, pa.Table]]:
    if not paths.operations.exists():
        return None, {}
    with operations.session(paths) as ops:
        current = operations.revision(ops)
        with _live_lock:
            cached = _live_cache.get(paths)
        if cached and cached[0] == current:
            return current, cached[1]
        tables = operations.read_organisation(ops)
    with _live_lock:
        _live_cache[paths] = (current, tables)
    return current, tables


_customers_cache: dict[StorePaths, tuple[tuple[str | None, int | None], pa.Table]] = {}


def _live_customers(paths: StorePaths, con: duckdb.DuckDBPyConnection, revision: int | None) -> pa.Table:
    """The `customers` view over the live hierarchy, computed once per (snapshot, operational
    revision) and registered in its place: every list and aggregate joins a million invoices to
    it, and joining a ready table on its integer key costs a third of evaluating the view each time."""
    key = (snapshot_version(paths), revision)
    with _live_lock:
        cached = _customers_cache.get(paths)
    if cached and cached[0] == key:
        return cached[1]
    table = con.sql("SELECT * FROM customers").to_arrow_table()
    with _live_lock:
        _customers_cache[paths] = (key, table)
    return table


def _apply_scope(con: duckdb.DuckDBPyConnection, scope: Scope, *, views: bool = True) -> None:
    """The scoped views (`views`: (re)create them; else they are those of this scope's kind
    already) and, for a restricted scope, the table of its customers they read."""
    if scope.customers is None:
        if views:
            for sql in (*_SCOPED_ALL.values(), _KEYS_ALL, _ENTITIES_ALL, _REJECTS_ALL):
                con.execute(sql)
        return
    pairs = sorted(scope.customers)
    allowed = pa.table(
        {
            "entity_id": pa.array([e for e, _ in pairs], pa.string()),
            "customer_id": pa.array([c for _, c in pairs], pa.int64()),
        }
    )
    con.register("_scope_rows", allowed)
    con.execute("CREATE OR REPLACE TEMP TABLE scope_customers AS SELECT * FROM _scope_rows")
    con.unregister("_scope_rows")
    if views:
        for sql in (*_SCOPED_SOME.values(), _KEYS_SOME, _ENTITIES_SOME, _REJECTS_NONE):
            con.execute(sql)
