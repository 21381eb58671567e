"""The store's relations, each defined in the `.sql` file named after it (core/sql/).

Order matters only where one relation reads another: tables first, then what is rebuilt
from them at every publish.

SCHEMA_VERSION numbers the tables' definitions: bump it whenever a table in TABLES changes
(columns, types). A snapshot built with another version is not reused: the next sync rebuilds
every entity from scratch. Derived relations are rebuilt at every publish and need no bump.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
SCHEMA_VERSION = 4
"""Version of the table definitions; 0 stands for a snapshot from before versioning."""

RAW_TABLES = ("pennylane_customers", "pennylane_customer_invoices", "pennylane_ledger_entry_lines")
ORGANISATION_TABLES = ("agencies", "users", "customer_accounts", "customer_managers", "invoice_followups")
"""Copied from the operational store at each publish (analysts see them); the app overlays live rows."""
ENTITY_TABLES = (*RAW_TABLES, "entities", "sync_state", "ingest_rejects")
"""Tables whose rows belong to one entity (`entity_id`): what an entity keeps from a previous snapshot."""
TABLES = (*ENTITY_TABLES, *ORGANISATION_TABLES, "schema_version")
DERIVED = (
    "encours_today",
    "dso_countback",
    "payment_allocations",
    "invoice_settlements",
    "dashboard_customers",
    "invoice_facts",
    "ingest_gaps",
    "customers",
    "invoices",
    "cash_events",
    "dashboard_invoices",
    "dashboard_open",
    "dashboard_collected",
)
"""Rebuilt from the tables at each publish, in this order."""
VIEWS = ("customers", "invoices", "cash_events")
"""The modelled views every page reads; documented column by column in docs/schema.md."""


@functools.cache
def sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name in TABLES:
        con.execute(sql_text(name))


def rebuild_derived(con: duckdb.DuckDBPyConnection) -> None:
    for name in DERIVED:
        con.execute(sql_text(name))


def read_schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The version a snapshot was built with (0: before versioning)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'schema_version'"
    ).fetchone()
    if not found or not found[0]:
        return 0
    row = con.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def write_schema_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM schema_version")
    con.execute("INSERT INTO schema_version (version) VALUES (?)", [SCHEMA_VERSION])
