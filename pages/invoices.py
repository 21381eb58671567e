"""Factures: the invoices of the user's scope, filtered from the sidebar or a link (the dashboard's
drill-downs), totals of the whole filtered set, one page of the grid, an invoice's detail, exports."""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access.permissions import Action
from core.lists.choices import list_choices
from core.lists.filters import describe
from core.lists.invoices import invoice_detail, invoice_page
from core.store.analytical import StoreNotPublished
from ui import context, figures, list_exports, list_filters, list_grids

scope = context.require(Action.VIEW_LISTS)
paths = context.paths()
today = context.today()

st.title("Factures")

try:
    choices = list_choices(paths, scope, today=today)
except StoreNotPublished as exc:
    st.info(str(exc))
    st.stop()

filters, messages = list_filters.invoice_sidebar(choices)
for message in messages:
    st.warning(message)
try:
    page = invoice_page(paths, scope, filters, today)
except StoreNotPublished as exc:  # also a snapshot published by an older Encours
    st.info(str(exc))
    st.stop()
list_filters.remember_invoices(filters, page.page)

words = describe(filters, choices.names)
st.caption("Filtres : " + " · ".join(words) if words else "Toutes les factures de votre périmètre.")
figures.totals_row(
    st.container(),
    "Factures",
    page.totals.count,
    ("Montant TTC", page.totals.amount_eur),
    ("Montant ouvert", page.totals.open_eur),
)

if page.totals.count == 0:
    if words:
        st.info("Aucune facture ne correspond à ces filtres. Retirez-en un dans la barre latérale.")
    else:
        st.info("Aucune facture dans votre périmètre pour l'instant.")
    st.stop()

rows, config = list_grids.invoice_grid(page)
event = st.dataframe(
    rows,
    column_config=config,
    column_order=list(config),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key=list_grids.grid_key("inv", filters, page.page),
)

previous, following = list_filters.page_moves(list_filters.INVOICES, page.pages)
nav = st.columns([1, 1, 1, 4], vertical_alignment="bottom")
nav[0].button("‹ Précédente", on_click=previous, disabled=page.page <= 1, key="inv.previous")
nav[1].number_input("Page", min_value=1, max_value=page.pages, step=1, key=list_filters.page_key(list_filters.INVOICES))
nav[2].button("Suivante ›", on_click=following, disabled=page.page >= page.pages, key="inv.next")
nav[3].caption(
    f"Factures {formatting.number(page.first)} à {formatting.number(page.first + len(page.rows) - 1)} "
    f"sur {formatting.number(page.totals.count)} · page {page.page} / {page.pages}"
)

selected = event.selection.rows if event else []
if selected and selected[0] < len(page.rows):
    row = page.rows[selected[0]]
    detail = invoice_detail(paths, scope, row.entity_id, row.invoice_id, today)
    if detail is None:
        st.info("Cette facture n'est plus dans votre périmètre.")
    else:
        list_grids.invoice_panel(detail)
else:
    st.caption("Sélectionnez une ligne pour voir le détail de la facture.")

if scope.allows(Action.EXPORT):
    list_exports.invoice_exports(paths, scope, filters, today, page.totals.count)
