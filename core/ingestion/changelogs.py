"""What changed since the last sync, as the changelogs tell it: ids to re-fetch or delete, and
the server's own position in time.

The position the next run starts from is the latest ``processed_at`` the server returned, not
this machine's clock: a client clock ten minutes fast would otherwise skip ten minutes of
changes at every run. An event the sync cannot use (no id, or one that is not an integer)
cannot be re-fetched; it is skipped and counted so the log says so, and never stops the
entity, let alone the other entities.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.ingestion.batches import RESOURCE_NAMES
from core.ingestion.progress import Progress
from core.pennylane.pagination import Page

log = logging.getLogger(__name__)


class ChangelogSource(Protocol):
    def iter_changelog(self, resource: str, start_date: datetime | None) -> Iterable[Page]: ...


@dataclass
class Changes:
    """Per resource: ids to re-fetch and ids deleted (by their last event); events skipped."""

    changed: dict[str, list[int]] = field(default_factory=dict)
    deleted: dict[str, list[int]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    latest: datetime | None = None
    """The latest ``processed_at`` among the events read (None when there were none)."""


def event_id(event: dict[str, Any]) -> int | None:
    """The record id an event names, or None when it names none the API could be asked for."""
    raw = event.get("id")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        return int(raw)
    return None


def processed_at(event: dict[str, Any]) -> datetime | None:
    """The event's ``processed_at`` as an aware datetime (None when absent or not RFC 3339)."""
    raw = event.get("processed_at")
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def read_changes(source: ChangelogSource, entity_id: str, start: datetime, progress: Progress) -> Changes:
    """Read the three changelogs from ``start`` (the stored position less the overlap)."""
    changes = Changes()
    for resource in RESOURCE_NAMES:
        progress.begin(entity_id, f"changelogs/{resource}", None)
        last_op: dict[int, str] = {}
        skipped = 0
        for page in source.iter_changelog(resource, start):
            for event in page:
                moment = processed_at(event)
                if moment is not None and (changes.latest is None or moment > changes.latest):
                    changes.latest = moment
                record_id = event_id(event)
                if record_id is None:
                    skipped += 1
                    continue
                last_op[record_id] = str(event.get("operation"))
            progress.advance(len(page), 1)
        changes.deleted[resource] = sorted(i for i, op in last_op.items() if op == "delete")
        changes.changed[resource] = sorted(i for i, op in last_op.items() if op != "delete")
        if skipped:
            changes.skipped[resource] = skipped
            log.warning(
                "%s : %d événement(s) du journal des modifications « %s » sans identifiant exploitable, ignoré(s) : "
                "ces changements ne peuvent pas être relus ; une synchronisation complète (--full) les rattrapera.",
                entity_id, skipped, resource,
            )  # fmt: skip
    return changes
