"""What the home page shows: data freshness per entity and the size of the book, in the user's scope."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from core.cache import snapshot_cached
from core.ingestion.runs import Gaps
from core.scope import Scope
from core.store import operations
from core.store.analytical import snapshot_version
from core.store.lock import is_held
from core.store.paths import StorePaths
from core.store.reading import read_session

RECEIVABLE_STATUSES = ("not_due", "overdue", "paid")
"""What "Factures" counts: invoices issued to be paid. Credit notes, drafts, cancelled and
archived invoices are counted apart (`set_aside`) and never in the amounts."""

_ENTITY_COUNTS = """
SELECT e.entity_id, e.name,
       count(DISTINCT c.customer_id)                                              AS customers,
       count(i.invoice_id) FILTER (WHERE i.status IN ('not_due', 'overdue', 'paid'))     AS invoices,
       count(i.invoice_id) FILTER (WHERE i.status NOT IN ('not_due', 'overdue', 'paid')) AS set_aside,
       coalesce(sum(i.open_amount_eur), 0)                                        AS open_eur,
       coalesce(sum(i.open_amount_eur) FILTER (WHERE i.status = 'overdue'), 0)   AS overdue_eur,
       s.last_sync_at,
       (SELECT count(*) FROM scoped_ingest_rejects AS r WHERE r.entity_id = e.entity_id) AS rejected
FROM scoped_entities AS e
LEFT JOIN scoped_customers AS c ON c.entity_id = e.entity_id
LEFT JOIN scoped_invoices AS i ON i.entity_id = c.entity_id AND i.customer_id = c.customer_id
LEFT JOIN sync_state AS s ON s.entity_id = e.entity_id
GROUP BY e.entity_id, e.name, s.last_sync_at
ORDER BY e.name
"""


@dataclass(frozen=True)
class EntitySummary:
    entity_id: str
    name: str
    customers: int
    invoices: int
    open_eur: Decimal
    overdue_eur: Decimal
    published_sync_at: datetime | None
    last_success_at: datetime | None = None
    last_error: str | None = None
    rejected: int = 0
    set_aside: int = 0
    """Credit notes, drafts, cancelled and archived invoices: not in `invoices` nor in the amounts."""
    paid_without_date: int = 0
    """Invoices Pennylane says are paid whose payment the lettering does not date (whole entity)."""
    lettered_to_missing: int = 0
    """Ledger lines lettered with lines the sync never received (whole entity)."""

    @property
    def gaps(self) -> str:
        """The holes of the published data, in words (e.g. "47 factures payées sans date d'encaissement"), or ""."""
        return Gaps(paid_without_date=self.paid_without_date, lettered_to_missing=self.lettered_to_missing).describe()


INTERRUPTED_RUN = "synchronisation interrompue avant la fin (processus arrêté)"


def entity_summaries(paths: StorePaths, scope: Scope, *, today: date) -> list[EntitySummary]:
    """The published figures (cached per snapshot) with the sync runs as they stand now.

    The runs are read at every call: a run whose process died changes nothing in either
    store, only the ingestion lock tells it apart from one in progress.
    """
    runs = _runs_by_entity(paths)
    running_is_dead = any(r.get("last_status") == "running" for r in runs.values()) and not is_held(paths.ingest_lock)
    out = []
    for summary in _published_summaries(paths, scope, today=today):
        run = runs.get(summary.entity_id, {})
        error = run.get("last_error") if run.get("last_status") == "failed" else None
        if run.get("last_status") == "running" and running_is_dead:
            error = INTERRUPTED_RUN
        out.append(replace(summary, last_success_at=_parse(run.get("last_success_at")), last_error=error))
    return out


@snapshot_cached()
def _published_summaries(paths: StorePaths, scope: Scope, *, today: date) -> list[EntitySummary]:
    with read_session(paths, scope, today=today) as con:
        rows = con.execute(_ENTITY_COUNTS).fetchall()
        gaps = _gaps(con) if scope.sees_everything else {}  # whole-entity counts, like the rejects
    return [
        EntitySummary(
            entity_id=entity_id,
            name=name,
            customers=int(customers),
            invoices=int(invoices),
            open_eur=Decimal(open_eur),
            overdue_eur=Decimal(overdue_eur),
            published_sync_at=last_sync_at,
            rejected=int(rejected),
            set_aside=int(set_aside),
            paid_without_date=gaps.get(entity_id, (0, 0))[0],
            lettered_to_missing=gaps.get(entity_id, (0, 0))[1],
        )
        for entity_id, name, customers, invoices, set_aside, open_eur, overdue_eur, last_sync_at, rejected in rows
    ]


def _gaps(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int]]:
    try:
        rows = con.execute("SELECT entity_id, paid_without_date, lettered_to_missing FROM ingest_gaps").fetchall()
    except duckdb.CatalogException:  # a snapshot published before the table existed: the next sync adds it
        return {}
    return {e: (int(p), int(m)) for e, p, m in rows}


@dataclass(frozen=True)
class RejectedRecord:
    endpoint: str
    record_id: str | None
    reason: str


def rejected_records(
    paths: StorePaths, scope: Scope, entity_id: str, *, today: date, limit: int = 100
) -> list[RejectedRecord]:
    """Records of an entity the last syncs left out, with why — for people who see every customer."""
    with read_session(paths, scope, today=today, live=False) as con:
        rows = con.execute(
            "SELECT endpoint, record_id, reason FROM scoped_ingest_rejects WHERE entity_id = ? "
            "ORDER BY endpoint, record_id LIMIT ?",
            [entity_id, limit],
        ).fetchall()
    return [RejectedRecord(*row) for row in rows]


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _runs_by_entity(paths: StorePaths) -> dict[str, dict[str, Any]]:
    if not paths.operations.exists():
        return {}
    with operations.session(paths) as ops:
        return {r["entity_id"]: r for r in operations.latest_sync_runs(ops)}


def data_as_of(paths: StorePaths, scope: Scope, *, today: date) -> datetime | None:
    """When the data the user sees was last synced (the oldest of their entities), or None.

    Every page shows it, so it is read once per published snapshot and scope, not once per rerun.
    """
    version = snapshot_version(paths)
    return None if version is None else _synced_at(paths, version, scope, today)


@functools.lru_cache(maxsize=64)
def _synced_at(paths: StorePaths, version: str, scope: Scope, today: date) -> datetime | None:
    with read_session(paths, scope, today=today, live=False) as con:
        row = con.execute(
            "SELECT min(s.last_sync_at) FROM sync_state AS s SEMI JOIN scoped_entities USING (entity_id)"
        ).fetchone()
    return row[0] if row else None
