"""A sync run over HTTP: each configured entity fetched in turn, then one publish.

An entity that fails (wrong token, missing scope, API down for good) is recorded with its
reason and keeps its previously published data; the others are still published.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import httpx

from core.config import DEFAULT_MAX_GAP_SHARE, DEFAULT_MAX_REJECTED_SHARE, EntityConfig
from core.ingestion.batches import EntityBatch
from core.ingestion.pennylane_sync import Progress, needs_full_sync, sync_entity
from core.ingestion.runs import RunReport, SchemaChanged, publish_batches
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
    interrupted_runs: int = 0
    """Runs found still `running` from a process that died, closed as failed by this one."""

    @property
    def ok(self) -> bool:
        return not self.failures


def run_sync(
    paths: StorePaths,
    entities: Sequence[EntityConfig],
    *,
    now: datetime,
    clock: Callable[[], datetime] | None = None,
    full: bool = False,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE,
    max_gap_share: float = DEFAULT_MAX_GAP_SHARE,
) -> SyncResult:
    """Sync every entity and publish. The caller holds the ingestion lock.

    `now` is the run's start (and the data's sync time); `clock` gives the time each entity's
    run ends (default: `now`, so a test pins both). Every run row opened here is closed however
    the call ends: success, a failure, or any exception (then re-raised).
    """
    finish_clock = clock or (lambda: now)
    paths.ensure()
    shutil.rmtree(paths.staging_dir, ignore_errors=True)  # leftovers of a crashed run
    staging = paths.staging_dir / uuid.uuid4().hex
    result = SyncResult()
    with operations.session(paths) as ops:  # we hold the lock: any `running` row is a dead run's
        result.interrupted_runs = operations.close_interrupted_runs(ops, now)
    if result.interrupted_runs:
        log.warning(
            "%s synchronisation(s) restée(s) « en cours » après l'arrêt de leur processus : marquée(s) interrompue(s)",
            result.interrupted_runs,
        )
    states = read_states(paths)
    open_runs: dict[str, int] = {}
    fetched: list[EntityBatch] = []
    try:
        for entity in entities:
            state = states.get(entity.entity_id)
            mode = "full" if needs_full_sync(state, now, force=full) else "incremental"
            with operations.session(paths) as ops:
                open_runs[entity.entity_id] = operations.start_sync_run(ops, entity.entity_id, mode, now)
            try:
                unpaced = None if entity.rate_limited else Throttle(limit=1_000_000, period=1.0)
                with PennylaneClient(
                    entity.api_url, entity.token.reveal(), transport=transport, throttle=unpaced, timeout=timeout
                ) as client:
                    batch = sync_entity(
                        client, entity, state, staging_dir=staging, now=now, force_full=full, progress=progress,
                    )  # fmt: skip
            except PennylaneError as exc:
                _finish(paths, open_runs.pop(entity.entity_id), finish_clock(), error=str(exc))
                result.failures[entity.entity_id] = str(exc)
                log.error("%s : %s", entity.entity_id, exc)
                continue
            result.requests[entity.entity_id] = batch.requests or 0
            result.modes[entity.entity_id] = "full" if batch.full else "incremental"
            fetched.append(batch)
        end = getattr(progress, "end", None)  # a progress that buffers says its last line before the summary
        if callable(end):
            end()
        if not fetched:
            return result
        try:
            report = publish_batches(
                paths, fetched, now=now, source="pennylane", lock_held=True,
                max_rejected_share=max_rejected_share, max_gap_share=max_gap_share,
            )  # fmt: skip
        except (duckdb.Error, OSError, StagingError, SchemaChanged) as exc:
            for batch in fetched:
                _finish(paths, open_runs.pop(batch.entity_id), finish_clock(), error=f"publication impossible : {exc}")
                result.failures[batch.entity_id] = f"publication impossible : {exc}"
            return result
        result.report = report
        result.published = True
        for batch in fetched:
            outcome = report.entities[batch.entity_id]
            if outcome.refused:
                result.failures[batch.entity_id] = outcome.refused
            _finish(
                paths, open_runs.pop(batch.entity_id), finish_clock(), error=outcome.refused,
                requests=batch.requests, records=outcome.records, rejected=len(outcome.rejects),
                mode="full" if batch.full else "incremental",
            )  # fmt: skip
        return result
    except BaseException as exc:
        reason = _interruption(exc)
        for run_id in open_runs.values():
            _finish(paths, run_id, finish_clock(), error=reason)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _interruption(exc: BaseException) -> str:
    """The reason recorded for runs an unexpected exception or a signal ended."""
    if isinstance(exc, Exception):
        return f"erreur inattendue ({type(exc).__name__}) : {exc}"
    detail = str(exc)
    return operations.INTERRUPTED + (f" ({detail})" if detail else "")


def _finish(
    paths: StorePaths,
    run_id: int,
    at: datetime,
    *,
    error: str | None = None,
    requests: int | None = None,
    records: int | None = None,
    rejected: int | None = None,
    mode: str | None = None,
) -> None:
    with operations.session(paths) as ops:
        operations.finish_sync_run(
            ops, run_id, at, error=error, requests=requests, records=records, rejected=rejected, mode=mode
        )
