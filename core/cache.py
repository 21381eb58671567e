"""Memoise read functions on what they read: the published snapshot and the operational store.

The key includes the snapshot's version (it changes at every publish) and the operational
store's revision (it changes at every write), so a cached answer is never stale and no
invalidation has to be remembered. Pure Python, shared by every session of the app process.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from core.scope import Scope
from core.store import operations
from core.store.analytical import snapshot_version
from core.store.paths import StorePaths

P = ParamSpec("P")
R = TypeVar("R")


def store_version(paths: StorePaths) -> tuple[str | None, int]:
    """(published snapshot version, operational revision): what a read depends on."""
    revision = 0
    if paths.operations.exists():
        with operations.session(paths) as ops:
            revision = operations.revision(ops)
    return snapshot_version(paths), revision


def snapshot_cached(maxsize: int = 128) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache `fn(paths, scope, ...)` per store version, scope and arguments (LRU, thread-safe)."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        entries: OrderedDict[Any, Any] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            paths, scope = args[0], args[1]
            assert isinstance(paths, StorePaths) and isinstance(scope, Scope)
            key = (
                store_version(paths),
                paths,
                scope.email,
                scope.role,
                scope.customers,
                args[2:],
                tuple(sorted(kwargs.items())),
            )
            with lock:
                if key in entries:
                    entries.move_to_end(key)
                    return entries[key]  # type: ignore[no-any-return]
            value = fn(*args, **kwargs)
            with lock:
                entries[key] = value
                while len(entries) > maxsize:
                    entries.popitem(last=False)
            return value

        wrapper.cache_clear = entries.clear  # type: ignore[attr-defined]
        return wrapper

    return decorate
