"""Money as integer cents: VAT, exchange rates and Pennylane's two-decimal strings.

Integers keep every total exact (the loader checks amount − remaining against lettered
credits to the cent) and are much faster than ``Decimal`` at a million invoices.
"""

from __future__ import annotations

import math
import random

from demo.timeline import Timeline

VAT_STANDARD = 2000
VAT_INTERMEDIATE = 1000
VAT_REDUCED = 550
VAT_NONE = 0
"""Rates in basis points: 20 %, 10 %, 5.5 %, and 0 % for reverse-charged foreign B2B."""

RATE_SCALE = 1_000_000
"""Exchange rates are held in millionths, printed with six decimals as Pennylane does."""


def cents(value: int) -> str:
    """``-12034`` → ``"-120.34"``: the exact string form of an amount."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def vat(before_tax: int, rate_bp: int) -> int:
    """VAT on a non-negative amount, rounded half up to the cent."""
    return (before_tax * rate_bp + 5_000) // 10_000


def to_eur(amount: int, rate: int) -> int:
    """Convert cents of a foreign currency to euro cents, rounding half away from zero."""
    magnitude = (abs(amount) * rate + RATE_SCALE // 2) // RATE_SCALE
    return -magnitude if amount < 0 else magnitude


def rate_string(rate: int) -> str:
    if rate == RATE_SCALE:
        return "1.0"
    return f"{rate // RATE_SCALE}.{rate % RATE_SCALE:06d}"


def share(total: int, part_bp: int) -> int:
    """``part_bp`` basis points of ``total``, rounded half up (used for partial credits)."""
    return (total * part_bp + 5_000) // 10_000


def draw_amount(rng: random.Random, median: int, sigma: float, low: int, high: int) -> int:
    """A before-tax amount in cents, log-normal around ``median``; a third are round figures."""
    raw = median * math.exp(rng.gauss(0.0, sigma))
    value = min(max(int(raw), low), high)
    roll = rng.random()
    if roll < 0.2:
        value = max(low, value // 10_000 * 10_000)  # whole hundreds of euros
    elif roll < 0.35:
        value = max(low, value // 100 * 100)  # whole euros
    return value


class FxRates:
    """Daily GBP→EUR and USD→EUR rates over the window: a mean-reverting random walk."""

    _ANCHORS = {"GBP": 1.165, "USD": 0.915}

    def __init__(self, rng: random.Random, timeline: Timeline) -> None:
        self._start = timeline.start
        self._rates: dict[str, list[int]] = {}
        for currency in ("GBP", "USD"):  # fixed order: draws stay deterministic
            anchor = self._ANCHORS[currency]
            level = anchor
            series: list[int] = []
            for _ in range(timeline.n_days):
                level += 0.08 * (anchor - level) + rng.gauss(0.0, 0.0035) * anchor
                series.append(round(level * RATE_SCALE))
            self._rates[currency] = series

    def rate(self, currency: str, ordinal: int) -> int:
        """Rate of ``currency`` on a window day, in millionths of a euro per unit."""
        if currency == "EUR":
            return RATE_SCALE
        series = self._rates[currency]
        return series[min(max(ordinal - self._start, 0), len(series) - 1)]
