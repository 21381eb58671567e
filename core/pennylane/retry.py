"""The one retry policy of the Pennylane client.

What is retried is decided by the error itself (``PennylaneError.transient``):
429, 500/502/503/504, timeouts, broken connections and malformed bodies are;
400/401/403/404/422 never are. This module only decides *how long* to wait:
``retry-after`` on a 429, exponential back-off with a cap and a little jitter
otherwise, so that several workers hitting the same outage do not retry in step.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from core.pennylane.errors import PennylaneError, PennylaneRateLimited


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` counts the first try: 6 means up to 5 retries."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.1
    max_retry_after: float = 120.0
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def should_retry(self, error: PennylaneError, attempt: int) -> bool:
        """Whether to try again after ``attempt`` (1-based) failed with ``error``."""
        if not error.transient or attempt >= self.max_attempts:
            return False
        if isinstance(error, PennylaneRateLimited) and error.retry_after is not None:
            return error.retry_after <= self.max_retry_after
        return True

    def delay(self, error: PennylaneError, attempt: int) -> float:
        """Seconds to wait before the next attempt."""
        if isinstance(error, PennylaneRateLimited) and error.retry_after is not None:
            return max(error.retry_after, 0.0)
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return backoff * (1 + self.jitter * self.random())


NO_RETRY = RetryPolicy(max_attempts=1)
