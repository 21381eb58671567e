"""What every export renders: a titled table of typed columns, its rows, totals and filters in words.

The lists (core.lists) build one ExportTable per request; the PDF, CSV and Excel writers
(core.exports.pdf, .csv, .xlsx) only render it. Rows arrive in batches from the database so
no writer holds the whole set: `batches` is called once per pass and yields lists of tuples
whose values follow `columns` (str, int, Decimal, date, datetime or None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

ColumnKind = Literal["text", "money", "date", "int", "status"]
"""How a value is typed and formatted: money is Decimal euros, date a datetime.date,
status a stored code shown through the column's `labels`."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    """French column title, as the grid shows it."""
    kind: ColumnKind = "text"
    width: float = 1.0
    """Relative width in the PDF (the page width is shared in proportion)."""
    labels: tuple[tuple[str, str], ...] = ()
    """For `status` columns: stored code → French label."""


Row = Sequence[Any]


@dataclass(frozen=True)
class ExportTable:
    title: str
    columns: tuple[Column, ...]
    row_count: int
    """Known before rendering (the database counted it): page numbers "page n / N" need it."""
    batches: Callable[[], Iterator[Sequence[Row]]]
    totals: tuple[tuple[str, str], ...] = ()
    """(French label, formatted value) printed after the last row, e.g. ("Montant ouvert", "1 234,56 €")."""
    filters: tuple[str, ...] = ()
    """The filters applied, in words ("Agence : Lyon", "Montant ≥ 5 000,00 €"); empty = every invoice in scope."""
    generated_by: str = ""
    generated_at: datetime | None = None
    no_filters: str = "Toutes les factures de votre périmètre"
    """What the filter summary says when `filters` is empty (a customer list says "Tous les clients…")."""
    empty_message: str = "Aucune facture ne correspond à ces filtres."
    """What a 0-row export says instead of rows."""

    def filter_summary(self) -> str:
        """The filters in one line, or `no_filters`."""
        return " · ".join(self.filters) if self.filters else self.no_filters


def status_label(column: Column, code: object) -> str:
    """The French label of a status code (the code itself when the column does not know it)."""
    if code is None:
        return ""
    return dict(column.labels).get(str(code), str(code))


Progress = Callable[[int, int], None]
"""Called by writers as (rows written so far, row_count), for a progress bar."""
