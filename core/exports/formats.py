"""The export formats, in one table: what the page's buttons and `python -m jobs.export` offer,
which writer renders each, its MIME type and file extension, and the file's name
(`factures-2026-12-02-1405.pdf`, Paris time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from core import formatting
from core.exports.csv import write_csv
from core.exports.pdf import write_pdf
from core.exports.table import ExportTable, Progress
from core.exports.xlsx import write_xlsx

Writer = Callable[[ExportTable, BinaryIO, "Progress | None"], None]


@dataclass(frozen=True)
class ExportFormat:
    key: str
    """As the CLI and the audit log spell it: `pdf`, `csv`, `xlsx`."""
    label: str
    """The button's French label."""
    extension: str
    mime: str
    write: Writer


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("pdf", "PDF", "pdf", "application/pdf", write_pdf),
        ExportFormat("csv", "CSV", "csv", "text/csv; charset=utf-8", write_csv),
        ExportFormat(
            "xlsx", "Excel", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx
        ),
    )
}


class UnknownFormat(ValueError):
    """A format no writer renders; the message is French."""


def export_format(key: str) -> ExportFormat:
    """The format called `key` (`pdf`, `csv`, `xlsx`; case and surrounding spaces ignored)."""
    found = FORMATS.get(key.strip().lower())
    if found is None:
        raise UnknownFormat(f"Format d'export inconnu « {key} » : choisissez parmi {', '.join(FORMATS)}.")
    return found


def file_name(stem: str, key: str, at: datetime) -> str:
    """`factures-2026-12-02-1405.pdf`: the list's name, the moment in Paris time, the extension."""
    local = at.astimezone(formatting.PARIS) if at.tzinfo else at
    return f"{stem}-{local:%Y-%m-%d-%H%M}.{export_format(key).extension}"
