"""Fetch one entity from Pennylane into staged JSON-lines files: a full backfill, or the
changes since the last sync from the changelogs.

Requests are kept at the floor: customers, invoices and the ledger lines of customer
accounts, 100 per page; payment dates come from the lettering of those lines in bulk,
never from one request per invoice. Incremental runs re-fetch changed ids 100 at a time,
with the ledger lines lettered with a changed line before or after its change: re-lettering a
payment changes its partners' lettering without always logging an event for them.

The changelog position is the server's time (see `changelogs.py` and `_server_position`),
never this machine's clock.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.config import EntityConfig
from core.ingestion.access_check import warn_about_scopes
from core.ingestion.batches import RESOURCE_NAMES, EntityBatch
from core.ingestion.changelogs import read_changes
from core.ingestion.progress import NoProgress, Progress
from core.pennylane.client import PennylaneClient
from core.pennylane.errors import PennylaneChangelogTooOld, PennylaneCursorExpired
from core.pennylane.filters import Filter
from core.pennylane.pagination import LIST_LIMIT, Page

log = logging.getLogger(__name__)

RETENTION = timedelta(weeks=4)
FULL_SYNC_AFTER = RETENTION - timedelta(hours=12)
"""Past this age the changelogs may have dropped events we never saw: back-fill instead."""
OVERLAP = timedelta(minutes=5)
"""The next incremental run re-reads this much of the changelog before the stored position:
events that become visible a little after their `processed_at` are not missed, and
re-applying an event is harmless."""
NO_SERVER_TIME_MARGIN = timedelta(hours=1)
"""A full sync's position when the server sent no `Date` header: this machine's clock, less a
margin for a clock that is off (re-reading an hour of changes once is cheap)."""
ACCOUNTS_PER_FILTER = 100
__all__ = ["EntityState", "NoProgress", "Progress", "needs_full_sync", "sync_entity"]


def _no_partners(line_ids: Sequence[int]) -> frozenset[int]:
    return frozenset()


@dataclass(frozen=True)
class EntityState:
    """What the published snapshot knows of an entity, to decide and scope the next run."""

    changes_since: datetime | None
    ledger_accounts: frozenset[int] = frozenset()
    counts: dict[str, int] = field(default_factory=dict)
    company: dict[str, Any] = field(default_factory=dict)  # as GET /me described it at the last full sync
    lettered_with: Callable[[Sequence[int]], frozenset[int]] = _no_partners
    """The published lines lettered with any of these lines (their partners before a change)."""


class _Staged:
    """Appends fetched records to one JSON-lines file, exactly as the loader reads them."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fh = path.open("w", encoding="utf-8")
        self.count = 0

    def write(self, items: Iterable[dict[str, Any]]) -> None:
        for item in items:
            self._fh.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
            self._fh.write("\n")
            self.count += 1

    def position(self) -> tuple[int, int]:
        self._fh.flush()
        return self._fh.tell(), self.count

    def rewind(self, position: tuple[int, int]) -> None:
        """Forget what was written since `position` (a listing restarted from its first page)."""
        self._fh.flush()
        self._fh.truncate(position[0])
        self._fh.seek(position[0])
        self.count = position[1]

    def close(self) -> None:
        self._fh.flush()
        self._fh.close()


def needs_full_sync(state: EntityState | None, now: datetime, *, force: bool = False) -> bool:
    return force or state is None or state.changes_since is None or state.changes_since < now - FULL_SYNC_AFTER


def sync_entity(
    client: PennylaneClient,
    entity: EntityConfig,
    state: EntityState | None,
    *,
    staging_dir: Path,
    now: datetime,
    force_full: bool = False,
    progress: Progress | None = None,
) -> EntityBatch:
    """Fetch one entity and return its staged batch (not yet loaded).

    A full sync starts with GET /me (token and company checked before anything else; scopes
    it does not recognise are only a warning, the server's 403 decides); an incremental one
    goes straight to the changelogs — a wrong token or a missing scope answers there just as
    clearly — and keeps the company known from the last sync.
    """
    progress = progress or NoProgress()
    entity_dir = staging_dir / entity.entity_id
    batch: EntityBatch | None = None
    if not needs_full_sync(state, now, force=force_full):
        assert state is not None and state.changes_since is not None
        try:
            batch = _incremental(client, entity, state, entity_dir, progress)
            batch.company = dict(state.company)
        except PennylaneChangelogTooOld:
            log.warning("%s : changelogs plus anciens que la rétention, reprise complète", entity.entity_id)
    if batch is None:
        me = client.me()
        position = _server_position(client, entity.entity_id, now)
        warn_about_scopes(entity.entity_id, me)
        batch = _full(client, entity, state, entity_dir, progress)
        batch.company = me.get("company") or {}
        batch.changes_since = position
    batch.requests = client.stats.requests
    return batch


def _server_position(client: PennylaneClient, entity_id: str, now: datetime) -> datetime:
    """Where a full sync's data stands in the server's time: the `Date` of its GET /me answer,
    sent before any record is listed, so every later change is in the changelogs after it."""
    if client.server_time is not None:
        return client.server_time
    log.warning(
        "%s : le serveur n'a pas donné son heure (en-tête Date) ; la prochaine synchronisation relira "
        "les modifications depuis une heure avant l'heure de cette machine.",
        entity_id,
    )
    return now - NO_SERVER_TIME_MARGIN


def _stage_pages(
    listing: Callable[[], Iterable[list[dict[str, Any]]]],
    staged: _Staged,
    client: PennylaneClient,
    progress: Progress,
    *,
    keep: bool = False,
    accept: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """Write every page of `listing()` (the records `accept` takes) to the staged file; return
    them if `keep`. An expired cursor restarts the listing from its first page, once."""
    start = staged.position()
    for attempt in (1, 2):
        kept: list[dict[str, Any]] = []
        try:
            before = client.stats.requests  # a page's request is made before it is yielded
            for page in listing():
                records = page if accept is None else [r for r in page if accept(r)]
                staged.write(records)
                if keep:
                    kept.extend(records)
                progress.advance(len(page), client.stats.requests - before)
                before = client.stats.requests
            return kept
        except PennylaneCursorExpired:
            if attempt == 2:
                raise
            log.warning("curseur expiré : la liste reprend depuis la première page")
            staged.rewind(start)
    raise AssertionError("unreachable")


def _full(
    client: PennylaneClient, entity: EntityConfig, state: EntityState | None, entity_dir: Path, progress: Progress
) -> EntityBatch:
    counts = state.counts if state else {}
    staged = {r: _Staged(entity_dir / f"{r}.jsonl") for r in RESOURCE_NAMES}
    try:
        progress.begin(entity.entity_id, "customers", counts.get("customers"))
        customers = _stage_pages(client.iter_customers, staged["customers"], client, progress, keep=True)
        progress.begin(entity.entity_id, "customer_invoices", counts.get("customer_invoices"))
        _stage_pages(client.iter_customer_invoices, staged["customer_invoices"], client, progress)
        accounts = sorted({a for a in (_ledger_account(c) for c in customers) if a is not None})
        progress.begin(entity.entity_id, "ledger_entry_lines", counts.get("ledger_entry_lines"))
        for chunk in _chunks(accounts, ACCOUNTS_PER_FILTER):
            lines = functools.partial(client.iter_ledger_entry_lines, [("ledger_account_id", "in", chunk)])
            _stage_pages(lines, staged["ledger_entry_lines"], client, progress)
    finally:
        for s in staged.values():
            s.close()
    files = {r: [s.path] for r, s in staged.items()}
    return EntityBatch(entity_id=entity.entity_id, name=entity.name, company={}, files=files, full=True)


def _incremental(
    client: PennylaneClient, entity: EntityConfig, state: EntityState, entity_dir: Path, progress: Progress
) -> EntityBatch:
    assert state.changes_since is not None
    changes = read_changes(client, entity.entity_id, state.changes_since - OVERLAP, progress)
    changed, deleted = changes.changed, changes.deleted
    staged = {r: _Staged(entity_dir / f"{r}.jsonl") for r in RESOURCE_NAMES}
    try:
        progress.begin(entity.entity_id, "customers", len(changed["customers"]))
        customers = _fetch_ids(client.iter_customers, changed["customers"], staged["customers"], client, progress)
        progress.begin(entity.entity_id, "customer_invoices", len(changed["customer_invoices"]))
        _fetch_ids(
            client.iter_customer_invoices, changed["customer_invoices"], staged["customer_invoices"], client, progress
        )
        accounts = set(state.ledger_accounts) | {a for a in (_ledger_account(c) for c in customers) if a is not None}
        _fetch_lines(client, state, changed["ledger_entry_lines"], deleted["ledger_entry_lines"], accounts,
                     staged["ledger_entry_lines"], progress, entity.entity_id)  # fmt: skip
    finally:
        for s in staged.values():
            s.close()
    latest = [m for m in (state.changes_since, changes.latest) if m is not None]
    return EntityBatch(
        entity_id=entity.entity_id,
        name=entity.name,
        company={},
        files={r: [s.path] for r, s in staged.items()},
        full=False,
        deleted=deleted,
        changes_since=max(latest),  # the previous position when no event came back
    )


def _fetch_lines(
    client: PennylaneClient,
    state: EntityState,
    changed: Sequence[int],
    deleted: Sequence[int],
    accounts: set[int],
    staged: _Staged,
    progress: Progress,
    entity_id: str,
) -> None:
    """Re-fetch the changed ledger lines, then the lines lettered with them before (as published)
    or after (as fetched) the change: their lettering changed too, with or without an event."""
    progress.begin(entity_id, "ledger_entry_lines", len(changed))

    def on_customer_account(record: dict[str, Any]) -> bool:
        return _ledger_account(record) in accounts

    fetched = _fetch_ids(client.iter_ledger_entry_lines, changed, staged, client, progress, accept=on_customer_account)
    partners = set(state.lettered_with([*changed, *deleted])) | {i for r in fetched for i in _lettered_ids(r)}
    partners -= {*changed, *deleted}
    _fetch_ids(client.iter_ledger_entry_lines, sorted(partners), staged, client, progress, accept=on_customer_account)


def _fetch_ids(
    iterate: Callable[[list[Filter]], Iterator[Page]],
    ids: Sequence[int],
    staged: _Staged,
    client: PennylaneClient,
    progress: Progress,
    *,
    accept: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """Re-fetch changed records 100 ids per request (the `in` filter), keeping those `accept` takes."""
    records: list[dict[str, Any]] = []
    for chunk in _chunks(ids, LIST_LIMIT):
        listing = functools.partial(iterate, [("id", "in", chunk)])
        records.extend(_stage_pages(listing, staged, client, progress, keep=True, accept=accept))
    return records


def _lettered_ids(record: dict[str, Any]) -> list[int]:
    lettering = record.get("lettered_ledger_entry_lines")
    ids = lettering.get("ids") if isinstance(lettering, dict) else None
    return [i for i in ids if isinstance(i, int) and not isinstance(i, bool)] if isinstance(ids, list) else []


def _ledger_account(record: dict[str, Any]) -> int | None:
    account = record.get("ledger_account")
    if isinstance(account, dict) and isinstance(account.get("id"), int):
        return int(account["id"])
    return None


def _chunks(values: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
