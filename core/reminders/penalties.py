"""Late-payment penalties of the Code de commerce (article L441-10) for the formal notice.

The rate is the ECB main refinancing rate in force on 1 January (first half-year) or 1 July
(second half-year), plus 10 points. It is stored per half-year in `penalty_rates`, entered by an
admin — never hard-coded in a computation. A half-year without a rate stops the computation
(`RateMissing`, naming it): the formal notice waits rather than claims a wrong amount.
Between businesses, each late invoice also owes a fixed €40 recovery indemnity (D441-5).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from core import formatting
from core.store import operations

RECOVERY_INDEMNITY = Decimal("40")
"""Per late invoice, business customers only (Code de commerce L441-10 and D441-5)."""
POINTS_ABOVE_ECB = Decimal("10")
_CENT = Decimal("0.01")
_YEAR_DAYS = Decimal(365)


class RateMissing(LookupError):
    """No ECB rate is stored for a half-year the penalty spans; `str(error)` says which, in French."""

    def __init__(self, period_start: date) -> None:
        self.period_start = period_start
        super().__init__(
            f"Taux BCE manquant pour le {half_year_label(period_start)} : un administrateur doit le saisir "
            "(page « Plans de relance », onglet « Taux BCE ») avant que la mise en demeure puisse partir."
        )


def half_year_label(period_start: date) -> str:
    """`1er semestre 2026` / `2e semestre 2026`."""
    return f"{'1er' if period_start.month == 1 else '2e'} semestre {period_start.year}"


def period_start(day: date) -> date:
    """1 January or 1 July of the half-year `day` falls in."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def _next_period(start: date) -> date:
    return date(start.year, 7, 1) if start.month == 1 else date(start.year + 1, 1, 1)


def rates_from(con: sqlite3.Connection) -> dict[date, Decimal]:
    """The stored ECB rates (percent) by the first day of their half-year."""
    rows = con.execute("SELECT period_start, ecb_rate FROM penalty_rates ORDER BY period_start")
    return {date.fromisoformat(r[0]): Decimal(r[1]) for r in rows}


def set_rate(
    con: sqlite3.Connection,
    period: date,
    ecb_rate: Decimal | str,
    *,
    source: str = "",
    by: str | None = None,
    now: datetime,
) -> None:
    """Store (or correct) the ECB rate of the half-year starting `period` (1 January or 1 July)."""
    if period != period_start(period) or period.day != 1:
        raise ValueError(f"un semestre commence le 1er janvier ou le 1er juillet, pas le {formatting.day(period)}")
    try:
        value = Decimal(str(ecb_rate).replace(",", ".").strip())
    except InvalidOperation:
        raise ValueError(f"taux invalide « {ecb_rate} »") from None
    if not value.is_finite() or not Decimal(-5) <= value <= Decimal(50):
        raise ValueError(f"taux invalide « {ecb_rate} » (en pourcentage, par exemple 2,15)")
    with operations.transaction(con):
        con.execute(
            "INSERT INTO penalty_rates (period_start, ecb_rate, source, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (period_start) DO UPDATE SET ecb_rate = excluded.ecb_rate, source = excluded.source,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (period.isoformat(), str(value), source, now.isoformat(), by),
        )


KNOWN_RATES = (
    (date(2024, 1, 1), "4.50", "BCE, taux des opérations principales de refinancement en vigueur au 01/01/2024"),
    (date(2024, 7, 1), "4.25", "BCE, taux des opérations principales de refinancement en vigueur au 01/07/2024"),
    (date(2025, 1, 1), "3.15", "BCE, taux des opérations principales de refinancement en vigueur au 01/01/2025"),
    (date(2025, 7, 1), "2.15", "BCE, taux des opérations principales de refinancement en vigueur au 01/07/2025"),
)
"""Seed data, not a computation's constant: the ECB rates as published (decisions of 14/09/2023,
06/06/2024, 12/12/2024 and 05/06/2025). Later half-years are entered by an admin."""


def seed_known_rates(con: sqlite3.Connection, now: datetime) -> int:
    """Insert the known half-year rates that are not stored yet (an admin's value is never
    overwritten). How many it inserted."""
    return seed_rates(con, KNOWN_RATES, now)


def seed_rates(con: sqlite3.Connection, rates: Iterable[tuple[date, str, str]], now: datetime) -> int:
    """Insert `(half-year start, rate, source)` rows not stored yet; how many it inserted."""
    inserted = 0
    with operations.transaction(con):
        for start, rate, source in rates:
            cur = con.execute(
                "INSERT OR IGNORE INTO penalty_rates (period_start, ecb_rate, source, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, NULL)",
                (start.isoformat(), rate, source, now.isoformat()),
            )
            inserted += int(cur.rowcount or 0)
    return inserted


@dataclass(frozen=True)
class PenaltySpan:
    """The days of lateness that fall in one half-year, at its rate (ECB + 10 points)."""

    period_start: date
    first_day: date
    last_day: date
    days: int
    rate: Decimal  # percent a year, ECB + 10 points


def spans(due_date: date, until: date, rates: Mapping[date, Decimal]) -> list[PenaltySpan]:
    """The lateness from the day after `due_date` to `until` (inclusive), cut at 1 January and
    1 July. RateMissing for the first half-year without a stored rate."""
    found = []
    first = due_date + timedelta(days=1)
    while first <= until:
        start = period_start(first)
        if start not in rates:
            raise RateMissing(start)
        last = min(until, _next_period(start) - timedelta(days=1))
        days = (last - first).days + 1
        found.append(PenaltySpan(start, first, last, days, rates[start] + POINTS_ABOVE_ECB))
        first = last + timedelta(days=1)
    return found


def late_penalty(amount: Decimal, due_date: date, until: date, rates: Mapping[date, Decimal]) -> Decimal:
    """Simple interest on `amount` for each day late from the day after `due_date` to `until`, at
    each half-year's rate, on a 365-day year; rounded to the cent once, at the end."""
    if amount <= 0:
        return Decimal("0.00")
    total = sum(
        (amount * s.rate / Decimal(100) * Decimal(s.days) / _YEAR_DAYS for s in spans(due_date, until, rates)),
        Decimal(0),
    )
    return total.quantize(_CENT, rounding=ROUND_HALF_UP)


def is_business(customer_type: str | None) -> bool:
    """Whether the €40 indemnity applies: Pennylane's `individual` customers are consumers; a
    customer of unknown type is taken for a company, as most of a group's customers are."""
    return (customer_type or "company") != "individual"


def recovery_indemnity(invoices: int, *, b2b: bool) -> Decimal:
    """€40 per late invoice between businesses; nothing for a consumer."""
    return RECOVERY_INDEMNITY * invoices if b2b else Decimal(0)
