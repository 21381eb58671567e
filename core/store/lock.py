"""The ingestion lock: the run that publishes must be the only writer of the analytical store.

An OS file lock (flock) is released by the kernel when its holder dies, even by kill -9,
so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class IngestionAlreadyRunning(RuntimeError):
    """Another ingestion run holds the lock."""


@contextmanager
def ingestion_lock(path: Path, *, wait: bool = False, timeout_s: float | None = None) -> Iterator[None]:
    """Hold the ingestion lock for the duration of the block.

    Without `wait`, a second run fails at once with IngestionAlreadyRunning; with it, it
    waits (up to `timeout_s` when given) for the running one to finish.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait or (deadline is not None and time.monotonic() >= deadline):
                    holder = _read_holder(fd)
                    raise IngestionAlreadyRunning(
                        "Une synchronisation est déjà en cours" + (f" (processus {holder})" if holder else "") + "."
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return ""
