"""How a sync shows its progress: a rich bar on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

log = logging.getLogger("encours.ingest")
RESOURCE_LABELS = {
    "customers": "clients",
    "customer_invoices": "factures",
    "ledger_entry_lines": "écritures clients",
}


class _Counter:
    """Records and requests of the resource being fetched, and its own request rate."""

    def __init__(self) -> None:
        self.entity = ""
        self.resource = ""
        self.records = 0
        self.requests = 0
        self.total_requests = 0
        self.started = time.monotonic()

    def _reset(self, entity_id: str, resource: str) -> None:
        self.entity, self.resource, self.records, self.requests = entity_id, resource, 0, 0
        self.started = time.monotonic()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.requests / elapsed if elapsed > 0 else 0.0


class LogProgress(_Counter):
    """One log line per resource and every 50 requests: records, requests, request rate."""

    def begin(self, entity_id: str, resource: str, expected: int | None) -> None:
        self._flush()
        self._reset(entity_id, resource)
        suffix = f" (environ {expected} attendus)" if expected else ""
        log.info("%s : %s…%s", entity_id, RESOURCE_LABELS.get(resource, resource), suffix)

    def advance(self, records: int, requests: int) -> None:
        before = self.total_requests
        self.records += records
        self.requests += requests
        self.total_requests += requests
        if before // 50 != self.total_requests // 50:
            self._flush()

    def end(self) -> None:
        """Fetching is over: the last resource's line, before the publish's summary."""
        self._flush()
        self.resource = ""

    def _flush(self) -> None:
        if self.resource:
            log.info(
                "%s : %s — %s enregistrements, %s requêtes, %.1f req/s",
                self.entity, RESOURCE_LABELS.get(self.resource, self.resource), self.records, self.requests, self.rate(),
            )  # fmt: skip

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()


class RichProgress(_Counter):
    """A live bar per resource: records (of the expected count from the last sync), rate, ETA."""

    def __init__(self) -> None:
        super().__init__()
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[requests]} req · {task.fields[rate]} req/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: TaskID | None = None

    def begin(self, entity_id: str, resource: str, expected: int | None) -> None:
        self._reset(entity_id, resource)
        label = f"{entity_id} · {RESOURCE_LABELS.get(resource, resource)}"
        self._task = self._progress.add_task(label, total=expected, requests=0, rate="0.0")

    def advance(self, records: int, requests: int) -> None:
        self.records += records
        self.requests += requests
        self.total_requests += requests
        if self._task is not None:
            self._progress.update(self._task, advance=records, requests=self.requests, rate=f"{self.rate():.1f}")

    def end(self) -> None:
        pass

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()


def for_terminal() -> LogProgress | RichProgress:
    return RichProgress() if sys.stderr.isatty() else LogProgress()
