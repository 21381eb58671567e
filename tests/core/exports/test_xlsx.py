"""The Excel export read back with openpyxl: numbers are numbers, dates are dates, the header is
frozen with an autofilter, formula-like text stays text, and a second sheet says what it is."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from core.exports.xlsx import MONEY_FORMAT, write_xlsx
from tests.core.exports.conftest import COLUMNS, HOSTILE, LONG_LABEL, invoice_rows, table_of


def _book(rows, **kwargs):
    out = io.BytesIO()
    write_xlsx(table_of(rows, **kwargs), out)
    out.seek(0)
    return openpyxl.load_workbook(out)


@pytest.fixture(scope="module")
def exported():
    rows = invoice_rows(150)
    return rows, _book(rows, batch=40)


def test_header_frozen_with_an_autofilter(exported):
    _, book = exported
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J151"
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["H"].width


def test_amounts_are_numbers_and_dates_are_dates(exported):
    rows, book = exported
    sheet = book.worksheets[0]
    first = [c for c in sheet[2]]
    assert first[5].data_type == "n" and first[5].value == pytest.approx(1234567.89)
    assert first[5].number_format == MONEY_FORMAT and "€" in first[5].number_format
    assert first[3].is_date and first[3].value == datetime(2026, 1, 1) and first[3].number_format == "dd/mm/yyyy"
    assert first[7].data_type == "n" and first[7].value == 0
    amounts = [row[5].value for row in sheet.iter_rows(min_row=2)]
    assert amounts == pytest.approx([float(r[5]) for r in rows])
    assert sheet.max_row == 151


def test_text_is_text_even_when_it_looks_like_a_formula(exported):
    _, book = exported
    sheet = book.worksheets[0]
    hostile = sheet.cell(row=3, column=3)
    assert hostile.data_type == "s" and hostile.value == HOSTILE
    assert sheet.cell(row=3, column=2).value == "-2+3 Société à responsabilité"
    assert sheet.cell(row=2, column=3).value == LONG_LABEL
    assert sheet.cell(row=2, column=9).value == "En retard"
    assert sheet.cell(row=4, column=3).value is None  # a missing value is an empty cell


def test_the_information_sheet_holds_filters_generation_and_totals(exported):
    _, book = exported
    info = {row[0]: row[1] for row in book["Informations"].iter_rows(values_only=True)}
    assert info["Filtres"] == "Agence : Lyon"
    assert info["Généré le"] == "02/12/2026 à 14:05" and info["Généré par"] == "Élodie Œuvray"
    assert info["Nombre de lignes"] == 150
    assert info["Montant TTC"].endswith("€")


def test_zero_rows_and_progress():
    book = _book([], filters=())
    assert book.worksheets[0].max_row == 1
    info = {row[0]: row[1] for row in book["Informations"].iter_rows(values_only=True)}
    assert info["Filtres"] == "Toutes les factures de votre périmètre"
    seen = []
    write_xlsx(table_of(invoice_rows(25), batch=10), io.BytesIO(), lambda d, t: seen.append((d, t)))
    assert seen == [(10, 25), (20, 25), (25, 25)]


def test_text_that_looks_like_xlsx_markup_stays_text():
    rows = invoice_rows(2)
    markup = "<r><t>a</t></r></is></c><c><is><r><t>b</t></r>"
    rows[0] = (*rows[0][:2], markup, *rows[0][3:])
    book = _book(rows)
    assert book.worksheets[0].cell(row=2, column=3).value.strip() == markup
