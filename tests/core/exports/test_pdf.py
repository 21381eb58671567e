"""The PDF export as a reader sees it (pdftotext, pdftoppm): every row once and in order, headers
and "page n / N" on every page, filters, author and totals, French formats, long labels wrapped,
nothing past a column or the margin, and a 0-row export that says so."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal

import pytest
from PIL import Image

from core import formatting
from core.exports import pdf
from core.exports.table import Column, ExportTable
from tests.core.exports.conftest import COLUMNS, LONG_LABEL, invoice_rows, pdf_pages, pdf_text, table_of

pytestmark = pytest.mark.usefixtures("poppler")
NUMBER = re.compile(r"F-2026-\d{5}")


def _write(tmp_path, table, name="export.pdf"):
    path = tmp_path / name
    with path.open("wb") as out:
        pdf.write_pdf(table, out)
    return path


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    rows = invoice_rows(300)
    return rows, _write(tmp_path_factory.mktemp("pdf"), table_of(rows, batch=37))


def test_every_row_once_in_order_with_headers_and_page_numbers_on_every_page(big):
    rows, path = big
    pages = pdf_pages(path)
    assert len(pages) > 5
    numbers = [n for page in pages for n in NUMBER.findall(page)]
    assert numbers == [r[0] for r in rows]
    for n, page in enumerate(pages, start=1):
        assert "N° facture" in page and "Montant TTC" in page and "Chargé de clientèle" in page
        assert f"page {n} / {len(pages)}" in page
    assert f"page {len(pages)} / {len(pages)}" in pages[-1]


def test_first_page_says_what_was_exported_by_whom_and_when(big):
    _, path = big
    first = _plain(pdf_pages(path)[0])
    assert "Factures — Agence Lyon" in first
    assert "Filtres : Agence : Lyon" in first
    assert "Généré le 02/12/2026 à 14:05 par Élodie Œuvray" in first


def test_totals_at_the_end_in_french_formats(big):
    rows, path = big
    text = pdf_text(path)
    last = _plain(text.split("\f")[-2])
    amount = sum((r[5] for r in rows), Decimal(0))
    assert re.search(r"Nombre de lignes :\s+300", last)
    assert re.search(r"Montant TTC :\s+" + re.escape(_plain(formatting.money(amount))), last)
    assert "\u202f" not in text  # Babel's thousands separator is a black square in Helvetica
    first = _plain(text.split("\f")[0])
    assert "1 234 567,89 €" in first and "31/01/2026" not in first.split("F-2026-00001")[0]
    assert "01/01/2026" in first and "01/02/2026" in first


def test_amounts_are_printed_whole(big):
    rows, path = big
    text = _plain(pdf_text(path))
    for row in rows:
        for amount in (row[5], row[6]):
            if amount is not None:
                assert _plain(formatting.money(amount)) in text


def test_long_labels_wrap_on_two_lines_and_end_with_an_ellipsis(big):
    _, path = big
    first = pdf_pages(path)[0]
    lines = first.splitlines()
    at = next(i for i, line in enumerate(lines) if "F-2026-00000" in line)
    label_start = LONG_LABEL[:25]
    assert label_start in lines[at]
    continuation = lines[at + 1]
    assert not NUMBER.search(continuation) and continuation.rstrip().endswith("…")
    assert "deuxième trimestre" not in first  # past the second line: cut, with "…"


def test_hostile_text_is_printed_as_text(big):
    _, path = big
    assert "=HYPERLINK(" in pdf_text(path)


def test_status_columns_print_their_french_label(big):
    _, path = big
    text = pdf_text(path)
    assert "En retard" in text and "Payée" in text and "En litige" in text
    assert " disputed " not in text


def _column_edges():
    usable = pdf.PAGE_WIDTH - 2 * pdf.MARGIN
    share = sum(c.width for c in COLUMNS)
    edges, left = [], pdf.MARGIN
    for c in COLUMNS:
        edges.append((left, left + usable * c.width / share))
        left = edges[-1][1]
    return edges


def test_no_word_crosses_into_the_next_column(big):
    """Word boxes (pdftotext -bbox) of every row stay inside the column they start in (every page
    but the last, whose totals span the page)."""
    _, path = big
    pages = len(pdf_pages(path))
    html = subprocess.run(
        ["pdftotext", "-bbox", "-l", str(pages - 1), str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    edges = _column_edges()
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
    checked = 0
    for x_min, y_min, x_max, word in words:
        top = float(y_min)
        if top < 60 or top > pdf.PAGE_HEIGHT - pdf.MARGIN:  # title, filters and footer span the page
            continue
        left, right = next(e for e in edges if e[0] - 0.5 <= float(x_min) < e[1])
        assert float(x_max) <= right + 0.5, (word, x_min, x_max, right)
        checked += 1
    assert checked > 1000


def test_pages_render_with_nothing_past_the_right_margin(big):
    _, path = big
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "3", str(path), str(path.with_suffix(""))], check=True
    )
    pngs = sorted(path.parent.glob(f"{path.stem}-*.png"))
    assert len(pngs) == 3
    for png in pngs:
        image = Image.open(png).convert("L")
        width, height = image.size
        margin = int(pdf.MARGIN * 50 / 72) - 2  # the margin, in pixels at 50 dpi, less antialiasing
        strip = image.crop((width - margin, 0, width, height))
        assert strip.getextrema() == (255, 255), png.name
        body = image.crop((0, 0, width - margin, height))
        assert body.getextrema()[0] < 100  # something was drawn


def test_an_amount_wider_than_its_column_is_narrowed_not_cut(tmp_path):
    columns = (Column("label", "Libellé", "text", 3.0), Column("amount", "Montant", "money", 0.25))
    rows = [("Énorme", Decimal("123456789012.34"))]
    table = ExportTable("Test", columns, 1, lambda: iter([rows]))
    text = _plain(pdf_text(_write(tmp_path, table)))
    assert "123 456 789 012,34 €" in text


def test_a_zero_row_export_is_one_valid_page_saying_so(tmp_path):
    table = table_of([], filters=())
    path = _write(tmp_path, table)
    pages = pdf_pages(path)
    assert len(pages) == 1
    page = _plain(pages[0])
    assert "Aucune facture ne correspond à ces filtres." in page
    assert "Toutes les factures de votre périmètre" in page
    assert "page 1 / 1" in page
    assert path.read_bytes().startswith(b"%PDF-") and path.read_bytes().rstrip().endswith(b"%%EOF")


def test_filters_with_characters_helvetica_lacks_stay_readable(tmp_path):
    table = table_of(invoice_rows(3), filters=("Montant ≥ 5\u202f000,00\u00a0€", "Client : l’Œuf → Lyon"))
    page = _plain(pdf_pages(_write(tmp_path, table))[0])
    assert "Montant >= 5 000,00 €" in page
    assert "Client : l’Œuf -> Lyon" in page


def test_totals_that_do_not_fit_move_to_a_page_of_their_own(tmp_path):
    probe = pdf_pages(_write(tmp_path, table_of(invoice_rows(1)), "probe.pdf"))
    assert len(probe) == 1
    for count in range(20, 80):  # some count fills page 1 exactly: its totals go on page 2
        pages = pdf_pages(_write(tmp_path, table_of(invoice_rows(count)), f"n{count}.pdf"))
        assert f"page {len(pages)} / {len(pages)}" in pages[-1]
        assert "Nombre de lignes" in pages[-1]
        if not NUMBER.search(pages[-1]):
            break
    else:
        pytest.fail("no row count gave a totals-only last page")


def test_progress_and_a_row_count_the_rows_do_not_match(tmp_path):
    rows = invoice_rows(120)
    seen: list[tuple[int, int]] = []
    with (tmp_path / "p.pdf").open("wb") as out:
        pdf.write_pdf(table_of(rows, batch=50), out, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (50, 120) and seen[-1] == (120, 120)
    wrong = ExportTable("Test", COLUMNS, 5, table_of(rows).batches)
    with pytest.raises(ValueError, match="annoncées"):
        pdf.write_pdf(wrong, io.BytesIO())


def test_the_same_table_gives_the_same_bytes():
    one, two = io.BytesIO(), io.BytesIO()
    pdf.write_pdf(table_of(invoice_rows(40)), one)
    pdf.write_pdf(table_of(invoice_rows(40)), two)
    assert one.getvalue() == two.getvalue()


def test_generated_line_without_a_time(tmp_path):
    table = ExportTable("Test", COLUMNS, 0, lambda: iter(()), generated_by="Anne", generated_at=None)
    assert "Généré par Anne" in pdf_text(_write(tmp_path, table))
