"""A sync run over HTTP: each configured entity fetched in turn, then one publish.

An entity that fails (wrong token, missing scope, API down for good) is recorded with its
reason and keeps its previously published data; the others are still published.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import httpx

from core.config import EntityConfig
from core.formatting import paris_now
from core.ingestion.batches import EntityBatch
from core.ingestion.pennylane_sync import Progress, sync_entity
from core.ingestion.runs import RunReport, publish_batches
from core.ingestion.state import read_states
from core.pennylane.client import DEFAULT_TIMEOUT, PennylaneClient
from core.pennylane.errors import PennylaneError
from core.pennylane.throttle import Throttle
from core.store import operations
from core.store.loader import StagingError
from core.store.paths import StorePaths

log = logging.getLogger(__name__)


@dataclass
class SyncResult:
    published: bool = False
    failures: dict[str, str] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    report: RunReport | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


def run_sync(
    paths: StorePaths,
    entities: Sequence[EntityConfig],
    *,
    now: datetime,
    full: bool = False,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> SyncResult:
    """Sync every entity and publish. The caller holds the ingestion lock."""
    paths.ensure()
    shutil.rmtree(paths.staging_dir, ignore_errors=True)  # leftovers of a crashed run
    staging = paths.staging_dir / uuid.uuid4().hex
    states = read_states(paths)
    result = SyncResult()
    fetched: list[tuple[int, EntityBatch]] = []
    try:
        for entity in entities:
            with operations.session(paths) as ops:
                run_id = operations.start_sync_run(ops, entity.entity_id, "sync", now)
            try:
                unpaced = None if entity.rate_limited else Throttle(limit=1_000_000, period=1.0)
                with PennylaneClient(
                    entity.api_url, entity.token.reveal(), transport=transport, throttle=unpaced, timeout=timeout
                ) as client:
                    batch = sync_entity(
                        client, entity, states.get(entity.entity_id), staging_dir=staging, now=now,
                        force_full=full, progress=progress,
                    )  # fmt: skip
            except PennylaneError as exc:
                _finish(paths, run_id, error=str(exc))
                result.failures[entity.entity_id] = str(exc)
                log.error("%s : %s", entity.entity_id, exc)
                continue
            result.requests[entity.entity_id] = batch.requests or 0
            result.modes[entity.entity_id] = "full" if batch.full else "incremental"
            fetched.append((run_id, batch))
        if not fetched:
            return result
        try:
            result.report = publish_batches(paths, [b for _, b in fetched], now=now, source="pennylane", lock_held=True)
        except (duckdb.Error, OSError, StagingError) as exc:
            for run_id, batch in fetched:
                _finish(paths, run_id, error=f"publication impossible : {exc}")
                result.failures[batch.entity_id] = f"publication impossible : {exc}"
            return result
        result.published = True
        for run_id, batch in fetched:
            _finish(
                paths, run_id, requests=batch.requests, records=sum(result.report.records.values()),
                mode="full" if batch.full else "incremental",
            )  # fmt: skip
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _finish(
    paths: StorePaths,
    run_id: int,
    *,
    error: str | None = None,
    requests: int | None = None,
    records: int | None = None,
    mode: str | None = None,
) -> None:
    with operations.session(paths) as ops:
        operations.finish_sync_run(ops, run_id, paris_now(), error=error, requests=requests, records=records, mode=mode)
