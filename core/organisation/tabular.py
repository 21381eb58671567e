"""Reading a spreadsheet someone exported: CSV (any of the encodings and separators French
spreadsheets write) or Excel .xlsx, into rows of text cells with their line numbers.

- CSV: UTF-8 with or without BOM, else Windows-1252 (Excel's "CSV" on a French Windows);
  separator `;` (Excel, French locale) or `,`, whichever the header line uses more.
- .xlsx: the first sheet, read-only, values rather than formulas; whole numbers read as
  integers (Excel stores 1042 as 1042.0).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from zipfile import BadZipFile

import openpyxl  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from core.organisation.changes import InvalidChange

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass(frozen=True)
class Table:
    rows: list[tuple[int, list[str]]]
    """(line number in the file, cells) of every non-blank row, the header included."""
    reading: str
    """How the file was read, in French (e.g. "CSV Windows-1252, séparateur « ; »")."""


def read_table(data: bytes) -> Table:
    """Rows of a CSV or .xlsx file (told apart by content, not by name)."""
    if data.startswith(_ZIP):
        return _xlsx(data)
    if data.startswith(_OLE):
        raise InvalidChange("Le format Excel 97-2003 (.xls) n'est pas lu : enregistrez le fichier en .xlsx ou en CSV.")
    return _csv(data)


def _csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    separator = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((line, [c.strip() for c in cells]))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidChange(f"Fichier CSV illisible vers la ligne {line} : {exc}.") from exc
    return Table(rows, f"CSV {encoding}, séparateur « {separator} »")


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 (avec BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def _xlsx(data: bytes) -> Table:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InvalidChange("Fichier Excel illisible : enregistrez-le à nouveau en .xlsx ou en CSV.") from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if any(cells):
                rows.append((line, cells))
        return Table(rows, f"Excel, feuille « {sheet.title} »")
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
