"""Clients: the customers of the user's scope with their open and overdue amounts, account
managers and last payment, filtered from the sidebar or a link, totals of the whole filtered set."""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access.permissions import Action
from core.lists.choices import list_choices
from core.lists.customers import customer_page
from core.lists.filters import describe_customers
from core.store.analytical import StoreNotPublished
from ui import context, figures, list_exports, list_filters, list_grids

scope = context.require(Action.VIEW_LISTS)
paths = context.paths()
today = context.today()

st.title("Clients")

try:
    choices = list_choices(paths, scope, today=today)
except StoreNotPublished as exc:
    st.info(str(exc))
    st.stop()

filters, messages = list_filters.customer_sidebar(choices)
for message in messages:
    st.warning(message)
try:
    page = customer_page(paths, scope, filters, today)
except StoreNotPublished as exc:  # also a snapshot published before the DSO existed
    st.info(str(exc))
    st.stop()
list_filters.remember_customers(filters, page.page)

words = describe_customers(filters, choices.names)
st.caption("Filtres : " + " · ".join(words) if words else "Tous les clients de votre périmètre.")
figures.totals_row(
    st.container(),
    "Clients",
    page.totals.count,
    ("Montant ouvert", page.totals.open_eur),
    ("Dont échu", page.totals.overdue_eur),
)

if page.totals.count == 0:
    if words:
        st.info("Aucun client ne correspond à ces filtres. Retirez-en un dans la barre latérale.")
    else:
        st.info("Aucun client dans votre périmètre : aucun ne vous est encore attribué.")
    st.stop()

rows, config = list_grids.customer_grid(page)
st.dataframe(rows, column_config=config, column_order=list(config), hide_index=True, key="cli.grid")

previous, following = list_filters.page_moves(list_filters.CUSTOMERS, page.pages)
nav = st.columns([1, 1, 1, 4], vertical_alignment="bottom")
nav[0].button("‹ Précédente", on_click=previous, disabled=page.page <= 1, key="cli.previous")
nav[1].number_input(
    "Page", min_value=1, max_value=page.pages, step=1, key=list_filters.page_key(list_filters.CUSTOMERS)
)
nav[2].button("Suivante ›", on_click=following, disabled=page.page >= page.pages, key="cli.next")
nav[3].caption(
    f"Clients {formatting.number(page.first)} à {formatting.number(page.first + len(page.rows) - 1)} "
    f"sur {formatting.number(page.totals.count)} · page {page.page} / {page.pages}"
)

if scope.allows(Action.EXPORT):
    list_exports.customer_exports(paths, scope, filters, today, page.totals.count)
