"""Turn staged Pennylane records (JSON lines) into the raw tables of a snapshot build.

One code path for every source: the ingestion writes the pages it fetched as JSON-lines
files, the demo company is generated in the same format, and both are loaded here.

Contract rule (documented in docs/schema.md): a record that breaks the contract — no id,
an amount that is not an exact number, no customer, a date that is not a date, the same id
twice with different contents — is left out, listed in `ingest_rejects` with its endpoint,
id and reason, and reported; nothing is written for it, so no wrong amount reaches the
store. A status Pennylane adds later is kept as received and the normalised status is
derived from amounts and dates instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from core.store.schema import sql_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Resource:
    name: str  # file stem and changelog name
    endpoint: str  # Pennylane path, for messages
    table: str
    id_column: str
    staging: str


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource("customers", "/customers", "pennylane_customers", "customer_id", "stg_customers"),
        Resource(
            "customer_invoices",
            "/customer_invoices",
            "pennylane_customer_invoices",
            "invoice_id",
            "stg_customer_invoices",
        ),
        Resource(
            "ledger_entry_lines",
            "/ledger_entry_lines",
            "pennylane_ledger_entry_lines",
            "line_id",
            "stg_ledger_entry_lines",
        ),
    )
}


class StagingError(RuntimeError):
    """A staged file cannot be read at all (not JSON lines)."""


@dataclass(frozen=True)
class Reject:
    entity_id: str
    endpoint: str
    record_id: str | None
    reason: str

    def __str__(self) -> str:
        return f"{self.endpoint} id={self.record_id or '?'} ({self.entity_id}) : {self.reason}"


@dataclass
class LoadResult:
    loaded: int = 0
    rejects: list[Reject] = field(default_factory=list)


def _sql(resource: Resource, template: str) -> str:
    """Statements over one resource's table; identifiers come from RESOURCES, never from input."""
    return template.format(table=resource.table, id=resource.id_column, staging=sql_text("staging/" + resource.staging))


_TYPED = "CREATE OR REPLACE TEMP TABLE staged_typed AS {staging}"
_REPEATED_IDS = (
    "SELECT count(*) FROM (SELECT {id} FROM staged_typed WHERE reject_reason IS NULL GROUP BY {id} HAVING count(*) > 1)"
)
_CONFLICTING_DUPLICATES = """
UPDATE staged_typed SET reject_reason = 'id en double dans la réponse, contenus différents'
WHERE reject_reason IS NULL AND {id} IN (
    SELECT {id} FROM staged_typed WHERE reject_reason IS NULL
    GROUP BY {id} HAVING count(*) > 1 AND count(DISTINCT content_hash) > 1)
"""
_RAW_OF_CONFLICTING = """
UPDATE staged_typed AS s SET rejected_raw = r.raw
FROM (SELECT json AS raw, hash(json) AS content_hash FROM read_ndjson_objects($files)) AS r
WHERE s.reject_reason IS NOT NULL AND s.rejected_raw IS NULL AND s.content_hash = r.content_hash
"""
"""Records rejected as conflicting duplicates get their JSON back from the files (rare: one more read)."""
_REJECTS = "SELECT record_id, reject_reason FROM staged_typed WHERE reject_reason IS NOT NULL ORDER BY record_id"
_CLEAR_ENTITY = "DELETE FROM {table} WHERE entity_id = ?"
_CLEAR_IDS = (
    "DELETE FROM {table} WHERE entity_id = ? AND {id} IN (SELECT {id} FROM staged_typed WHERE {id} IS NOT NULL)"
)
_INSERT = (
    "INSERT INTO {table} BY NAME SELECT * EXCLUDE (record_id, reject_reason, rejected_raw, content_hash)"
    " FROM staged_typed WHERE reject_reason IS NULL"
)
_INSERT_ONCE_PER_ID = _INSERT + " QUALIFY row_number() OVER (PARTITION BY {id}) = 1"
_COUNT_VALID = "SELECT count(DISTINCT {id}) FROM staged_typed WHERE reject_reason IS NULL"
_CLEAR_REJECTS_ENTITY = "DELETE FROM ingest_rejects WHERE entity_id = ? AND endpoint = ?"
_CLEAR_REJECTS_IDS = "DELETE FROM ingest_rejects WHERE entity_id = ? AND endpoint = ? AND record_id IN (SELECT record_id FROM staged_typed)"
_SAVE_REJECTS = """
INSERT INTO ingest_rejects (entity_id, endpoint, record_id, reason, raw)
SELECT ?, ?, record_id, reject_reason, rejected_raw::VARCHAR FROM staged_typed WHERE reject_reason IS NOT NULL ORDER BY record_id
"""


def ensure_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql_text("staging/encours_decimal_ok"))


def load_records(
    con: duckdb.DuckDBPyConnection,
    entity_id: str,
    resource_name: str,
    files: Sequence[Path],
    *,
    replace: bool,
) -> LoadResult:
    """Load staged records of one resource for one entity into its raw table.

    `replace=True` makes the staged records the entity's whole set (full sync);
    otherwise they replace only the rows with the same ids (incremental sync).
    Runs inside the caller's transaction when there is one.
    """
    resource = RESOURCES[resource_name]
    ensure_macros(con)
    existing = [str(p) for p in files if p.exists() and p.stat().st_size > 0]
    if replace:
        con.execute(_sql(resource, _CLEAR_ENTITY), [entity_id])
        con.execute(_CLEAR_REJECTS_ENTITY, [entity_id, resource.endpoint])
    if not existing:
        return LoadResult()
    try:
        con.execute(_sql(resource, _TYPED), {"entity_id": entity_id, "files": existing})
    except duckdb.Error as exc:
        raise StagingError(f"{resource.endpoint} ({entity_id}) : fichier de données illisible ({exc}).") from exc
    repeated = _scalar(con, _sql(resource, _REPEATED_IDS))
    if repeated:
        con.execute(_sql(resource, _CONFLICTING_DUPLICATES))
        con.execute(_RAW_OF_CONFLICTING, {"files": existing})
    if not replace:
        con.execute(_sql(resource, _CLEAR_IDS), [entity_id])
        con.execute(_CLEAR_REJECTS_IDS, [entity_id, resource.endpoint])
    con.execute(_sql(resource, _INSERT_ONCE_PER_ID if repeated else _INSERT))
    result = LoadResult(loaded=_scalar(con, _sql(resource, _COUNT_VALID)))
    result.rejects = [
        Reject(entity_id, resource.endpoint, record_id, reason)
        for record_id, reason in con.execute(_REJECTS).fetchall()
    ]
    con.execute(_SAVE_REJECTS, [entity_id, resource.endpoint])
    con.execute("DROP TABLE staged_typed")
    return result  # the caller logs a summary of the rejects, not one line per record


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


_KEPT = "SELECT count(*) FROM {table} WHERE entity_id = ?"
_REJECTED = "SELECT count(*) FROM ingest_rejects WHERE entity_id = ? AND endpoint = ?"


def entity_counts(con: duckdb.DuckDBPyConnection, entity_id: str) -> dict[str, tuple[int, int]]:
    """Per resource, the entity's records in the build: (kept, left out as contract breaches)."""
    out = {}
    for name, resource in RESOURCES.items():
        kept = con.execute(_sql(resource, _KEPT), [entity_id]).fetchone()
        rejected = con.execute(_REJECTED, [entity_id, resource.endpoint]).fetchone()
        out[name] = (int(kept[0]) if kept else 0, int(rejected[0]) if rejected else 0)
    return out


def delete_records(con: duckdb.DuckDBPyConnection, entity_id: str, resource_name: str, ids: Iterable[int]) -> int:
    """Apply deletions reported by Pennylane's changelogs."""
    resource = RESOURCES[resource_name]
    id_list = sorted(set(ids))
    if not id_list:
        return 0
    con.execute(
        _sql(resource, "DELETE FROM {table} WHERE entity_id = ? AND list_contains(?, {id})"), [entity_id, id_list]
    )
    return len(id_list)
