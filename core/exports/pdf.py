"""PDF export: A4 landscape, title, filters in words, who and when, column headers on every page,
"page n / N", totals at the end, no row limit.

Built for speed and flat memory (measured in STACK-NOTES, PDF section): no platypus `Table`
(quadratic in rows); each page is one graphics string (shading, rules) and one text object
whose cells are positioned with `Tm`, every distinct cell text encoded and measured once
(cached), garbage collection paused while rendering. Every row is two lines high: a long
label wraps on its second line (and ends in "…" past it), so the rows a page holds, and with
them "page n / N", are known before the first row is read. Amounts, dates and numbers never
wrap: a value wider than its column is narrowed (`Tz`), never cut.

The built-in Helvetica (WinAnsi, not embedded) has no glyph for U+202F, Babel's French
thousands separator, nor for "≥"; `core.exports.helvetica.winansi` is the one place that maps them.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from core import formatting
from core.exports.helvetica import BOLD, CACHE_LIMIT, FONT, MeasuredFont, pdf_literal, winansi
from core.exports.table import Column, ExportTable, Progress

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 10 * mm
SIZE = 7.5
"""Cells and headers."""
LEADING = 8.6
ROW_HEIGHT = 2 * LEADING + 2.6
"""Every row holds two lines, wrapped or not."""
CELL_PAD = 2.5
TITLE_SIZE, TITLE_HEIGHT = 13.0, 19.0
META_SIZE, META_LEADING = 8.0, 10.0
FOOTER_SIZE = 7.0
TOTALS_SIZE, TOTALS_LEADING = 8.5, 12.0


@dataclass(frozen=True)
class _Layout:
    """Where everything goes, computed from the table before any row is read."""

    columns: tuple[Column, ...]
    lefts: tuple[float, ...]
    widths: tuple[float, ...]
    meta_lines: tuple[bytes, ...]
    """Page 1 only: the filter summary (wrapped) and "Généré le …"."""
    first_capacity: int
    capacity: int
    pages: int

    def header_top(self, page: int) -> float:
        top = PAGE_HEIGHT - MARGIN - TITLE_HEIGHT
        return top - (len(self.meta_lines) * META_LEADING + 6 if page == 1 else 0)

    def rows_top(self, page: int) -> float:
        return self.header_top(page) - ROW_HEIGHT


def _layout(table: ExportTable, meta: MeasuredFont, totals_height: float) -> _Layout:
    usable = PAGE_WIDTH - 2 * MARGIN
    share = sum(c.width for c in table.columns) or 1.0
    widths = tuple(usable * c.width / share for c in table.columns)
    lefts = tuple(MARGIN + sum(widths[:i]) for i in range(len(widths)))
    meta_lines = (
        *meta.wrap(winansi("Filtres : " + table.filter_summary()), usable),
        winansi(_generated(table)),
    )
    probe = _Layout(table.columns, lefts, widths, meta_lines, 0, 0, 0)
    first = max(1, int((probe.rows_top(1) - MARGIN) // ROW_HEIGHT))
    other = max(1, int((probe.rows_top(2) - MARGIN) // ROW_HEIGHT))
    rows = table.row_count
    if rows <= first:
        pages, on_last, last_top = 1, rows, probe.rows_top(1)
    else:
        pages = 1 + math.ceil((rows - first) / other)
        on_last, last_top = rows - first - (pages - 2) * other, probe.rows_top(2)
    if rows and last_top - on_last * ROW_HEIGHT - totals_height < MARGIN:
        pages += 1  # the totals go on a page of their own
    return _Layout(table.columns, lefts, widths, meta_lines, first, other, pages)


def _generated(table: ExportTable) -> str:
    when = formatting.moment(table.generated_at) if table.generated_at else ""
    who = f" par {table.generated_by}" if table.generated_by else ""
    return f"Généré le {when}{who}" if when else f"Généré{who}"


def _fmt(value: float) -> str:
    return f"{value:.2f}"


@dataclass(frozen=True)
class _Cell:
    """A column as the row loop needs it, computed once."""

    kind: str
    left_tm: str
    """`1 0 0 1 x` of the cell's text start (left-aligned)."""
    right: float
    room: float
    labels: dict[str, str]


class _Renderer:
    def __init__(self, table: ExportTable, canvas: Canvas) -> None:
        self.table, self.canvas = table, canvas
        self.body, self.bold = MeasuredFont(FONT, SIZE), MeasuredFont(BOLD, SIZE)
        self.title_font, self.meta = MeasuredFont(BOLD, TITLE_SIZE), MeasuredFont(FONT, META_SIZE)
        self.footer, self.totals_font = MeasuredFont(FONT, FOOTER_SIZE), MeasuredFont(BOLD, TOTALS_SIZE)
        self.totals = (("Nombre de lignes", formatting.number(table.row_count)), *table.totals)
        self.layout = _layout(table, self.meta, 8 + len(self.totals) * TOTALS_LEADING)
        self.f_body, self.f_bold = _internal_name(canvas, FONT), _internal_name(canvas, BOLD)
        self.cells = [
            _Cell(c.kind, f"1 0 0 1 {_fmt(left + CELL_PAD)}", left + w - CELL_PAD, w - 2 * CELL_PAD, dict(c.labels))
            for c, left, w in zip(table.columns, self.layout.lefts, self.layout.widths, strict=True)
        ]
        self.band_x, self.band_size = f"0.955 g {_fmt(MARGIN)}", f"{_fmt(PAGE_WIDTH - 2 * MARGIN)} {_fmt(ROW_HEIGHT)}"
        self.wrapped: dict[tuple[str, float], list[str]] = {}
        self.small_values: dict[tuple[str, Any], bytes] = {}
        self.page = 0
        self.text: list[str] = []
        self.shapes: list[str] = []
        self.y = 0.0
        self.rows_on_page = 0
        self.header_cells = [self.bold.wrap(winansi(c.header), w - 2 * CELL_PAD, 2) for c, w in self._cols()]

    def _cols(self) -> Iterator[tuple[Column, float]]:
        return zip(self.table.columns, self.layout.widths, strict=True)

    # -- pages -------------------------------------------------------------------------------
    def start_page(self) -> None:
        self.page += 1
        self.text, self.shapes = ["BT"], []
        top = PAGE_HEIGHT - MARGIN
        title = winansi(self.table.title)
        usable = PAGE_WIDTH - 2 * MARGIN
        if self.title_font.width(title) > usable:
            title = self.title_font.ellipsize(title, usable)
        self.text.append(f"/{self.f_bold} {_fmt(TITLE_SIZE)} Tf")
        self._put(self.title_font, title, MARGIN, top - TITLE_SIZE)
        if self.page == 1:
            self.text.append(f"/{self.f_body} {_fmt(META_SIZE)} Tf")
            y = top - TITLE_HEIGHT - META_SIZE
            for line in self.layout.meta_lines:
                self._put(self.meta, line, MARGIN, y)
                y -= META_LEADING
        footer = self.footer
        self.text.append(f"/{self.f_body} {_fmt(FOOTER_SIZE)} Tf 0.35 g")
        left = winansi(f"{self.table.title} · {_generated(self.table)}")
        room = usable * 0.75
        self._put(footer, left if footer.width(left) <= room else footer.ellipsize(left, room), MARGIN, MARGIN - 12)
        number = winansi(f"page {self.page} / {self.layout.pages}")
        self._put(footer, number, PAGE_WIDTH - MARGIN - footer.width(number), MARGIN - 12)
        self.text.append("0 g")
        self.y = self.layout.header_top(self.page)
        self.rows_on_page = 0

    def header(self) -> None:
        top = self.y
        self.shapes.append(
            f"0.86 g {_fmt(MARGIN)} {_fmt(top - ROW_HEIGHT)} {_fmt(PAGE_WIDTH - 2 * MARGIN)} {_fmt(ROW_HEIGHT)} re f"
        )
        self.text.append(f"/{self.f_bold} {_fmt(SIZE)} Tf")
        for (column, width), left, lines in zip(self._cols(), self.layout.lefts, self.header_cells, strict=True):
            right_aligned = column.kind in ("money", "int")
            for i, line in enumerate(lines):
                x = left + width - CELL_PAD - self.bold.width(line) if right_aligned else left + CELL_PAD
                self._put(self.bold, line, x, top - 2 - SIZE * 0.8 - i * LEADING)
        self.text.append(f"/{self.f_body} {_fmt(SIZE)} Tf")
        self.y = top - ROW_HEIGHT

    def end_page(self) -> None:
        self.text.append("ET")
        if self.shapes:
            self.canvas.addLiteral(" ".join([*self.shapes, "0 g"]))
        self.canvas.addLiteral(" ".join(self.text))
        self.canvas.showPage()

    # -- cells -------------------------------------------------------------------------------
    def _put(self, font: MeasuredFont, text: bytes, x: float, y: float) -> None:
        encoded, _ = font.encoded(text)
        self.text.append(f"1 0 0 1 {_fmt(x)} {_fmt(y)} Tm {encoded} Tj")

    def row(self, values: Any) -> None:
        top = self.y
        if self.rows_on_page % 2:
            self.shapes.append(f"{self.band_x} {_fmt(top - ROW_HEIGHT)} {self.band_size} re f")
        first = f" {_fmt(top - 2 - SIZE * 0.8)} Tm "
        out = self.text
        for cell, value in zip(self.cells, values, strict=True):
            if value is None:
                continue
            kind = cell.kind
            if kind == "money":
                literal, width = self._money(value)
                self._single(cell, literal, width, first, right=True)
            elif kind == "date" or kind == "int":
                literal, width = self.body.encoded(self._small(cell, value))
                self._single(cell, literal, width, first, right=kind == "int")
            else:
                lines = self._wrapped(cell.labels.get(str(value), str(value)) if cell.labels else str(value), cell)
                out.append(f"{cell.left_tm}{first}{lines[0]} Tj")
                if len(lines) > 1:
                    out.append(f"{cell.left_tm} {_fmt(top - 2 - SIZE * 0.8 - LEADING)} Tm {lines[1]} Tj")
        self.y = top - ROW_HEIGHT
        self.rows_on_page += 1

    def _money(self, value: Any) -> tuple[str, float]:
        """Amounts are mostly distinct: encoded without being cached."""
        data = winansi(formatting.money(value))
        return pdf_literal(data), self.body.width(data)

    def _single(self, cell: _Cell, literal: str, width: float, y_tm: str, *, right: bool) -> None:
        """One line, never cut: narrowed (`Tz`) when wider than the column."""
        if width <= cell.room:
            x = f"1 0 0 1 {_fmt(cell.right - width)}" if right else cell.left_tm
            self.text.append(f"{x}{y_tm}{literal} Tj")
        else:
            scale = math.floor(cell.room / width * 1000) / 10
            self.text.append(f"{_fmt(scale)} Tz {cell.left_tm}{y_tm}{literal} Tj 100 Tz")

    def _small(self, cell: _Cell, value: Any) -> bytes:
        """Dates and counts repeat: each distinct one is formatted once."""
        key = (cell.kind, value)
        text = self.small_values.get(key)
        if text is None:
            if len(self.small_values) >= CACHE_LIMIT:
                self.small_values.clear()
            raw = formatting.day(value) if isinstance(value, date | datetime) else formatting.number(value)
            text = self.small_values[key] = winansi(raw)
        return text

    def _wrapped(self, text: str, cell: _Cell) -> list[str]:
        """PDF literals of the (at most two) lines of a text cell."""
        key = (text, cell.room)
        lines = self.wrapped.get(key)
        if lines is None:
            if len(self.wrapped) >= CACHE_LIMIT:
                self.wrapped.clear()
            lines = [pdf_literal(line) for line in self.body.wrap(winansi(text), cell.room, 2)]
            self.wrapped[key] = lines
        return lines

    # -- end -------------------------------------------------------------------------------
    def empty(self) -> None:
        self.text.append(f"/{self.f_body} {_fmt(META_SIZE + 1)} Tf")
        self._put(self.meta, winansi(self.table.empty_message), MARGIN + CELL_PAD, self.y - 18)

    def totals_block(self) -> None:
        self.y -= 8
        self.shapes.append(
            f"0 g 0.6 w {_fmt(MARGIN)} {_fmt(self.y + 4)} m {_fmt(PAGE_WIDTH - MARGIN)} {_fmt(self.y + 4)} l S"
        )
        self.text.append(f"/{self.f_bold} {_fmt(TOTALS_SIZE)} Tf")
        labels = [winansi(label + " :") for label, _ in self.totals]
        value_x = MARGIN + CELL_PAD + max(self.totals_font.width(t) for t in labels) + 8
        for label, (_, value) in zip(labels, self.totals, strict=True):
            self.y -= TOTALS_LEADING
            self._put(self.totals_font, label, MARGIN + CELL_PAD, self.y)
            self._put(self.totals_font, winansi(value), value_x, self.y)


def _internal_name(canvas: Canvas, font: str) -> str:
    """The resource name (`F1`…) a content stream uses for `font` (registers it on the page resources)."""
    return str(canvas._doc.getInternalFontName(font)).lstrip("/")  # no public accessor in reportlab 5.1


def write_pdf(table: ExportTable, out: BinaryIO, progress: Progress | None = None) -> None:
    """Render `table` to `out` (any binary file object). Raises ValueError when the batches hold
    another number of rows than `table.row_count` (the page numbers were computed from it)."""
    canvas = Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    canvas.setTitle(table.title)
    canvas.setAuthor(table.generated_by)
    canvas.setCreator("Encours")
    renderer = _Renderer(table, canvas)
    layout = renderer.layout
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived strings: the collector would only slow rendering down
    try:
        written = _render_rows(renderer, layout, progress)
        if written != table.row_count:
            raise ValueError(f"{written} lignes reçues pour {table.row_count} annoncées")
        if written == 0:
            renderer.empty()
        else:
            if renderer.y - 8 - len(renderer.totals) * TOTALS_LEADING < MARGIN:
                renderer.end_page()
                renderer.start_page()
            renderer.totals_block()
        renderer.end_page()
        canvas.save()
    finally:
        if collecting:
            gc.enable()
    if progress is not None:
        progress(table.row_count, table.row_count)


def _render_rows(renderer: _Renderer, layout: _Layout, progress: Progress | None) -> int:
    renderer.start_page()
    renderer.header()
    written = 0
    for batch in renderer.table.batches():
        for values in batch:
            capacity = layout.first_capacity if renderer.page == 1 else layout.capacity
            if renderer.rows_on_page == capacity:
                if written >= renderer.table.row_count:
                    raise ValueError(f"plus de lignes reçues que les {renderer.table.row_count} annoncées")
                renderer.end_page()
                renderer.start_page()
                renderer.header()
            renderer.row(values)
            written += 1
        if progress is not None:
            progress(written, renderer.table.row_count)
    return written
