"""Printable reminder letters (issue 12): the letter a formal notice is sent as, and the one that
replaces an e-mail that bounced. A4 portrait, a French business letter: sender top left,
recipient where a DL window envelope shows it (its window sits about 20 mm from the right and
50 mm from the top), place and date, "Objet :", the body, the invoices (header repeated on every
page the table spans), totals, the L441-10 penalty block, the signature, "page n / N".

The layout is computed first, as plain drawing operations per page, then drawn: each letter
knows its page count before its first page is drawn, and a batch to print starts each letter on
a new page with its own numbering. Fonts and characters are those of the PDF export
(`core.exports.helvetica`: built-in Helvetica, `winansi` maps U+202F — Babel's thousands
separator, a black square in Helvetica — to U+00A0); amounts and dates come from `core.formatting`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from core import formatting
from core.exports.helvetica import BOLD, FONT, MeasuredFont, winansi
from core.reminders import render

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = RIGHT = 20 * mm
TOP = 15 * mm
BOTTOM = 22 * mm
"""Content stops here; the footer sits below, 10 mm from the edge."""
FOOTER_Y = 10 * mm
USABLE = PAGE_WIDTH - LEFT - RIGHT
WINDOW_LEFT = PAGE_WIDTH - 20 * mm - 85 * mm
"""The recipient block: 85 mm wide, ending 20 mm from the right edge (DL window envelope)."""
WINDOW_TOP = 50 * mm
WINDOW_HEIGHT = 35 * mm
SIDE_WIDTH = WINDOW_LEFT - LEFT - 6 * mm
"""The sender column, left of the window."""

BODY_SIZE, BODY_LEADING = 10.0, 13.0
SMALL_SIZE, SMALL_LEADING = 8.5, 11.0
SENDER_SIZE, SENDER_LEADING = 9.0, 11.5
NAME_SIZE = 11.5
TABLE_SIZE, ROW_HEIGHT = 9.0, 14.0
FOOTER_SIZE = 7.5
PARAGRAPH_GAP = 6.0
CELL_PAD = 3.0

LANGUAGES = ("fr", "en")
WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "registered": "Lettre recommandée avec accusé de réception",
        "dated_at": "{place}, le {date}",
        "dated": "Le {date}",
        "reference": "Réf. : ",
        "subject": "Objet : ",
        "siren": "SIREN ",
        "invoice": "Facture",
        "issued": "Date",
        "due": "Échéance",
        "amount": "Montant TTC",
        "amount_due": "Reste dû",
        "days_late": "Jours de retard",
        "total_amount": "Total facturé",
        "total_due": "Total restant dû",
        "penalties": "Pénalités de retard et indemnités forfaitaires de recouvrement",
        "penalties_total": "Total des pénalités et indemnités",
        "claimed": "Montant total réclamé",
        "deadline": "Date limite de paiement : {date}",
        "signature": "Le service recouvrement",
        "continued": "(suite)",
        "page": "page {n} / {total}",
    },
    "en": {
        "registered": "Registered letter with acknowledgement of receipt",
        "dated_at": "{place}, {date}",
        "dated": "{date}",
        "reference": "Ref.: ",
        "subject": "Subject: ",
        "siren": "SIREN ",
        "invoice": "Invoice",
        "issued": "Date",
        "due": "Due date",
        "amount": "Amount",
        "amount_due": "Amount due",
        "days_late": "Days late",
        "total_amount": "Total invoiced",
        "total_due": "Total amount due",
        "penalties": "Late-payment penalties and fixed recovery indemnities",
        "penalties_total": "Total penalties and indemnities",
        "claimed": "Total amount claimed",
        "deadline": "Payment deadline: {date}",
        "signature": "The credit control department",
        "continued": "(continued)",
        "page": "page {n} / {total}",
    },
}

LEGAL_MENTION = {
    "fr": (
        "Conformément à l'article L441-10 du Code de commerce, tout retard de paiement donne lieu, de plein "
        "droit et sans qu'un rappel soit nécessaire, à des pénalités de retard calculées au taux appliqué par la "
        "Banque centrale européenne à son opération de refinancement la plus récente, majoré de 10 points de "
        "pourcentage, ainsi qu'au versement d'une indemnité forfaitaire pour frais de recouvrement de 40 € par "
        "facture (article D441-5). Lorsque les frais de recouvrement exposés sont supérieurs à cette indemnité, "
        "une indemnisation complémentaire peut être demandée sur justification."
    ),
    "en": (
        "Under article L441-10 of the French Commercial Code (Code de commerce), any late payment gives rise, "
        "automatically and without any reminder being needed, to late-payment penalties at the interest rate "
        "applied by the European Central Bank to its most recent refinancing operation plus 10 percentage "
        "points, and to a fixed indemnity of €40 per invoice for recovery costs (article D441-5). Where the "
        "recovery costs incurred exceed this indemnity, further compensation may be claimed on justification."
    ),
}
"""The L441-10 mention, for callers that have no text of their own."""


@dataclass(frozen=True)
class Party:
    """Who sends or receives: a name and the lines of a postal address (already in order)."""

    name: str
    address_lines: tuple[str, ...] = ()
    siren: str | None = None
    contact: str | None = None
    """One line: telephone, e-mail… (the sender's)."""


@dataclass(frozen=True)
class LetterInvoice:
    number: str
    issue_date: date | None
    due_date: date | None
    amount: Decimal | None
    """Invoiced amount incl. VAT; None when unknown (then shown empty)."""
    amount_due: Decimal
    days_late: int


@dataclass(frozen=True)
class PenaltyBlock:
    """The formal notice's claim beyond the invoices: late-payment penalties and €40 indemnities
    (as computed elsewhere), the date by which to pay, and the legal mention."""

    lines: tuple[tuple[str, Decimal], ...]
    payment_deadline: date
    legal_mention: str

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount in self.lines), Decimal(0))


@dataclass(frozen=True)
class Letter:
    sender: Party
    recipient: Party
    place: str
    date: date
    reference: str
    subject: str
    body: str
    """Plain text as rendered from a template: blank lines separate paragraphs, a single newline
    breaks a line."""
    invoices: tuple[LetterInvoice, ...] = ()
    penalty: PenaltyBlock | None = None
    registered: bool = False
    language: str = "fr"
    signature: str | None = None
    """Below the body; None: "Le service recouvrement" in the letter's language."""

    @property
    def total_amount(self) -> Decimal:
        return sum((i.amount for i in self.invoices if i.amount is not None), Decimal(0))

    @property
    def total_due(self) -> Decimal:
        return sum((i.amount_due for i in self.invoices), Decimal(0))

    @property
    def total_claimed(self) -> Decimal:
        return self.total_due + (self.penalty.total if self.penalty else Decimal(0))

    def paragraphs(self) -> list[list[str]]:
        """The body's paragraphs, each a list of its lines."""
        out: list[list[str]] = []
        current: list[str] = []
        for line in self.body.replace("\r\n", "\n").split("\n"):
            if line.strip():
                current.append(line.rstrip())
            elif current:
                out.append(current)
                current = []
        if current:
            out.append(current)
        return out


# -- layout: plain drawing operations --------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    text: bytes
    """WinAnsi bytes (see `core.exports.helvetica.winansi`)."""
    font: MeasuredFont
    gray: float = 0.0


@dataclass(frozen=True)
class _Rect:
    x: float
    y: float
    width: float
    height: float
    gray: float


@dataclass(frozen=True)
class _Rule:
    x1: float
    x2: float
    y: float
    width: float = 0.6


_Op = _Text | _Rect | _Rule


@dataclass
class _Page:
    ops: list[_Op] = field(default_factory=list)


_FONTS: dict[tuple[bool, float], MeasuredFont] = {}


def _font(size: float, *, bold: bool = False) -> MeasuredFont:
    key = (bold, size)
    if key not in _FONTS:
        _FONTS[key] = MeasuredFont(BOLD if bold else FONT, size)
    return _FONTS[key]


@dataclass(frozen=True)
class _Column:
    key: str
    share: float
    right: bool


_COLUMNS = (
    _Column("invoice", 0.24, False),
    _Column("issued", 0.14, False),
    _Column("due", 0.14, False),
    _Column("amount", 0.18, True),
    _Column("amount_due", 0.18, True),
    _Column("days_late", 0.12, True),
)


class _Layout:
    """Flows one letter's content down its pages."""

    def __init__(self, letter: Letter) -> None:
        if letter.language not in LANGUAGES:
            raise ValueError(f"langue de lettre inconnue : {letter.language!r}")
        self.letter = letter
        self.words = WORDS[letter.language]
        self.pages: list[_Page] = []
        self.y = 0.0
        widths = [USABLE * c.share for c in _COLUMNS]
        self.col_left = [LEFT + sum(widths[:i]) for i in range(len(widths))]
        self.col_width = widths

    # -- pages -------------------------------------------------------------------------------
    @property
    def ops(self) -> list[_Op]:
        return self.pages[-1].ops

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = PAGE_HEIGHT - TOP
        if len(self.pages) > 1:  # continuation: who and what this page belongs to
            font = _font(SMALL_SIZE)
            line = f"{self.letter.recipient.name} — {self.words['reference']}{self.letter.reference} {self.words['continued']}"
            self.text(_fit(font, winansi(line), USABLE), LEFT, self.y - SMALL_SIZE, font, gray=0.35)
            self.y -= SMALL_LEADING + 8

    def need(self, height: float) -> bool:
        """Start a new page unless `height` fits above the bottom margin; True when it did."""
        if self.y - height < BOTTOM:
            self.new_page()
            return True
        return False

    def text(self, data: bytes, x: float, y: float, font: MeasuredFont, gray: float = 0.0) -> None:
        self.ops.append(_Text(x, y, data, font, gray))

    def lines(self, data: bytes, font: MeasuredFont, leading: float, x: float, width: float) -> None:
        """A wrapped text at the cursor, breaking across pages between lines."""
        for line in font.wrap(data, width):
            self.need(leading)
            self.text(line, x, self.y - font.size, font)
            self.y -= leading

    # -- the letter --------------------------------------------------------------------------
    def build(self) -> list[_Page]:
        self.new_page()
        self.head()
        self.dated_and_subject()
        self.body()
        if self.letter.invoices:
            self.table()
            self.totals()
        if self.letter.penalty is not None:
            self.penalties(self.letter.penalty)
        self.signature()
        return self.pages

    def head(self) -> None:
        letter = self.letter
        sender = letter.sender
        name = _font(NAME_SIZE, bold=True)
        self.lines(winansi(sender.name), name, NAME_SIZE + 3, LEFT, SIDE_WIDTH)
        small = _font(SENDER_SIZE)
        details = [*sender.address_lines]
        if sender.siren:
            details.append(self.words["siren"] + _siren(sender.siren))
        if sender.contact:
            details.append(sender.contact)
        for line in details:
            self.lines(winansi(line), small, SENDER_LEADING, LEFT, SIDE_WIDTH)
        if letter.registered:
            self.y = min(self.y - 8, PAGE_HEIGHT - WINDOW_TOP)
            self.lines(winansi(self.words["registered"]), _font(BODY_SIZE, bold=True), BODY_LEADING, LEFT, SIDE_WIDTH)
        left_bottom = self.y
        # the recipient, in the envelope's window
        self.y = PAGE_HEIGHT - WINDOW_TOP
        body = _font(BODY_SIZE)
        window = PAGE_WIDTH - 20 * mm - WINDOW_LEFT
        self.lines(winansi(letter.recipient.name), _font(BODY_SIZE, bold=True), BODY_LEADING, WINDOW_LEFT, window)
        for line in letter.recipient.address_lines:
            self.lines(winansi(line), body, BODY_LEADING, WINDOW_LEFT, window)
        self.y = min(left_bottom, self.y, PAGE_HEIGHT - WINDOW_TOP - WINDOW_HEIGHT) - 10

    def dated_and_subject(self) -> None:
        letter, words = self.letter, self.words
        body = _font(BODY_SIZE)
        day = formatting.day(letter.date)
        dated = (
            words["dated_at"].format(place=letter.place, date=day) if letter.place else words["dated"].format(date=day)
        )
        data = _fit(body, winansi(dated), USABLE)
        self.need(BODY_LEADING)
        self.text(data, PAGE_WIDTH - RIGHT - body.width(data), self.y - BODY_SIZE, body)
        self.y -= BODY_LEADING + 8
        if letter.reference:
            self.labelled(words["reference"], letter.reference, body, body)
        self.labelled(words["subject"], letter.subject, _font(BODY_SIZE, bold=True), _font(BODY_SIZE, bold=True))
        self.y -= 10

    def labelled(self, label: str, value: str, label_font: MeasuredFont, value_font: MeasuredFont) -> None:
        """ "Objet : …" with the value wrapped under itself (hanging indent)."""
        head = winansi(label)
        indent = label_font.width(head)
        for i, line in enumerate(value_font.wrap(winansi(value), USABLE - indent)):
            self.need(BODY_LEADING)
            if i == 0:
                self.text(head, LEFT, self.y - BODY_SIZE, label_font)
            self.text(line, LEFT + indent, self.y - BODY_SIZE, value_font)
            self.y -= BODY_LEADING

    def body(self) -> None:
        font = _font(BODY_SIZE)
        for paragraph in self.letter.paragraphs():
            for line in paragraph:
                self.lines(winansi(line), font, BODY_LEADING, LEFT, USABLE)
            self.y -= PARAGRAPH_GAP

    def table_header(self) -> None:
        bold = _font(TABLE_SIZE - 0.5, bold=True)
        cells = [
            bold.wrap(winansi(self.words[c.key]), w - 2 * CELL_PAD, 2)
            for c, w in zip(_COLUMNS, self.col_width, strict=True)
        ]
        height = max(len(c) for c in cells) * (TABLE_SIZE + 1) + 6
        self.ops.append(_Rect(LEFT, self.y - height, USABLE, height, 0.86))
        for column, left, width, lines in zip(_COLUMNS, self.col_left, self.col_width, cells, strict=True):
            for i, line in enumerate(lines):
                x = left + width - CELL_PAD - bold.width(line) if column.right else left + CELL_PAD
                self.text(line, x, self.y - 3 - bold.size - i * (TABLE_SIZE + 1), bold)
        self.y -= height

    def table(self) -> None:
        self.need(3 * ROW_HEIGHT + 30)  # the header never ends a page alone
        self.table_header()
        font = _font(TABLE_SIZE)
        for n, invoice in enumerate(self.letter.invoices):
            if self.need(ROW_HEIGHT):
                self.table_header()
            if n % 2:
                self.ops.append(_Rect(LEFT, self.y - ROW_HEIGHT, USABLE, ROW_HEIGHT, 0.955))
            days = formatting.number(invoice.days_late) if invoice.days_late > 0 else "-"
            values = (
                invoice.number,
                formatting.day(invoice.issue_date),
                formatting.day(invoice.due_date),
                self.money(invoice.amount),
                self.money(invoice.amount_due),
                days,
            )
            for column, left, width, value in zip(_COLUMNS, self.col_left, self.col_width, values, strict=True):
                self.cell(winansi(value), left, width, column.right, font)
            self.y -= ROW_HEIGHT

    def cell(self, data: bytes, left: float, width: float, right: bool, font: MeasuredFont) -> None:
        """One table cell on one line: a number too wide is set smaller, never cut; a text is
        cut with "…"."""
        room = width - 2 * CELL_PAD
        if font.width(data) > room:
            if right:
                font = _font(round(font.size * room / font.width(data), 2) - 0.01)
            else:
                data = font.ellipsize(data, room)
        x = left + width - CELL_PAD - font.width(data) if right else left + CELL_PAD
        self.text(data, x, self.y - 3.5 - TABLE_SIZE * 0.8, font)

    def money(self, amount: Decimal | None) -> str:
        """An amount as the letter's language writes it (`1 234,56 €`, `€1,234.56`), as its text does."""
        return "" if amount is None else render.money(amount, self.letter.language)

    def amount_line(self, label: str, amount: Decimal, font: MeasuredFont, *, indent: float = 0.0) -> None:
        """A label on the left (wrapped) and an amount right-aligned on its last line."""
        value = winansi(self.money(amount))
        room = USABLE - indent - font.width(value) - 12
        lines = font.wrap(winansi(label), room)
        self.need(len(lines) * BODY_LEADING)
        for i, line in enumerate(lines):
            self.text(line, LEFT + indent, self.y - font.size, font)
            if i == len(lines) - 1:
                self.text(value, PAGE_WIDTH - RIGHT - CELL_PAD - font.width(value), self.y - font.size, font)
            self.y -= BODY_LEADING

    def totals(self) -> None:
        letter = self.letter
        self.need(2 * BODY_LEADING + 6)
        self.ops.append(_Rule(LEFT, PAGE_WIDTH - RIGHT, self.y - 1))
        self.y -= 5
        if any(i.amount is not None for i in letter.invoices):
            self.amount_line(self.words["total_amount"], letter.total_amount, _font(BODY_SIZE))
        self.amount_line(self.words["total_due"], letter.total_due, _font(BODY_SIZE, bold=True))
        self.y -= 10

    def penalties(self, penalty: PenaltyBlock) -> None:
        words, body = self.words, _font(BODY_SIZE)
        bold = _font(BODY_SIZE, bold=True)
        self.need(3 * BODY_LEADING)
        self.lines(winansi(words["penalties"]), bold, BODY_LEADING, LEFT, USABLE)
        self.y -= 2
        for label, amount in penalty.lines:
            self.amount_line(label, amount, body, indent=8)
        self.need(3 * BODY_LEADING + 6)
        self.ops.append(_Rule(LEFT, PAGE_WIDTH - RIGHT, self.y - 1))
        self.y -= 5
        self.amount_line(words["penalties_total"], penalty.total, body)
        self.amount_line(words["claimed"], self.letter.total_claimed, bold)
        self.y -= 4
        deadline = words["deadline"].format(date=formatting.day(penalty.payment_deadline))
        self.lines(winansi(deadline), bold, BODY_LEADING, LEFT, USABLE)
        self.y -= 6
        small = _font(SMALL_SIZE)
        for paragraph in penalty.legal_mention.split("\n\n"):
            self.lines(winansi(" ".join(paragraph.split())), small, SMALL_LEADING, LEFT, USABLE)
            self.y -= 3
        self.y -= 8

    def signature(self) -> None:
        signature = self.letter.signature or self.words["signature"]
        self.need(3 * BODY_LEADING)
        self.y -= BODY_LEADING
        x = WINDOW_LEFT
        self.lines(winansi(signature), _font(BODY_SIZE, bold=True), BODY_LEADING, x, PAGE_WIDTH - RIGHT - x)
        self.lines(winansi(self.letter.sender.name), _font(BODY_SIZE), BODY_LEADING, x, PAGE_WIDTH - RIGHT - x)


def _fit(font: MeasuredFont, data: bytes, width: float) -> bytes:
    return data if font.width(data) <= width else font.ellipsize(data, width)


def _siren(value: str) -> str:
    """`123 456 789` for a 9-digit SIREN; anything else as given."""
    digits = value.replace(" ", "")
    return f"{digits[:3]}\u00a0{digits[3:6]}\u00a0{digits[6:]}" if len(digits) == 9 and digits.isdigit() else value


def layout(letter: Letter) -> list[_Page]:
    """The letter's pages as drawing operations (what `letter_pdf` draws)."""
    return _Layout(letter).build()


# -- drawing ---------------------------------------------------------------------------------


def _draw(canvas: Canvas, letter: Letter, pages: Sequence[_Page]) -> None:
    words = WORDS[letter.language]
    footer = _font(FOOTER_SIZE)
    left_text = _fit(footer, winansi(f"{words['reference']}{letter.reference} · {letter.sender.name}"), USABLE * 0.7)
    for n, page in enumerate(pages, start=1):
        for op in page.ops:
            if isinstance(op, _Text):
                canvas.setFillGray(op.gray)
                canvas.setFont(op.font.name, op.font.size)
                canvas.drawString(op.x, op.y, op.text.decode("cp1252"))
            elif isinstance(op, _Rect):
                canvas.setFillGray(op.gray)
                canvas.rect(op.x, op.y, op.width, op.height, stroke=0, fill=1)
            else:
                canvas.setStrokeGray(0)
                canvas.setLineWidth(op.width)
                canvas.line(op.x1, op.y, op.x2, op.y)
        canvas.setFillGray(0.35)
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.drawString(LEFT, FOOTER_Y, left_text.decode("cp1252"))
        number = winansi(words["page"].format(n=n, total=len(pages)))
        canvas.drawString(PAGE_WIDTH - RIGHT - footer.width(number), FOOTER_Y, number.decode("cp1252"))
        canvas.setFillGray(0)
        canvas.showPage()


def letters_pdf(letters: Iterable[Letter], out: BinaryIO | Path) -> int:
    """A batch to print: every letter from a new page, numbered "page n / N" within itself.
    Returns the number of pages written (0 letters: one blank page, as reportlab needs one)."""
    target = str(out) if isinstance(out, Path) else out
    canvas = Canvas(target, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    canvas.setCreator("Encours")
    total = 0
    for letter in letters:
        if not total:
            canvas.setTitle(letter.subject)
            canvas.setAuthor(letter.sender.name)
        pages = layout(letter)
        _draw(canvas, letter, pages)
        total += len(pages)
    canvas.save()
    return total


def letter_pdf(letter: Letter, out: BinaryIO | Path) -> int:
    """One letter as a PDF; returns its number of pages."""
    return letters_pdf([letter], out)
