"""What every paged list says about its pages, whatever its rows and totals."""

from __future__ import annotations

import math
from collections.abc import Sized
from typing import Protocol


class _Counted(Protocol):
    @property
    def count(self) -> int: ...


class Paging:
    """Mixed into a list's page dataclass, which has `rows`, `totals.count`, `page` (1-based) and `page_size`."""

    rows: Sized
    totals: _Counted
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.totals.count / self.page_size))

    @property
    def first(self) -> int:
        """Number of the first row shown (1-based), 0 when there is none."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0
