"""The CSV export opens in French Excel as it should: read back with polars (`;`, decimal comma)."""

from __future__ import annotations

import io
from decimal import Decimal

import polars as pl

from core.exports.csv import write_csv
from tests.core.exports.conftest import COLUMNS, HOSTILE, LONG_LABEL, invoice_rows, table_of


def _export(rows, **kwargs) -> bytes:
    out = io.BytesIO()
    write_csv(table_of(rows, **kwargs), out)
    return out.getvalue()


def _frame(data: bytes) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(data), separator=";", decimal_comma=True, infer_schema_length=None)


def test_utf8_with_bom_semicolons_and_crlf():
    data = _export(invoice_rows(5))
    assert data.startswith(b"\xef\xbb\xbfN\xc2\xb0 facture;Client;Libell\xc3\xa9;")
    assert data.count(b"\r\n") >= 6
    assert "Boulangerie Lefèvre & Fils" in data.decode("utf-8-sig")


def test_columns_decimals_dates_and_statuses_read_back():
    rows = invoice_rows(120)
    frame = _frame(_export(rows, batch=17))
    assert frame.columns == [c.header for c in COLUMNS]
    assert frame.height == 120
    assert frame.schema["Montant TTC"] == pl.Float64 and frame.schema["Reste dû"] == pl.Float64
    assert frame.schema["Jours de retard"] == pl.Int64
    assert frame["Montant TTC"].to_list() == [float(r[5]) for r in rows]
    assert Decimal(str(frame["Montant TTC"].sum())).quantize(Decimal("0.01")) == sum(r[5] for r in rows)
    assert frame["Émise le"][0] == "01/01/2026" and frame["Échéance"][3] == "04/02/2026"
    assert set(frame["Statut"].to_list()) == {"En retard", "Payée", "En litige"}
    assert frame["Libellé"][0] == LONG_LABEL  # whole, with its accents, œ and €
    assert frame["Libellé"][2] is None and frame["Reste dû"][2] is None and frame["Chargé de clientèle"][2] is None


def test_no_thousands_separator_and_a_decimal_comma():
    text = _export(invoice_rows(1)).decode("utf-8-sig")
    assert ";1234567,89;" in text
    assert "1 234" not in text and "\u202f" not in text and "€;" not in text


def test_formula_like_text_is_made_inert():
    frame = _frame(_export(invoice_rows(3)))
    assert frame["Libellé"][1] == "'" + HOSTILE
    assert frame["Client"][1] == "'-2+3 Société à responsabilité"
    assert frame["Client"][0].startswith("Boulangerie")


def test_negative_amounts_stay_numbers():
    rows = invoice_rows(2)
    rows[0] = (*rows[0][:5], Decimal("-40.5"), *rows[0][6:])
    frame = _frame(_export(rows))
    assert frame["Montant TTC"][0] == -40.5


def test_zero_rows_is_a_header_only_file_and_progress_reaches_the_end():
    assert _frame(_export([])).columns == [c.header for c in COLUMNS]
    seen = []
    out = io.BytesIO()
    write_csv(table_of(invoice_rows(30), batch=10), out, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(10, 30), (20, 30), (30, 30)]
    assert not out.closed
