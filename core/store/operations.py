"""The operational store: what people and the scheduler write (statuses, agreement dates,
notes, calls, reminder log, e-mail events, users, hierarchy, sync runs).

SQLite in WAL mode lets many processes write it concurrently, which the DuckDB file
cannot. Every access goes through this module, so PostgreSQL can replace it later.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from core.store.paths import StorePaths
from core.store.schema import ORGANISATION_TABLES, SQL_DIR

MIGRATIONS_DIR = SQL_DIR / "ops" / "migrations"

OPS_TABLES = ("agencies", "users", "customer_accounts", "customer_managers", "invoice_followups", "sync_runs")
BUSY_TIMEOUT_MS = 15_000
_SELECT_ALL = {name: "SELECT * FROM " + name for name in OPS_TABLES}  # noqa: S608 - whitelisted identifiers


def connect(paths: StorePaths) -> sqlite3.Connection:
    """A connection to the operational store, schema ensured. Close it when done."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(paths.operations, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    con.execute("PRAGMA busy_timeout = 15000")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute("PRAGMA foreign_keys = ON")
    file_id = (str(paths.operations), os.stat(paths.operations).st_ino)
    if file_id not in _MIGRATED:  # once per file per process, not at every request
        try:
            migrate(con)
        except BaseException:
            con.close()
            raise
        _MIGRATED.add(file_id)
    return con


@contextmanager
def session(paths: StorePaths) -> Iterator[sqlite3.Connection]:
    con = connect(paths)
    try:
        yield con
    finally:
        con.close()


_MIGRATED: set[tuple[str, int]] = set()


class OperationalStoreTooNew(RuntimeError):
    """The operational store was migrated by a newer version of Encours than this one."""


@functools.cache
def migrations() -> tuple[tuple[int, str], ...]:
    """The numbered migration files (`NNNN_what.sql`), in order: (version, script)."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = re.fullmatch(r"(\d{4})_[a-z0-9_]+\.sql", path.name)
        if not match:
            raise ValueError(f"nom de migration invalide : {path.name}")
        found.append((int(match.group(1)), path.read_text(encoding="utf-8")))
    versions = [v for v, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations non consécutives : {versions}")
    return tuple(found)


def schema_version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])


REBUILDS_TABLES = "-- encours: foreign_keys off"
"""First line of a migration that rebuilds a referenced table (SQLite cannot alter a CHECK or a
column): foreign keys are off while it runs, as SQLite's documented procedure asks, and every
reference is checked before it commits."""


def migrate(con: sqlite3.Connection) -> int:
    """Bring the store forward to the latest migration, each in its own transaction; returns the version.

    The version is read again inside the write transaction, so two processes opening an old
    store at once apply each migration once.
    """
    for version, script in migrations():
        rebuilds = script.startswith(REBUILDS_TABLES)
        if rebuilds:
            con.execute("PRAGMA foreign_keys = OFF")  # no effect inside a transaction: set before BEGIN
        con.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(con)
            if current < version:
                for statement in _statements(script):
                    con.execute(statement)
                broken = con.execute("PRAGMA foreign_key_check").fetchall() if rebuilds else []
                if broken:
                    raise sqlite3.IntegrityError(f"migration {version} : références cassées {broken[:5]}")
                # PRAGMA takes no bound parameter; `version` is an int parsed from a file name.
                con.execute("PRAGMA user_version = " + str(int(version)))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            if rebuilds:
                con.execute("PRAGMA foreign_keys = ON")
    latest = len(migrations())
    current = schema_version(con)
    if current > latest:
        raise OperationalStoreTooNew(
            f"la base opérationnelle est en version {current}, plus récente que ce code (version {latest}) : "
            "mettez Encours à jour."
        )
    return current


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration file, one at a time (executescript would commit on its own)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending
            pending = ""
    if pending.strip() and not all(x.strip().startswith("--") for x in pending.splitlines() if x.strip()):
        raise ValueError(f"instruction SQL incomplète en fin de migration : {pending[:80]!r}")


@contextmanager
def transaction(con: sqlite3.Connection, *, revision: bool = True) -> Iterator[sqlite3.Connection]:
    """One write transaction (BEGIN IMMEDIATE: writers queue instead of failing).

    `revision` bumps the store's revision, which the app's caches and live overlay key on: leave
    it for writes nothing reads through them (sign-in counters, sessions), so a page run that
    touches a session does not invalidate every cache.
    """
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
        if revision:
            con.execute("UPDATE ops_revision SET revision = revision + 1 WHERE id = 1")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def revision(con: sqlite3.Connection) -> int:
    row = con.execute("SELECT revision FROM ops_revision WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def seed_organisation(con: sqlite3.Connection, organisation: Mapping[str, Any]) -> bool:
    """Load a hierarchy (agencies, users, assignments) into an empty store; a no-op otherwise.

    Returns True when it seeded. The hierarchy belongs to the admins once it exists, so a
    second seeding never overwrites their changes.
    """
    if con.execute("SELECT count(*) FROM users").fetchone()[0]:
        return False
    with transaction(con):
        con.executemany(
            "INSERT INTO agencies (agency_id, name, entity_id) VALUES (:agency_id, :name, :entity_id)",
            organisation["agencies"],
        )
        con.executemany(
            "INSERT INTO users (email, full_name, role, agency_id, active) "
            "VALUES (:email, :full_name, :role, :agency_id, 1)",
            organisation["users"],
        )
        con.executemany(
            "INSERT INTO customer_accounts (entity_id, customer_id, agency_id) "
            "VALUES (:entity_id, :customer_id, :agency_id)",
            organisation["customer_accounts"],
        )
        con.executemany(
            "INSERT INTO customer_managers (entity_id, customer_id, email, is_primary) "
            "VALUES (:entity_id, :customer_id, :email, :is_primary)",
            organisation["customer_managers"],
        )
    return True


# SQLite stores dates as ISO text and booleans as integers; the snapshot's tables (and the views
# reading them) have real types, so rows are typed here once, for the snapshot copy and the overlay.
_TYPES: dict[str, pa.DataType] = {
    "customer_id": pa.int64(),
    "invoice_id": pa.int64(),
    "is_primary": pa.bool_(),
    "active": pa.bool_(),
    "agreement_date": pa.date32(),
    "dispute_expected_end": pa.date32(),
    "on_hold_until": pa.date32(),
    "legal_date": pa.date32(),
    "version": pa.int64(),
    "updated_at": pa.timestamp("us", tz="UTC"),
}


def _typed(name: str, values: list[Any]) -> pa.Array:
    kind = _TYPES.get(name, pa.string())
    if kind == pa.date32():
        values = [date.fromisoformat(v) if v else None for v in values]
    elif pa.types.is_timestamp(kind):
        values = [datetime.fromisoformat(v) if v else None for v in values]
    elif kind == pa.bool_():
        values = [None if v is None else bool(v) for v in values]
    return pa.array(values, type=kind)


def read_table(con: sqlite3.Connection, table: str) -> pa.Table:
    """A whole operational table as typed Arrow, for copying into a snapshot or overlaying a read."""
    if table not in OPS_TABLES:
        raise ValueError(f"unknown operational table {table!r}")
    cur = con.execute(_SELECT_ALL[table])
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return pa.table({name: _typed(name, [row[i] for row in rows]) for i, name in enumerate(names)})


def read_organisation(con: sqlite3.Connection) -> dict[str, pa.Table]:
    """The tables a snapshot carries a copy of, read in one consistent transaction."""
    con.execute("BEGIN")
    try:
        return {name: read_table(con, name) for name in ORGANISATION_TABLES}
    finally:
        con.execute("COMMIT")


def start_sync_run(con: sqlite3.Connection, entity_id: str, mode: str, now: datetime) -> int:
    with transaction(con):
        cur = con.execute(
            "INSERT INTO sync_runs (entity_id, started_at, mode, status) VALUES (?, ?, ?, 'running')",
            (entity_id, now.isoformat(), mode),
        )
    return int(cur.lastrowid or 0)


def finish_sync_run(
    con: sqlite3.Connection,
    run_id: int,
    now: datetime,
    *,
    error: str | None = None,
    requests: int | None = None,
    records: int | None = None,
    rejected: int | None = None,
    mode: str | None = None,
) -> None:
    with transaction(con):
        con.execute(
            "UPDATE sync_runs SET finished_at = ?, status = ?, error = ?, requests = ?, records = ?, rejected = ?,"
            " mode = coalesce(?, mode) WHERE run_id = ?",
            (now.isoformat(), "failed" if error else "success", error, requests, records, rejected, mode, run_id),
        )


INTERRUPTED = "interrompue"
"""The reason given to a run its process never closed (killed, machine stopped)."""


def close_interrupted_runs(con: sqlite3.Connection, now: datetime) -> int:
    """Mark failed every run still `running`. Call only while holding the ingestion lock: then no
    other run is alive, so such a row was left by a process that died. Returns how many."""
    with transaction(con):
        cur = con.execute(
            "UPDATE sync_runs SET finished_at = ?, status = 'failed', error = ? WHERE status = 'running'",
            (now.isoformat(), INTERRUPTED),
        )
    return int(cur.rowcount or 0)


def latest_sync_runs(con: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per entity: the last run, the last successful one, and its error if the last run failed."""
    rows = con.execute(
        """
        SELECT r.entity_id,
               (SELECT max(finished_at) FROM sync_runs s WHERE s.entity_id = r.entity_id AND s.status = 'success')
                   AS last_success_at,
               r.status AS last_status, r.started_at AS last_started_at, r.finished_at AS last_finished_at,
               r.error AS last_error
        FROM sync_runs r
        WHERE r.run_id = (SELECT max(run_id) FROM sync_runs s WHERE s.entity_id = r.entity_id)
        ORDER BY r.entity_id
        """
    ).fetchall()
    keys = ("entity_id", "last_success_at", "last_status", "last_started_at", "last_finished_at", "last_error")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def upsert_followup(
    con: sqlite3.Connection,
    entity_id: str,
    invoice_id: int,
    *,
    internal_status: str,
    agreement_date: str | None,
    updated_by: str | None,
    now: datetime,
) -> None:
    """Record a collector's status and agreement date for one invoice."""
    with transaction(con):
        con.execute(
            """
            INSERT INTO invoice_followups (entity_id, invoice_id, internal_status, agreement_date, updated_at, updated_by)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (entity_id, invoice_id) DO UPDATE SET
                internal_status = excluded.internal_status,
                agreement_date = excluded.agreement_date,
                updated_at = excluded.updated_at,
                updated_by = excluded.updated_by
            """,
            (entity_id, invoice_id, internal_status, agreement_date, now.isoformat(), updated_by),
        )
