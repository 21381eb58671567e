"""Faults the local server can inject, switched on by tests.

Each fault applies to the next ``count`` matching requests, or for
``duration`` seconds, or (neither given) until cleared; it can target a path
prefix (``/customer_invoices`` also matches ``/customer_invoices/12``) and one
token. The first matching fault, in the order they were added, applies.

Kinds and their options:

==================  =========================================================
``rate_limit``      429, ``retry-after: retry_after`` (default 1), plain text
``server_error``    ``status`` (500 default, or 502/503/504) with a JSON body
``slow``            waits ``delay`` seconds, then answers normally
``timeout``         hangs ``delay`` seconds (longer than the client's timeout)
``malformed_json``  200 with a body that is not JSON
``truncated``       200 with the real body cut in the middle of the JSON
``expired_cursor``  400 on requests carrying a ``cursor`` (others untouched)
``unknown_field``   records gain the field ``field`` (default ``x_unknown``)
``missing_field``   records lose the field ``field`` (default ``label``)
``revoked_token``   401
``missing_scope``   403 (never on ``/me``, which needs no scope)
==================  =========================================================
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

KINDS = frozenset(
    {
        "rate_limit",
        "server_error",
        "slow",
        "timeout",
        "malformed_json",
        "truncated",
        "expired_cursor",
        "unknown_field",
        "missing_field",
        "revoked_token",
        "missing_scope",
    }
)
# Faults that only make sense where a scope is checked or records are served.
_NOT_ON_ME = frozenset({"missing_scope", "unknown_field", "missing_field", "expired_cursor"})


@dataclass
class Fault:
    id: int
    kind: str
    count: int | None = None
    until: float | None = None
    path_prefix: str = ""
    token: str | None = None
    status: int = 500
    delay: float = 1.0
    retry_after: int = 1
    field: str | None = None
    applied: int = 0

    def matches(self, path: str, token: str, has_cursor: bool, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.token is not None and token != self.token:
            return False
        if path == "/me" and self.kind in _NOT_ON_ME:
            return False
        if self.kind == "expired_cursor" and not has_cursor:
            return False
        prefix = self.path_prefix.rstrip("/")
        return not prefix or path == prefix or path.startswith(prefix + "/")

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    """Thread-safe registry: tests add faults from their thread, the server takes them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(
        self,
        kind: str,
        *,
        count: int | None = None,
        duration: float | None = None,
        path_prefix: str = "",
        token: str | None = None,
        status: int = 500,
        delay: float = 1.0,
        retry_after: int = 1,
        field: str | None = None,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        if kind == "server_error" and not 500 <= status <= 599:
            raise ValueError("server_error needs a 5xx status")
        until = self._clock() + duration if duration is not None else None
        fault = Fault(next(self._ids), kind, count, until, path_prefix, token, status, delay, retry_after, field)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, path: str, token: str, *, has_cursor: bool) -> Fault | None:
        """The fault to apply to this request, if any (consuming one of its ``count``)."""
        now = self._clock()
        with self._lock:
            self._faults = self._live(now)
            for fault in self._faults:
                if fault.matches(path, token, has_cursor, now):
                    if fault.count is not None:
                        fault.count -= 1
                    fault.applied += 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def _live(self, now: float) -> list[Fault]:
        return [f for f in self._faults if (f.count is None or f.count > 0) and (f.until is None or now < f.until)]

    def active(self) -> list[Fault]:
        with self._lock:
            return self._live(self._clock())
