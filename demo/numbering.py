"""Dense, chronological ids and invoice numbers, handed out customer by customer.

Pennylane ids grow with creation time and French invoice numbers are gapless per year.
Customers are simulated one at a time, so a first pass counts what each entity creates on
each day; the second pass then gives the k-th record created on day d the id
``base + (records before d) + k`` — chronological without holding every record in memory.
"""

from __future__ import annotations

import random
from datetime import date
from itertools import accumulate

from demo.timeline import Timeline

INVOICE = 0
ENTRY = 1
LINE = 2
NUMBER_INVOICE = 3
NUMBER_CREDIT = 4
NUMBER_DRAFT = 5
KINDS = 6

_ID_BASES = {INVOICE: 200_000_000, LINE: 500_000_000, ENTRY: 800_000_000}
_ID_STRIDES = {INVOICE: 100_000_000, LINE: 100_000_000, ENTRY: 60_000_000}
SERIES = {NUMBER_INVOICE: "F", NUMBER_CREDIT: "AV", NUMBER_DRAFT: "BR"}
"""Invoice number prefixes: ``F`` invoices, ``AV`` credit notes (avoirs), ``BR`` drafts (brouillons)."""

_OPENING_SAMPLE_DAYS = 90


class DayCounts:
    """First pass: how many records of each kind each entity creates on each window day."""

    def __init__(self, timeline: Timeline, entities: int) -> None:
        self.start = timeline.start
        self.counts = [[[0] * timeline.n_days for _ in range(KINDS)] for _ in range(entities)]

    def add(self, entity: int, kind: int, day: int) -> None:
        self.counts[entity][kind][day - self.start] += 1


class Allocator:
    """Second pass: hands out the ids and numbers the first pass reserved, day by day."""

    def __init__(self, counts: DayCounts, timeline: Timeline, rng: random.Random) -> None:
        self.start = timeline.start
        self._timeline = timeline
        self._counts = counts.counts
        self._first: list[list[list[int]]] = []
        self._used: list[list[list[int]]] = []
        for entity, per_kind in enumerate(counts.counts):
            firsts: list[list[int]] = []
            for kind, daily in enumerate(per_kind):
                if kind in _ID_BASES:
                    origin = _ID_BASES[kind] + entity * _ID_STRIDES[kind] + rng.randint(100_000, 900_000)
                    firsts.append([origin + before for before in accumulate(daily, initial=0)][:-1])
                else:
                    firsts.append(self._number_starts(daily))
            self._first.append(firsts)
            self._used.append([[0] * len(daily) for daily in per_kind])

    def _number_starts(self, daily: list[int]) -> list[int]:
        """First number of each day: numbering restarts at 1 every 1 January.

        The window starts mid-year, so the first year opens at the count a company of that
        size would already have reached by then, not at 1.
        """
        sample = daily[:_OPENING_SAMPLE_DAYS]
        first_day = self._timeline.iso(self.start)
        day_of_year = self.start - _jan_first(first_day)
        opening = round(sum(sample) / max(len(sample), 1) * day_of_year)
        starts: list[int] = []
        running, year = opening, first_day[:4]
        for offset, n in enumerate(daily):
            iso = self._timeline.iso(self.start + offset)
            if iso[:4] != year:
                running, year = 0, iso[:4]
            starts.append(running + 1)
            running += n
        return starts

    def take(self, entity: int, kind: int, day: int) -> int:
        """The next id (or invoice number) of ``kind`` created by ``entity`` on ``day``."""
        d = day - self.start
        used = self._used[entity][kind]
        value = self._first[entity][kind][d] + used[d]
        used[d] += 1
        return value

    def number(self, entity: int, kind: int, day: int) -> str:
        """``F-2025-000123``: the next invoice number of that series on ``day``."""
        n = self.take(entity, kind, day)
        return f"{SERIES[kind]}-{self._timeline.iso(day)[:4]}-{n:06d}"

    def check_complete(self) -> None:
        """Both passes must have seen the same records; anything else is a determinism bug."""
        if self._used != self._counts:
            raise RuntimeError("demo generator: second pass diverged from the first")


def _jan_first(iso: str) -> int:
    return date(int(iso[:4]), 1, 1).toordinal()
