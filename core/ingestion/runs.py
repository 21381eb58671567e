"""One ingestion run: load every entity's batch into a private build, then publish it.

The ingestion lock is held for the whole run, the sync state is written in the same
snapshot as the data, and each entity's outcome is logged in the operational store so the
app can show the last success and the last error.

Each entity is loaded in its own transaction of the build: an entity whose share of records
left out as contract breaches passes the threshold is rolled back and keeps the data it had in
the previous snapshot, while the others publish.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from core.config import DEFAULT_MAX_GAP_SHARE, DEFAULT_MAX_REJECTED_SHARE
from core.formatting import number
from core.ingestion.batches import RESOURCE_NAMES, EntityBatch
from core.ingestion.state import published_entities, published_schema_version
from core.store import operations
from core.store.loader import Reject, delete_records, entity_counts, load_records
from core.store.lock import ingestion_lock
from core.store.paths import StorePaths
from core.store.schema import SCHEMA_VERSION
from core.store.snapshot import SnapshotBuild, remove_stale_builds

log = logging.getLogger(__name__)

LABELS = {"customers": "clients", "customer_invoices": "factures", "ledger_entry_lines": "écritures"}
REJECTED = {
    "customers": "clients écartés",
    "customer_invoices": "factures écartées",
    "ledger_entry_lines": "écritures écartées",
}
EXAMPLES = 3
"""Rejected records named in the log per reason; the rest are counted (all are in ingest_rejects)."""


@dataclass(frozen=True)
class Gaps:
    """What the lettering could not explain for one entity (table `ingest_gaps`)."""

    invoices: int = 0
    paid_without_date: int = 0
    ledger_lines: int = 0
    lettered_to_missing: int = 0

    def share(self) -> float:
        """The larger of the two shares affected."""
        return max(
            self.paid_without_date / self.invoices if self.invoices else 0.0,
            self.lettered_to_missing / self.ledger_lines if self.ledger_lines else 0.0,
        )

    def describe(self) -> str:
        parts = []
        if n := self.paid_without_date:
            parts.append(
                f"{number(n)} " + ("facture payée" if n == 1 else "factures payées") + " sans date d'encaissement"
            )
        if n := self.lettered_to_missing:
            parts.append(
                f"{number(n)} "
                + ("écriture lettrée" if n == 1 else "écritures lettrées")
                + " avec des écritures non reçues"
            )
        return " · ".join(parts)


@dataclass
class EntityOutcome:
    entity_id: str
    full: bool
    loaded: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    refused: str | None = None
    """Why this entity's new data was not published (it keeps its previous data), or None."""

    @property
    def records(self) -> int:
        return sum(self.loaded.values())


@dataclass
class RunReport:
    records: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    entities: dict[str, EntityOutcome] = field(default_factory=dict)
    gaps: dict[str, Gaps] = field(default_factory=dict)
    load_s: float = 0.0
    publish_s: float = 0.0

    @property
    def refused(self) -> dict[str, str]:
        return {e: o.refused for e, o in self.entities.items() if o.refused}

    def gaps_over(self, max_share: float) -> dict[str, Gaps]:
        return {e: g for e, g in self.gaps.items() if g.share() > max_share}


class SchemaChanged(RuntimeError):
    """An incremental batch cannot be applied to a snapshot built with another schema version."""


def publish_batches(
    paths: StorePaths,
    batches: Sequence[EntityBatch],
    *,
    now: datetime,
    source: str,
    lock_held: bool = False,
    max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE,
    max_gap_share: float = DEFAULT_MAX_GAP_SHARE,
) -> RunReport:
    """Load the batches into a new snapshot and publish it. Raises without publishing on error.

    An entity whose rejected share passes `max_rejected_share` is not published (it keeps its
    previous data): see RunReport.refused. Gaps above `max_gap_share` are logged as warnings.
    """
    if lock_held:
        return _publish(paths, batches, now=now, source=source, max_rejected=max_rejected_share, max_gap=max_gap_share)
    with ingestion_lock(paths.ingest_lock):
        return _publish(paths, batches, now=now, source=source, max_rejected=max_rejected_share, max_gap=max_gap_share)


def _publish(
    paths: StorePaths,
    batches: Sequence[EntityBatch],
    *,
    now: datetime,
    source: str,
    max_rejected: float,
    max_gap: float,
) -> RunReport:
    paths.ensure()
    remove_stale_builds(paths)
    report = RunReport()
    started = time.perf_counter()
    version = published_schema_version(paths)
    compatible = version in (None, SCHEMA_VERSION)
    if not compatible and not all(b.full for b in batches):
        raise SchemaChanged(
            f"l'instantané publié est en version de schéma {version}, le code en version {SCHEMA_VERSION} : "
            "une reprise complète est nécessaire."
        )
    before = published_entities(paths)
    # Start from an empty store when every entity already published is fully re-loaded (or the
    # published one has another schema); otherwise from a copy, so an entity that failed this time
    # keeps its previous data.
    fresh = not compatible or (all(b.full for b in batches) and before <= {b.entity_id for b in batches})
    with SnapshotBuild(paths, from_published=not fresh) as build:
        con = build.con
        for batch in batches:
            outcome = _load_entity(con, batch, now=now, source=source, max_rejected=max_rejected)
            report.entities[batch.entity_id] = outcome
            if outcome.refused is None:
                for resource, n in outcome.loaded.items():
                    report.records[resource] = report.records.get(resource, 0) + n
                report.rejects.extend(outcome.rejects)
        published_now = {e for e, o in report.entities.items() if o.refused is None}
        if fresh and before - published_now:  # failed or refused this time: each keeps its previous data
            build.carry_entities(paths.published, sorted(before - published_now))
        with operations.session(paths) as ops:
            build.replace_organisation(operations.read_organisation(ops))
        build.rebuild_derived()
        report.gaps = _read_gaps(con)
        report.load_s = time.perf_counter() - started
        _log_summary(report, max_gap)
        build.publish()
        report.publish_s = time.perf_counter() - started - report.load_s
    return report


def _load_entity(
    con: duckdb.DuckDBPyConnection, batch: EntityBatch, *, now: datetime, source: str, max_rejected: float
) -> EntityOutcome:
    """Load one entity in its own transaction; roll it back when too much of it breaks the contract."""
    outcome = EntityOutcome(batch.entity_id, full=batch.full)
    con.execute("BEGIN")
    try:
        for resource in RESOURCE_NAMES:
            if batch.deleted.get(resource):
                outcome.deleted[resource] = delete_records(con, batch.entity_id, resource, batch.deleted[resource])
            result = load_records(con, batch.entity_id, resource, batch.files.get(resource, []), replace=batch.full)
            outcome.loaded[resource] = result.loaded
            outcome.rejects.extend(result.rejects)
        outcome.refused = _refusal(con, batch.entity_id, outcome.rejects, max_rejected)
        if outcome.refused is not None:
            con.execute("ROLLBACK")
            return outcome
        _record_entity(con, batch, now=now, source=source)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def _refusal(con: duckdb.DuckDBPyConnection, entity_id: str, rejects: Sequence[Reject], max_share: float) -> str | None:
    """Why the entity must not be published (its store would miss more than `max_share` of a resource)."""
    over = []
    for resource, (kept, rejected) in entity_counts(con, entity_id).items():
        total = kept + rejected
        if total and rejected / total > max_share:
            over.append(f"{number(rejected)} {REJECTED[resource]} sur {number(total)}")
    if not over:
        return None
    reasons = Counter(r.reason for r in rejects)
    by_reason = " ; ".join(f"{reason} : {number(n)}" for reason, n in reasons.most_common())
    return (
        f"données non publiées, les précédentes sont conservées : {', '.join(over)} "
        f"(seuil {percent(max_share)}). Motifs — {by_reason}"
    )


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


def _read_gaps(con: duckdb.DuckDBPyConnection) -> dict[str, Gaps]:
    rows = con.execute(
        "SELECT entity_id, invoices, paid_without_date, ledger_lines, lettered_to_missing FROM ingest_gaps"
    ).fetchall()
    return {e: Gaps(int(i), int(p), int(n), int(m)) for e, i, p, n, m in rows}


def _log_summary(report: RunReport, max_gap: float) -> None:
    """One line per entity (what changed), the rejects by reason with a few examples, the gaps."""
    for entity_id, outcome in report.entities.items():
        log.info("%s : %s", entity_id, describe_load(outcome))
        if outcome.rejects:
            _log_rejects(entity_id, outcome.rejects)
        if outcome.refused:
            log.error("%s : %s", entity_id, outcome.refused)
    for entity_id, gaps in report.gaps.items():
        if gaps.describe():
            over = gaps.share() > max_gap
            (log.error if over else log.warning)(
                "%s : %s%s", entity_id, gaps.describe(), f" (au-delà du seuil de {percent(max_gap)})" if over else ""
            )


def percent(share: float) -> str:
    return f"{share * 100:g}\u00a0%"


def describe_load(outcome: EntityOutcome) -> str:
    """What a run brought for one entity, in words a reader of the log cannot misread."""
    counts = ", ".join(f"{number(outcome.loaded.get(r, 0))} {LABELS[r]}" for r in RESOURCE_NAMES)
    if outcome.full:
        return f"reprise complète — {counts}"
    deleted = sum(outcome.deleted.values())
    if not outcome.records and not deleted:
        return "synchro incrémentale — aucun changement depuis la précédente"
    text = f"synchro incrémentale — {number(outcome.records)} enregistrements modifiés ou ajoutés ({counts})"
    return text + (f", {number(deleted)} supprimés" if deleted else "")


def _log_rejects(entity_id: str, rejects: Sequence[Reject]) -> None:
    by_key: dict[tuple[str, str], list[Reject]] = {}
    for reject in rejects:
        by_key.setdefault((reject.endpoint, reject.reason), []).append(reject)
    for (endpoint, reason), group in sorted(by_key.items(), key=lambda kv: -len(kv[1])):
        examples = ", ".join(r.record_id or "?" for r in group[:EXAMPLES])
        more = f" et {number(len(group) - EXAMPLES)} autres" if len(group) > EXAMPLES else ""
        log.warning(
            "%s : %s enregistrement(s) %s écarté(s) — %s (ex. id %s%s)",
            entity_id, number(len(group)), endpoint, reason, examples, more,
        )  # fmt: skip
