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

PROBE_GRACE_S = 0.5


class IngestionAlreadyRunning(RuntimeError):
    """Another ingestion run holds the lock."""


@contextmanager
def ingestion_lock(path: Path, *, wait: bool = False, timeout_s: float | None = None) -> Iterator[None]:
    """Hold the ingestion lock for the duration of the block.

    Without `wait`, a second run fails with IngestionAlreadyRunning (after PROBE_GRACE_S, the
    most a reader checking the lock with is_held() can hold it); with it, it waits (up to
    `timeout_s` when given) for the running one to finish.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        patience = timeout_s if wait else PROBE_GRACE_S
        deadline = None if patience is None else time.monotonic() + patience
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    holder = _read_holder(fd)
                    raise IngestionAlreadyRunning(
                        "Une synchronisation est déjà en cours" + (f" (processus {holder})" if holder else "") + "."
                    ) from None
                time.sleep(0.2 if wait else 0.05)
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


def is_held(path: Path) -> bool:
    """Whether a run holds the ingestion lock now (for readers: creates nothing, waits for nothing).

    A `running` sync row while the lock is free was left by a process that died.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
