"""One ingestion run: load every entity's batch into a private build, then publish it.

The ingestion lock is held for the whole run, the sync state is written in the same
snapshot as the data, and each entity's outcome is logged in the operational store so the
app can show the last success and the last error.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from core.ingestion.batches import RESOURCE_NAMES, EntityBatch
from core.ingestion.state import published_entities
from core.store import operations
from core.store.loader import Reject, delete_records, load_records
from core.store.lock import ingestion_lock
from core.store.paths import StorePaths
from core.store.snapshot import SnapshotBuild, remove_stale_builds

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    records: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    load_s: float = 0.0
    publish_s: float = 0.0


def publish_batches(
    paths: StorePaths,
    batches: Sequence[EntityBatch],
    *,
    now: datetime,
    source: str,
    lock_held: bool = False,
) -> RunReport:
    """Load the batches into a new snapshot and publish it. Raises without publishing on error."""
    if lock_held:
        return _publish(paths, batches, now=now, source=source)
    with ingestion_lock(paths.ingest_lock):
        return _publish(paths, batches, now=now, source=source)


def _publish(paths: StorePaths, batches: Sequence[EntityBatch], *, now: datetime, source: str) -> RunReport:
    paths.ensure()
    remove_stale_builds(paths)
    report = RunReport()
    started = time.perf_counter()
    # Start from an empty store only when every entity already published is fully re-loaded;
    # otherwise from a copy, so an entity that failed this time keeps its previous data.
    fresh = all(b.full for b in batches) and published_entities(paths) <= {b.entity_id for b in batches}
    with SnapshotBuild(paths, from_published=not fresh) as build:
        con = build.con
        con.execute("BEGIN")
        for batch in batches:
            for resource in RESOURCE_NAMES:
                if batch.deleted.get(resource):
                    delete_records(con, batch.entity_id, resource, batch.deleted[resource])
                result = load_records(con, batch.entity_id, resource, batch.files.get(resource, []), replace=batch.full)
                report.records[resource] = report.records.get(resource, 0) + result.loaded
                report.rejects.extend(result.rejects)
            _record_entity(con, batch, now=now, source=source)
        con.execute("COMMIT")
        with operations.session(paths) as ops:
            build.replace_organisation(operations.read_organisation(ops))
        report.load_s = time.perf_counter() - started
        build.publish()
        report.publish_s = time.perf_counter() - started - report.load_s
    return report


def _record_entity(con: duckdb.DuckDBPyConnection, batch: EntityBatch, *, now: datetime, source: str) -> None:
    con.execute("DELETE FROM entities WHERE entity_id = ?", [batch.entity_id])
    con.execute(
        "INSERT INTO entities (entity_id, name, pennylane_company_id, pennylane_company_name, reg_no) VALUES (?, ?, ?, ?, ?)",
        [batch.entity_id, batch.name, batch.company.get("id"), batch.company.get("name"), batch.company.get("reg_no")],
    )
    previous = con.execute("SELECT last_full_sync_at FROM sync_state WHERE entity_id = ?", [batch.entity_id]).fetchone()
    last_full = now if batch.full else (previous[0] if previous else None)
    con.execute("DELETE FROM sync_state WHERE entity_id = ?", [batch.entity_id])
    con.execute(
        "INSERT INTO sync_state (entity_id, last_full_sync_at, last_sync_at, changes_since, source) VALUES (?, ?, ?, ?, ?)",
        [batch.entity_id, last_full, now, batch.changes_since, source],
    )
