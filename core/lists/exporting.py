"""One export of a list, the same for the page's buttons and `python -m jobs.export`: the list's
ExportTable (core.lists.invoices / .customers), rendered by the format's writer (core.exports),
recorded in the export log with who, when, which list, which filters and how many rows."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import BinaryIO, Literal
from urllib.parse import parse_qs

from core.exports.audit import Source, log_export
from core.exports.formats import export_format, file_name
from core.exports.table import ExportTable, Progress
from core.lists.customers import customer_export
from core.lists.filters import (
    CUSTOMER_PARAMETERS,
    INVOICE_PARAMETERS,
    CustomerFilters,
    InvoiceFilters,
    customer_filters_from_query,
    customer_filters_to_query,
    from_query,
    to_query,
)
from core.lists.invoices import invoice_export
from core.scope import Scope
from core.store.paths import StorePaths

ListKind = Literal["invoices", "customers"]
LISTS: dict[str, str] = {"invoices": "factures", "customers": "clients"}
"""List kind (as the export log and `--list` spell it) → the file name's stem."""

_PARAMETERS = {"invoices": INVOICE_PARAMETERS, "customers": CUSTOMER_PARAMETERS}


class ExportRequestError(ValueError):
    """An export that cannot be made as asked (unknown list, bad filters); the message is French."""


@dataclass(frozen=True)
class ListExport:
    kind: ListKind
    query: dict[str, list[str]]
    """The filters as the page's query string (what the export log keeps)."""
    table: ExportTable

    @property
    def filters_text(self) -> str:
        return " · ".join(self.table.filters) or "Aucun filtre"


def invoices_export(
    paths: StorePaths, scope: Scope, filters: InvoiceFilters, *, today: date, now: datetime
) -> ListExport:
    whole = replace(filters, page=1)
    table = invoice_export(paths, scope, whole, today, scope.full_name or scope.email, now)
    return ListExport("invoices", to_query(whole), table)


def customers_export(
    paths: StorePaths, scope: Scope, filters: CustomerFilters, *, today: date, now: datetime
) -> ListExport:
    whole = replace(filters, page=1)
    table = customer_export(paths, scope, whole, today, scope.full_name or scope.email, now)
    return ListExport("customers", customer_filters_to_query(whole), table)


def requested_export(
    paths: StorePaths, scope: Scope, kind: str, query_string: str, *, today: date, now: datetime
) -> ListExport:
    """The export a command line asks for. Strict, unlike a link: a filter that cannot be read
    raises ExportRequestError rather than being left out of a scheduled file."""
    if kind not in LISTS:
        raise ExportRequestError(f"Liste inconnue « {kind} » : choisissez parmi {', '.join(LISTS)}.")
    params: Mapping[str, Sequence[str]] = parse_qs(query_string.lstrip("?"), keep_blank_values=True)
    unknown = sorted(set(params) - _PARAMETERS[kind])
    if unknown:
        raise ExportRequestError(
            "Paramètre(s) de filtre inconnu(s) : " + ", ".join(f"« {u[:40]} »" for u in unknown)
            + " (voir docs/lists.md)."
        )  # fmt: skip
    if kind == "invoices":
        filters, messages = from_query(params)
        if messages:
            raise ExportRequestError("\n".join(messages))
        return invoices_export(paths, scope, filters, today=today, now=now)
    customer_filters, messages = customer_filters_from_query(params)
    if messages:
        raise ExportRequestError("\n".join(messages))
    return customers_export(paths, scope, customer_filters, today=today, now=now)


def write_export(
    paths: StorePaths,
    scope: Scope,
    export: ListExport,
    format_key: str,
    out: BinaryIO,
    *,
    now: datetime,
    source: Source,
    progress: Progress | None = None,
) -> int:
    """Render the whole list into `out`, then record it in the export log; the rows written."""
    fmt = export_format(format_key)
    fmt.write(export.table, out, progress)
    log_export(
        paths, scope, now=now, list_kind=export.kind, format=fmt.key, filters=export.query,
        filters_text=export.filters_text, row_count=export.table.row_count, source=source,
    )  # fmt: skip
    return export.table.row_count


def export_bytes(
    paths: StorePaths,
    scope: Scope,
    export: ListExport,
    format_key: str,
    *,
    now: datetime,
    source: Source = "app",
    progress: Progress | None = None,
) -> bytes:
    """`write_export` into memory, for a download button."""
    buffer = io.BytesIO()
    write_export(paths, scope, export, format_key, buffer, now=now, source=source, progress=progress)
    return buffer.getvalue()


def export_file_name(export: ListExport, format_key: str, at: datetime) -> str:
    """`factures-2026-12-02-1405.pdf`."""
    return file_name(LISTS[export.kind], format_key, at)
