"""Text in the PDF's built-in Helvetica, shared by the list exports (core/exports/pdf.py) and the
reminder letters (core/reminders/letters.py): one font setup, one character mapping.

Helvetica is not embedded and prints WinAnsi (cp1252, one byte a character). It has no glyph
for U+202F, Babel's French thousands separator (a black square), nor for "≥": `winansi` is the
one place characters are substituted. `MeasuredFont` measures those bytes with the font's own
width table, caching what it encoded, so a 100,000-row export does not re-measure each cell.
"""

from __future__ import annotations

from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase.pdfmetrics import getFont

FONT, BOLD = "Helvetica", "Helvetica-Bold"
ELLIPSIS = "…"
CACHE_LIMIT = 50_000
"""Distinct texts kept encoded; past it a cache starts afresh (memory stays flat)."""

_PRINTABLE = str.maketrans(
    {
        "\u202f": "\u00a0",  # Babel's narrow no-break space: a black square in Helvetica
        "\u2009": " ",
        "\u2007": "\u00a0",
        "\u2212": "-",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u2192": "->",
        "\u2260": "!=",
        "\n": " ",
        "\r": " ",
        "\t": " ",
    }
)


_CONTROLS = bytes.maketrans(b"\n\r\t", b"   ")


def winansi(text: str) -> bytes:
    """What Helvetica prints of `text`, in its encoding (WinAnsi = cp1252, one byte a character):
    the one place characters are substituted (U+202F → U+00A0, "≥" → ">=", unknown → "?")."""
    try:
        data = text.replace("\u202f", "\u00a0").encode("cp1252")
    except UnicodeEncodeError:
        data = text.translate(_PRINTABLE).encode("cp1252", errors="replace")
    return data.translate(_CONTROLS)


def pdf_literal(data: bytes) -> str:
    """`(…)`, the PDF string of WinAnsi bytes, ready for `Tj`."""
    return "(" + escapePDF(data) + ")"


ELLIPSIS_BYTES = ELLIPSIS.encode("cp1252")


class MeasuredFont:
    """One font at one size, measuring WinAnsi bytes with the font's own width table (what
    reportlab's stringWidth computes, without re-encoding each time); bounded caches."""

    def __init__(self, name: str, size: float) -> None:
        self.name, self.size = name, size
        font = getFont(name)
        assert font.encoding.name == "WinAnsiEncoding", font.encoding.name
        self._widths = tuple(w * size / 1000 for w in font.widths)
        self._cache: dict[bytes, tuple[str, float]] = {}
        self._words: dict[bytes, float] = {}
        self.space = self._widths[32]

    def width(self, data: bytes) -> float:
        return sum(map(self._widths.__getitem__, data))

    def encoded(self, data: bytes) -> tuple[str, float]:
        """(PDF literal, width in points) of WinAnsi bytes, cached."""
        hit = self._cache.get(data)
        if hit is None:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            hit = self._cache[data] = (pdf_literal(data), self.width(data))
        return hit

    def _word(self, word: bytes) -> float:
        width = self._words.get(word)
        if width is None:
            if len(self._words) >= CACHE_LIMIT:
                self._words.clear()
            width = self._words[word] = self.width(word)
        return width

    def wrap(self, data: bytes, width: float, max_lines: int | None = None) -> list[bytes]:
        """Greedy word wrap into lines no wider than `width`; the last allowed line ends in "…"
        when the text goes on; a word longer than a line is cut."""
        if self.width(data) <= width:
            return [data]
        lines: list[bytes] = []
        words = [w for w in data.split(b" ") if w]
        while words:
            if max_lines is not None and len(lines) == max_lines - 1:
                rest = b" ".join(words)
                lines.append(rest if self.width(rest) <= width else self.ellipsize(rest, width))
                break
            taken, used = 0, 0.0
            for word in words:
                extra = self._word(word) + (self.space if taken else 0.0)
                if used + extra > width:
                    break
                taken, used = taken + 1, used + extra
            if taken:
                lines.append(b" ".join(words[:taken]))
                words = words[taken:]
            else:  # one word wider than the line: cut it
                cut = self._fitting(words[0], width)
                lines.append(words[0][:cut])
                words[0] = words[0][cut:]
        return lines or [b""]

    def _fitting(self, data: bytes, width: float, reserve: float = 0.0) -> int:
        """How many first bytes of `data` fit in `width - reserve` (at least 1)."""
        used, room = 0.0, width - reserve
        for count, byte in enumerate(data):
            used += self._widths[byte]
            if used > room:
                return max(1, count)
        return len(data)

    def ellipsize(self, data: bytes, width: float) -> bytes:
        return data[: self._fitting(data, width, self.width(ELLIPSIS_BYTES))].rstrip() + ELLIPSIS_BYTES
