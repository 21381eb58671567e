"""Month buckets on disk, so records made customer by customer end up sorted by id.

Ids are chronological, so the records of one calendar month hold one contiguous id range:
sorting each month's bucket in memory and concatenating the months in order sorts the
whole file while holding a single month at a time (a million invoices never sit in RAM).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from demo.timeline import Timeline

log = logging.getLogger(__name__)

_CHUNK = 256
"""Lines kept per bucket before one ``write``: a call per record was a third of the run."""


def record_id(line: bytes) -> int:
    """The id of a JSON line written with ``"id"`` as its first key."""
    return int(line[6 : line.index(b",", 6)])


class Spool:
    """Temporary ``(entity, resource, month)`` files under the output directory."""

    def __init__(self, parent: Path, timeline: Timeline) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix=".demo-spool-", dir=parent))
        self._timeline = timeline
        self._month_of_day = [timeline.month_index(timeline.start + d) for d in range(timeline.n_days)]
        self._pending: dict[tuple[int, str, int], list[str]] = {}
        self._files: dict[tuple[int, str, int], BinaryIO] = {}

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _path(self, key: tuple[int, str, int]) -> Path:
        entity, resource, month = key
        return self._dir / f"{entity}.{resource}.{month:03d}.jsonl"

    def write(self, entity: int, resource: str, day: int, line: str) -> None:
        key = (entity, resource, self._month_of_day[day - self._timeline.start])
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = []
        pending.append(line)
        if len(pending) >= _CHUNK:
            self._flush(key, pending)

    def _flush(self, key: tuple[int, str, int], pending: list[str]) -> None:
        fh = self._files.get(key)
        if fh is None:
            fh = self._files[key] = self._path(key).open("wb")
        pending.append("")
        fh.write("\n".join(pending).encode("utf-8"))
        pending.clear()

    def merge(self, entity: int, resource: str, target: Path) -> int:
        """Write every bucket of ``(entity, resource)`` to ``target`` in id order."""
        written = 0
        with target.open("wb") as out:
            for month in range(self._timeline.n_months):
                key = (entity, resource, month)
                pending = self._pending.pop(key, None)
                if pending is None:
                    continue
                if pending:
                    self._flush(key, pending)
                self._files.pop(key).close()
                path = self._path(key)
                lines = path.read_bytes().split(b"\n")
                path.unlink()
                lines[-1:] = []  # the bucket ends with "\n"
                lines.sort(key=record_id)
                lines.append(b"")
                out.write(b"\n".join(lines))
                written += len(lines) - 1
        log.debug("merged %s lines of %s for entity %s", written, resource, entity)
        return written

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
        self._pending.clear()
        shutil.rmtree(self._dir, ignore_errors=True)
