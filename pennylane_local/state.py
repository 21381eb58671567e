"""Shared state of one local server: datasets, limiter, faults and the counters tests read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pennylane_local.dataset import Dataset
from pennylane_local.faults import Faults
from pennylane_local.files import FileLinks
from pennylane_local.quirks import Quirks
from pennylane_local.ratelimit import RateLimiter


@dataclass
class ServerStats:
    """What tests assert on: requests per path, statuses, and 429s split by origin."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    injected_429: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "total": sum(self.requests.values()),
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "rate_limited": self.rate_limited,
            "injected_429": self.injected_429,
        }

    def reset(self) -> None:
        self.requests.clear()
        self.statuses.clear()
        self.rate_limited = self.injected_429 = 0


@dataclass
class ServerState:
    datasets: dict[str, Dataset]
    limiter: RateLimiter
    faults: Faults
    stats: ServerStats
    now: Callable[[], datetime]
    quirks: Quirks = field(default_factory=Quirks)
    file_links: FileLinks = field(default_factory=FileLinks)
