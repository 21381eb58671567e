"""The store's relations, each defined in the `.sql` file named after it (core/sql/).

Order matters only where one relation reads another: tables first, then what is rebuilt
from them at every publish.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"

RAW_TABLES = ("pennylane_customers", "pennylane_customer_invoices", "pennylane_ledger_entry_lines")
ORGANISATION_TABLES = ("agencies", "users", "customer_accounts", "customer_managers", "invoice_followups")
"""Copied from the operational store at each publish (analysts see them); the app overlays live rows."""
TABLES = (*RAW_TABLES, "entities", "sync_state", "ingest_rejects", *ORGANISATION_TABLES)
DERIVED = ("encours_today", "payment_allocations", "invoice_settlements", "customers", "invoices", "cash_events")
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
