"""DSO by the countback method over the last three months (docs/metrics.md, "DSO").

The arithmetic is one SQL macro, `dso_countback` (core/sql/dso_countback.sql), so the dashboard,
the customer list and analysts' queries compute the same figure. This module gives the three
periods it walks back over, as bound parameters: period k runs from `as_of − k months`
(exclusive) to `as_of − (k−1) months` (inclusive), months clamped the way DuckDB clamps them
(31/03 − 1 month = 28/02).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

MONTHS = 3


@dataclass(frozen=True)
class Period:
    after: date
    """Sales issued strictly after this date…"""
    until: date
    """…and up to this date, inclusive."""

    @property
    def days(self) -> int:
        return (self.until - self.after).days


def months_before(day: date, months: int) -> date:
    """`day − months`, clamped to the month's last day (as DuckDB's `- INTERVAL n MONTH`)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def periods(as_of: date) -> tuple[Period, ...]:
    """The three months walked back over, most recent first."""
    return tuple(Period(months_before(as_of, k), months_before(as_of, k - 1)) for k in range(1, MONTHS + 1))


def sales_params(as_of: date) -> dict[str, object]:
    """Named parameters for a query summing sales per period and calling dso_countback:
    `$s1_after`, `$s1_until`, …, `$d1`, `$d2`, `$d3`."""
    params: dict[str, object] = {}
    for k, p in enumerate(periods(as_of), start=1):
        params[f"s{k}_after"], params[f"s{k}_until"], params[f"d{k}"] = p.after, p.until, p.days
    return params


CAP_DAYS_LABEL = "> 3 mois"
"""How a DSO at the cap (three months of sales do not cover the receivables) is shown."""
