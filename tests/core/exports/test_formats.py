"""One table of formats for the page and the CLI: writer, MIME type, extension, file name."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from core.exports.formats import FORMATS, UnknownFormat, export_format, file_name
from tests.core.exports.conftest import invoice_rows, table_of


def test_file_names_are_in_paris_time():
    at = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)  # 14:05 in Paris
    assert file_name("factures", "pdf", at) == "factures-2026-12-02-1405.pdf"
    assert file_name("clients", "XLSX", at) == "clients-2026-12-02-1405.xlsx"


def test_unknown_formats_are_refused_in_french():
    with pytest.raises(UnknownFormat, match="Format d'export inconnu « docx »"):
        export_format("docx")


@pytest.mark.parametrize("key", list(FORMATS))
def test_each_format_writes_its_kind_of_file(key):
    out = io.BytesIO()
    fmt = export_format(key)
    fmt.write(table_of(invoice_rows(3)), out, None)
    magic = {"pdf": b"%PDF-", "csv": b"\xef\xbb\xbf", "xlsx": b"PK"}[key]
    assert out.getvalue().startswith(magic)
    assert fmt.extension == key and fmt.mime
