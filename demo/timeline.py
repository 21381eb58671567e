"""The demo's calendar: the 24-month window ending ``today``, business days, Paris timestamps.

Days are proleptic ordinals (``date.toordinal()``) so the simulation stays in integer
arithmetic; their string forms are cached because a million-invoice run formats the same
few hundred dates millions of times. Nothing here reads the clock: ``today`` is given.
"""

from __future__ import annotations

import datetime as dt

WINDOW_DAYS = 730
"""The window is ``[today - 730 days, today]``: 24 months, 731 calendar days."""

_MARGIN_BEFORE = 60
_MARGIN_AFTER = 500  # deadlines and late payments land after today


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (anonymous algorithm), for the French moveable holidays."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    n = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * n) // 451
    month, day = divmod(h + n - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def french_holidays(year: int) -> list[dt.date]:
    """Public holidays in metropolitan France: banks credit no transfer on these."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [easter + dt.timedelta(days=n) for n in (1, 39, 50)]
    return sorted([dt.date(year, m, d) for m, d in fixed] + moving)


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def paris_offset(day: dt.date) -> str:
    """Europe/Paris UTC offset for office hours of ``day`` (EU rule: last Sundays of March/October)."""
    summer = _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10)
    return "+02:00" if summer else "+01:00"


def end_of_month(ordinal: int) -> int:
    day = dt.date.fromordinal(ordinal)
    first_next = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_next.toordinal() - 1


class Timeline:
    """The window and every per-day fact the generator needs, precomputed once."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.end = today.toordinal()
        self.start = self.end - WINDOW_DAYS
        self.n_days = WINDOW_DAYS + 1
        self._lo = self.start - _MARGIN_BEFORE
        hi = self.end + _MARGIN_AFTER
        first = dt.date.fromordinal(self._lo)
        holidays: set[int] = set()
        for year in range(first.year, dt.date.fromordinal(hi).year + 1):
            holidays.update(h.toordinal() for h in french_holidays(year))
        self._iso: list[str] = []
        self._offset: list[str] = []
        self._business = bytearray()
        for o in range(self._lo, hi + 1):
            day = dt.date.fromordinal(o)
            self._iso.append(day.isoformat())
            self._offset.append(paris_offset(day))
            self._business.append(day.weekday() < 5 and o not in holidays)
        start = dt.date.fromordinal(self.start)
        self._month0 = start.year * 12 + start.month - 1
        self.n_months = today.year * 12 + today.month - 1 - self._month0 + 1

    def iso(self, ordinal: int) -> str:
        i = ordinal - self._lo
        if 0 <= i < len(self._iso):
            return self._iso[i]
        return dt.date.fromordinal(ordinal).isoformat()

    def timestamp(self, ordinal: int, seconds: int) -> str:
        """``2025-01-14T09:12:31.000000+01:00``: local Paris time, ``seconds`` after midnight."""
        i = ordinal - self._lo
        if 0 <= i < len(self._iso):
            iso, offset = self._iso[i], self._offset[i]
        else:
            day = dt.date.fromordinal(ordinal)
            iso, offset = day.isoformat(), paris_offset(day)
        h, rest = divmod(seconds, 3600)
        return f"{iso}T{h:02d}:{rest // 60:02d}:{rest % 60:02d}.000000{offset}"

    def is_business(self, ordinal: int) -> bool:
        i = ordinal - self._lo
        if 0 <= i < len(self._business):
            return bool(self._business[i])
        return dt.date.fromordinal(ordinal).weekday() < 5

    def next_business(self, ordinal: int) -> int:
        while not self.is_business(ordinal):
            ordinal += 1
        return ordinal

    def previous_business(self, ordinal: int) -> int:
        while not self.is_business(ordinal):
            ordinal -= 1
        return ordinal

    def month_index(self, ordinal: int) -> int:
        """0 for the window's first calendar month, ``n_months - 1`` for today's."""
        day = dt.date.fromordinal(ordinal)
        return day.year * 12 + day.month - 1 - self._month0

    def weekday(self, ordinal: int) -> int:
        return (ordinal + 6) % 7  # date.fromordinal(1) is a Monday

    def month(self, ordinal: int) -> int:
        return int(self.iso(ordinal)[5:7])

    def year(self, ordinal: int) -> int:
        return int(self.iso(ordinal)[:4])


def office_seconds(key: int) -> int:
    """A deterministic time of day between 08:00 and 18:59:59, spread by hashing ``key``."""
    return 28_800 + (key * 2_654_435_761 % 4_294_967_296) % 39_600
