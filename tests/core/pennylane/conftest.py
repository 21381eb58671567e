from __future__ import annotations

import pytest

from core.pennylane import RetryPolicy, Throttle


class FakeTime:
    """A clock that only moves when something sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_795_000_000.0 + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def throttle(self, **kwargs: float) -> Throttle:
        return Throttle(clock=self.clock, wall=self.wall, sleep=self.sleep, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


NO_JITTER = RetryPolicy(random=lambda: 0.0)
