"""CSV export as French Excel opens it: UTF-8 with BOM, `;` between fields, decimal comma.

Numbers carry no thousands separator and no currency sign (`1234,56`), dates read `22/11/2026`,
statuses their French label. A text cell starting with `=`, `+`, `-`, `@` (or a tab or carriage
return) is prefixed with `'` so a spreadsheet never runs it as a formula (CSV injection).
Rows are written batch by batch: nothing holds the whole set.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, BinaryIO

from core import formatting
from core.exports.table import Column, ExportTable, Progress

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CENT = Decimal("0.01")


def safe_text(text: str) -> str:
    """`text`, made inert for spreadsheets: a leading formula character gets a `'` before it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def decimal_comma(value: Decimal | int | float) -> str:
    """`1234,56`: two decimals, decimal comma, no thousands separator."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_EVEN):.2f}".replace(".", ",")


def _cell_writer(column: Column) -> Callable[[Any], str]:
    if column.kind == "money":
        return decimal_comma
    if column.kind == "int":
        return lambda value: str(int(value))
    if column.kind == "date":
        return lambda value: formatting.day(value) if isinstance(value, date | datetime) else safe_text(str(value))
    if column.kind == "status":
        labels = dict(column.labels)
        return lambda value: safe_text(labels.get(str(value), str(value)))
    return lambda value: safe_text(str(value))


def write_csv(table: ExportTable, out: BinaryIO, progress: Progress | None = None) -> None:
    """Write `table` to `out` (a binary file object, left open)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
        writer.writerow([safe_text(c.header) for c in table.columns])
        cells = [_cell_writer(c) for c in table.columns]
        written = 0
        for batch in table.batches():
            writer.writerows(
                ["" if v is None else cell(v) for cell, v in zip(cells, values, strict=True)] for values in batch
            )
            written += len(batch)
            if progress is not None:
                progress(written, table.row_count)
        text.flush()
    finally:
        text.detach()  # the caller owns `out`
