"""Where a sync reports what it fetched: a protocol the terminal bar and the log lines implement."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Where a sync reports what it fetched (a terminal bar, or log lines)."""

    def begin(self, entity_id: str, resource: str, expected: int | None) -> None: ...

    def advance(self, records: int, requests: int) -> None: ...


class NoProgress:
    def begin(self, entity_id: str, resource: str, expected: int | None) -> None:
        pass

    def advance(self, records: int, requests: int) -> None:
        pass
