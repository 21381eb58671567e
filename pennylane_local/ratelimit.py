"""Pennylane's rate limit, 25 requests per 5 seconds per token, as a sliding window.

A sliding log is the strictest reading of "25 per 5 s": no 5-second span ever
holds more than 25 accepted requests, so a client that passes here passes a
fixed-window server too. Refused requests are not logged (a client retrying
too early is not locked out for longer).

Headers on every response while enabled: ``ratelimit-limit``,
``ratelimit-remaining`` (after this request) and ``ratelimit-reset``, the Unix
time (whole seconds, rounded up) at which the oldest request leaves the window
and a slot frees. When disabled, no header is sent and nothing is refused.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

LIMIT = 25
PERIOD = 5.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: int | None = None


class RateLimiter:
    def __init__(
        self,
        limit: int = LIMIT,
        period: float = PERIOD,
        *,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.period = period
        self.enabled = enabled
        self._clock = clock
        self._wall = wall
        self._windows: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> Decision:
        """Count one request for ``key`` (a token) unless it is over the limit."""
        if not self.enabled:
            return Decision(True)
        with self._lock:
            now = self._clock()
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - self.period:
                window.popleft()
            allowed = len(window) < self.limit
            if allowed:
                window.append(now)
            frees_in = window[0] + self.period - now
            headers = {
                "ratelimit-limit": str(self.limit),
                "ratelimit-remaining": str(self.limit - len(window)),
                "ratelimit-reset": str(math.ceil(self._wall() + frees_in)),
            }
            return Decision(allowed, headers, None if allowed else max(1, math.ceil(frees_in)))

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()
