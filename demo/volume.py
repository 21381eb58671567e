"""How many invoices each customer gets, and on which days.

Volume grows over the window (customers invoice more, new customers arrive), dips in
August and around Christmas, and falls on business days; a dashboard drawn from it shows
the shapes finance teams recognise.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from demo.timeline import WINDOW_DAYS, Timeline

GROWTH = 0.4
"""Per active customer, the last day of the window sees 1.4× the first day's volume."""

SEASON = (0.95, 1.0, 1.05, 1.0, 0.9, 1.05, 0.9, 0.55, 1.05, 1.05, 1.0, 0.85)
_SEASON_MAX = max(SEASON)


def _mass(a: float, b: float) -> float:
    """Integral of the growth curve ``1 + GROWTH·x`` over the window fraction ``[a, b]``."""
    return (b - a) + GROWTH * (b * b - a * a) / 2


def _fraction(timeline: Timeline, ordinal: int) -> float:
    return (ordinal - timeline.start) / (WINDOW_DAYS + 1)


def allocate(weights: Sequence[float], firsts: Sequence[int], total: int, timeline: Timeline) -> list[int]:
    """Split ``total`` invoices across customers by activity × time active, exactly.

    Largest-remainder rounding with the customer's position as tie-break keeps the split
    deterministic and the sum equal to ``total``.
    """
    expected = [w * _mass(_fraction(timeline, f), 1.0) for w, f in zip(weights, firsts, strict=True)]
    scale = total / sum(expected) if expected else 0.0
    quotas = [int(e * scale) for e in expected]
    missing = total - sum(quotas)
    by_remainder = sorted(range(len(expected)), key=lambda i: (quotas[i] - expected[i] * scale, i))
    for i in by_remainder[:missing]:
        quotas[i] += 1
    return quotas


def _shift_off_weekend(rng: random.Random, day: int, first: int, timeline: Timeline) -> int:
    weekday = timeline.weekday(day)
    if weekday >= 5:
        if rng.random() < 0.85:
            candidate = day - (weekday - 4) if rng.random() < 0.5 else day + (7 - weekday)
            if first <= candidate <= timeline.end:
                return candidate
        return day
    if not timeline.is_business(day) and rng.random() < 0.8:
        candidate = timeline.next_business(day)
        if candidate <= timeline.end:
            return candidate
    return day


def sample_days(rng: random.Random, count: int, first: int, timeline: Timeline) -> list[int]:
    """``count`` issue days (ordinals, sorted) between ``first`` and today."""
    a = _fraction(timeline, first)
    z = _mass(a, 1.0)
    k0 = a + GROWTH * a * a / 2
    days: list[int] = []
    while len(days) < count:
        k = k0 + rng.random() * z
        x = (math.sqrt(1 + 2 * GROWTH * k) - 1) / GROWTH
        day = min(max(timeline.start + int(x * (WINDOW_DAYS + 1)), first), timeline.end)
        if rng.random() * _SEASON_MAX > SEASON[timeline.month(day) - 1]:
            continue
        days.append(_shift_off_weekend(rng, day, first, timeline))
    days.sort()
    return days
