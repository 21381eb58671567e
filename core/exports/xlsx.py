"""Excel export (.xlsx) with xlsxwriter in constant-memory mode: each row goes to disk as it is
written, so a 100,000-row export holds one row in memory.

Typed cells: amounts are numbers shown `# ##0,00 €`, dates real dates shown `dd/mm/yyyy`, counts
integers; text is always written as text (`write_string`), so `=HYPERLINK(…)` in a label stays
a label. The header row is frozen and carries an autofilter. A second sheet, "Informations",
holds the title, the filters in words, who generated it and when, and the totals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from core import formatting
from core.exports.table import Column, ExportTable, Progress

MONEY_FORMAT = '#,##0.00 "€"'
"""Excel's codes are locale-neutral: French Excel shows it `1 234,56 €`."""
DATE_FORMAT = "dd/mm/yyyy"
SHEET, INFO_SHEET = "Export", "Informations"
_WIDTHS = {"money": 15.0, "date": 12.0, "int": 9.0, "status": 16.0}


def _column_width(column: Column) -> float:
    """Characters: enough for the header, and for text in proportion to its PDF share."""
    base = _WIDTHS.get(column.kind, min(60.0, 14.0 * column.width))
    return max(base, min(40.0, len(column.header) + 3.0))


def _sheet_name(title: str) -> str:
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in title).strip("'") or SHEET
    return cleaned[:31]


def write_xlsx(table: ExportTable, out: BinaryIO, progress: Progress | None = None) -> None:
    """Write `table` to `out` (a binary file object, left open)."""
    book = xlsxwriter.Workbook(
        out,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": False},
    )
    try:
        bold = book.add_format({"bold": True, "bg_color": "#DDDDDD", "text_wrap": True, "valign": "top"})
        formats = {
            "money": book.add_format({"num_format": MONEY_FORMAT}),
            "date": book.add_format({"num_format": DATE_FORMAT}),
            "int": book.add_format({"num_format": "0"}),
        }
        sheet = book.add_worksheet(_sheet_name(table.title))
        info = book.add_worksheet(INFO_SHEET)
        for i, column in enumerate(table.columns):
            sheet.set_column(i, i, _column_width(column))
            sheet.write_string(0, i, column.header, bold)
        sheet.freeze_panes(1, 0)
        last_column = max(len(table.columns) - 1, 0)
        sheet.autofilter(0, 0, max(table.row_count, 1), last_column)
        writers = [_cell_writer(sheet, c, formats) for c in table.columns]
        row = 0
        for batch in table.batches():
            for values in batch:
                row += 1
                for i, (write, value) in enumerate(zip(writers, values, strict=True)):
                    if value is not None:
                        write(row, i, value)
            if progress is not None:
                progress(row, table.row_count)
        _information(info, table, book.add_format({"bold": True}))
    finally:
        book.close()


Cell = Callable[[int, int, Any], Any]


def _cell_writer(sheet: Worksheet, column: Column, formats: dict[str, Format]) -> Cell:
    if column.kind == "money":
        money = formats["money"]
        return lambda r, c, v: sheet.write_number(r, c, float(v) if isinstance(v, Decimal) else v, money)
    if column.kind == "int":
        count = formats["int"]
        return lambda r, c, v: sheet.write_number(r, c, int(v), count)
    if column.kind == "date":
        day = formats["date"]

        def write_date(r: int, c: int, v: Any) -> Any:
            if isinstance(v, datetime):
                v = v.astimezone(formatting.PARIS).date() if v.tzinfo else v.date()
            if isinstance(v, date):
                return sheet.write_datetime(r, c, datetime(v.year, v.month, v.day), day)
            return sheet.write_string(r, c, str(v))

        return write_date
    if column.kind == "status":
        labels = dict(column.labels)
        return lambda r, c, v: sheet.write_string(r, c, labels.get(str(v), str(v)))
    return lambda r, c, v: sheet.write_string(r, c, str(v))


def _information(info: Worksheet, table: ExportTable, bold: Format) -> None:
    """The second sheet: title, filters in words, generation, row count and totals."""
    info.set_column(0, 0, 28)
    info.set_column(1, 1, 60)
    lines: list[tuple[str, str]] = [
        ("Export", table.title),
        ("Filtres", table.filter_summary()),
        ("Généré le", formatting.moment(table.generated_at) if table.generated_at else ""),
        ("Généré par", table.generated_by),
    ]
    for row, (label, value) in enumerate(lines):
        info.write_string(row, 0, label, bold)
        info.write_string(row, 1, value)
    info.write_string(len(lines), 0, "Nombre de lignes", bold)
    info.write_number(len(lines), 1, table.row_count)
    for row, (label, value) in enumerate(table.totals, start=len(lines) + 1):
        info.write_string(row, 0, label, bold)
        info.write_string(row, 1, value)
