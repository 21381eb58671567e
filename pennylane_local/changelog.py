"""Change events per resource, as ``GET /changelogs/{resource}`` serves them.

At load, one ``insert`` event is synthesised per record at its ``created_at``
and one ``update`` at its ``updated_at`` when later; mutations then append
events at the server's ``now``. Events older than the 4-week retention are
never served, whatever is stored.
"""

from __future__ import annotations

import bisect
import itertools
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

RETENTION = timedelta(weeks=4)
RESOURCES = ("customers", "customer_invoices", "ledger_entry_lines", "transactions")


def parse_timestamp(value: str) -> datetime:
    """An RFC 3339 timestamp as an aware datetime (``ValueError`` if it is not one)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without time zone: {value!r}")
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """``2026-11-20T08:24:38.812458Z``, the shape Pennylane uses."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Event:
    processed_at: datetime
    seq: int
    record_id: int
    operation: str
    created_at: str
    updated_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.record_id,
            "operation": self.operation,
            "processed_at": format_timestamp(self.processed_at),
            "updated_at": self.updated_at,
            "created_at": self.created_at,
        }


class Changelog:
    """Events kept sorted by ``(processed_at, seq)``; callers hold the dataset's lock."""

    def __init__(self) -> None:
        self._events: dict[str, list[Event]] = {r: [] for r in RESOURCES}
        self._seq = itertools.count(1)

    def record(self, resource: str, record: dict[str, Any], operation: str, processed_at: datetime) -> None:
        event = Event(
            processed_at.astimezone(UTC),
            next(self._seq),
            int(record["id"]),
            operation,
            record["created_at"],
            record["updated_at"],
        )
        bisect.insort(self._events.setdefault(resource, []), event, key=_position)

    def synthesise(self, resource: str, records: Iterable[dict[str, Any]]) -> None:
        """Insert/update events for records as loaded from disk."""
        events = self._events.setdefault(resource, [])
        for record in records:
            created = parse_timestamp(record["created_at"])
            updated = parse_timestamp(record["updated_at"])
            record_id = int(record["id"])
            events.append(
                Event(created, next(self._seq), record_id, "insert", record["created_at"], record["created_at"])
            )
            if updated > created:
                events.append(
                    Event(updated, next(self._seq), record_id, "update", record["created_at"], record["updated_at"])
                )
        events.sort(key=_position)

    def page(
        self,
        resource: str,
        *,
        now: datetime,
        start: datetime | None,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> tuple[list[Event], bool]:
        """Up to ``limit`` retained events from ``start`` (inclusive) or after ``after``; and whether more remain.

        Events dated after ``now`` (data generated for a later day) are not served yet.
        """
        events = self._events.get(resource, [])
        floor = now - RETENTION
        end = bisect.bisect_right(events, (now, sys.maxsize), key=_position)
        if after is not None:
            index = bisect.bisect_right(events, after, key=_position)
        else:
            index = bisect.bisect_left(events, (max(floor, start) if start else floor, 0), key=_position)
        # Retention applies to a cursor too: a position older than the window resumes at its edge.
        index = max(index, bisect.bisect_left(events, (floor, 0), key=_position))
        chunk = events[index : min(index + limit + 1, end)]
        return chunk[:limit], len(chunk) > limit


def _position(event: Event) -> tuple[datetime, int]:
    return (event.processed_at, event.seq)
