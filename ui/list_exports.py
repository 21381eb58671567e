"""The lists' export buttons: PDF, CSV and Excel of the whole filtered set, recorded in the export log.

Up to LARGE rows, each format is one `st.download_button` whose file is made when it is clicked
(Streamlit's deferred data: a page view that exports nothing renders nothing). Past that, a
"Préparer" button renders the file under a progress bar first, then offers it for download.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from core import formatting
from core.exports.formats import FORMATS, ExportFormat, file_name
from core.lists.exporting import LISTS, ListExport, customers_export, export_bytes, invoices_export
from core.lists.filters import CustomerFilters, InvoiceFilters
from core.scope import Scope
from core.store.paths import StorePaths

LARGE = 20_000
"""Rows past which an export is prepared under a progress bar (a 20,000-row PDF takes over a second)."""

Build = Callable[[], ListExport]


def invoice_exports(paths: StorePaths, scope: Scope, filters: InvoiceFilters, today: date, count: int) -> None:
    def build() -> ListExport:
        return invoices_export(paths, scope, filters, today=today, now=formatting.paris_now())

    _exports("inv", paths, scope, build, LISTS["invoices"], repr(filters), count)


def customer_exports(paths: StorePaths, scope: Scope, filters: CustomerFilters, today: date, count: int) -> None:
    def build() -> ListExport:
        return customers_export(paths, scope, filters, today=today, now=formatting.paris_now())

    _exports("cli", paths, scope, build, LISTS["customers"], repr(filters), count)


def _exports(prefix: str, paths: StorePaths, scope: Scope, build: Build, stem: str, view: str, count: int) -> None:
    st.subheader("Exporter")
    st.caption(
        f"Toutes les lignes filtrées ({formatting.number(count)}), pas seulement cette page, dans l'ordre du "
        "tableau. Chaque export est inscrit au journal des exports."
    )
    columns = st.columns(len(FORMATS))
    if count <= LARGE:
        for column, fmt in zip(columns, FORMATS.values(), strict=True):
            column.download_button(
                fmt.label, data=_deferred(paths, scope, build, fmt), file_name=file_name(stem, fmt.key, formatting.paris_now()),
                mime=fmt.mime, key=f"{prefix}.export.{fmt.key}", on_click="ignore", icon=":material/download:",
            )  # fmt: skip
        return
    prepared_key = prefix + ".export.prepared"
    for column, fmt in zip(columns, FORMATS.values(), strict=True):
        if column.button(f"Préparer le fichier {fmt.label}", key=f"{prefix}.export.prepare.{fmt.key}"):
            bar = st.progress(0.0, text=f"Préparation du fichier {fmt.label}…")
            data = export_bytes(
                paths, scope, build(), fmt.key, now=formatting.paris_now(), progress=_progress(bar, fmt)
            )
            st.session_state[prepared_key] = (view, fmt.key, file_name(stem, fmt.key, formatting.paris_now()), data)
            bar.empty()
    prepared = st.session_state.get(prepared_key)
    if prepared and prepared[0] == view:  # a file made for other filters is not offered
        fmt = FORMATS[prepared[1]]
        st.download_button(
            f"Télécharger {prepared[2]}", data=prepared[3], file_name=prepared[2], mime=fmt.mime,
            key=f"{prefix}.export.download", on_click="ignore", icon=":material/download:",
        )  # fmt: skip


def _progress(bar: Any, fmt: ExportFormat) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        share = min(1.0, done / total) if total else 1.0
        bar.progress(share, text=f"{fmt.label} : {formatting.number(done)} / {formatting.number(total)} lignes")

    return progress


def _deferred(paths: StorePaths, scope: Scope, build: Build, fmt: ExportFormat) -> Callable[[], bytes]:
    """The file, made when the button is clicked (in Streamlit's download thread: no st.* call here)."""

    def make() -> bytes:
        return export_bytes(paths, scope, build(), fmt.key, now=formatting.paris_now())

    return make
