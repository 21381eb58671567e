"""Client-side rate limiting, shared by every client using the same token.

Pennylane allows 25 requests per 5 seconds per token. The limiter keeps a
sliding window of the requests this process made and lets a new one go only
while fewer than ``limit`` of them completed within the last ``period``.

A request is counted from the moment it is let through until its response
arrives, and is then dated by its *response* time: the server necessarily
counted it before answering, so spacing requests by ``period`` from those
dates can never look faster than the limit from the server's side, whatever
the network latency. That keeps a single sync at ~98 % of the allowed rate
with no 429.

The ``ratelimit-*`` headers cover what this process cannot see (another
process or machine using the same token): when the server says nothing is
left while our own window still has room, every thread waits until
``ratelimit-reset``. A 429's ``retry-after`` blocks the shared window too.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 25
DEFAULT_PERIOD = 5.0


def _header_float(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return float(raw.strip())
    except ValueError:
        return None


class Throttle:
    """Sliding-window limiter; thread-safe. Time sources are injectable for tests."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        period: float = DEFAULT_PERIOD,
        *,
        margin: float = 0.02,
        poll: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.period = period
        self.margin = margin
        self._poll = poll
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._lock = threading.Lock()
        self._pending: set[int] = set()
        self._done: deque[float] = deque()
        self._blocked_until = 0.0
        self._tickets = itertools.count()

    def _wait_needed(self, now: float) -> float:
        while self._done and self._done[0] + self.period + self.margin <= now:
            self._done.popleft()
        wait = self._blocked_until - now
        over = len(self._pending) + len(self._done) - self.limit
        if over >= 0:
            if over < len(self._done):
                wait = max(wait, self._done[over] + self.period + self.margin - now)
            else:  # the window is full of requests still in flight
                wait = max(wait, self._poll)
        return wait

    def acquire(self) -> tuple[int, float]:
        """Block until a request may be sent; return ``(ticket, seconds waited)``."""
        waited = 0.0
        while True:
            with self._lock:
                wait = self._wait_needed(self._clock())
                if wait <= 0:
                    ticket = next(self._tickets)
                    self._pending.add(ticket)
                    return ticket, waited
            self._sleep(wait)
            waited += wait

    def release(self, ticket: int) -> None:
        """Mark the request's response as received (or the request as failed)."""
        with self._lock:
            if ticket in self._pending:
                self._pending.discard(ticket)
                self._done.append(self._clock())

    def block_for(self, seconds: float) -> None:
        """Hold every request on this token for ``seconds`` (a 429's ``retry-after``)."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + max(seconds, 0.0))

    def observe(self, headers: Mapping[str, str]) -> None:
        """Take the server's ``ratelimit-*`` headers into account after a response."""
        limit = _header_float(headers, "ratelimit-limit")
        remaining = _header_float(headers, "ratelimit-remaining")
        reset = _header_float(headers, "ratelimit-reset")
        with self._lock:
            if limit is not None and 0 < limit < self.limit:
                self.limit = int(limit)
            if remaining is None or remaining > 0:
                return
            now = self._clock()
            self._wait_needed(now)  # prune
            if len(self._pending) + len(self._done) >= self.limit:
                return  # our own window explains it, and knows the precise time a slot frees
            if reset is None:
                delay = self.period
            elif reset > 1_000_000_000:  # Unix time, as Pennylane documents
                delay = reset - self._wall()
            else:  # a delta in seconds, as in the IETF RateLimit draft
                delay = reset
            delay = min(max(delay, 0.0), self.period * 2)
            log.info("Pennylane reports the token's quota exhausted by another client; waiting %.2f s", delay)
            self._blocked_until = max(self._blocked_until, now + delay)


_registry: dict[str, Throttle] = {}
_registry_lock = threading.Lock()


def shared_throttle(base_url: str, token: str) -> Throttle:
    """The process-wide limiter for this token on this API (keyed by a hash, never the token itself)."""
    key = hashlib.sha256(f"{base_url.rstrip('/')}\0{token}".encode()).hexdigest()
    with _registry_lock:
        throttle = _registry.get(key)
        if throttle is None:
            throttle = _registry[key] = Throttle()
        return throttle
