"""Tableau de bord : encaissements attendus et réalisés par semaine, l'écart, la balance âgée, le DSO."""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access.permissions import Action
from core.dashboard import definitions
from core.dashboard.figures import AGING_BUCKETS, AGING_LABELS, dashboard
from core.dashboard.views import drill_down_query, entity_freshness, kpi_tiles
from core.store.analytical import StoreNotPublished
from ui import charts, context
from ui.dashboard_filters import sidebar_filters
from ui.navigation import INVOICE_PAGE, drill_down

scope = context.require(Action.VIEW_DASHBOARD)
paths = context.paths()
today = context.today()

st.title("Tableau de bord")
st.caption(f"Nous sommes le {formatting.day(today)} ({formatting.iso_week(today)}), heure de Paris.")

try:
    freshness = entity_freshness(paths, scope, today=today)
    filters = sidebar_filters(paths, scope, today)
    board = dashboard(paths, scope, filters, today=today)
except StoreNotPublished as exc:
    st.info(str(exc))
    st.stop()

for note in filters.notes:
    st.warning(note)
if freshness:
    st.caption(" · ".join(freshness))
    st.page_link("pages/home.py", label="Détail de la synchronisation par entité", icon="🏠")

if board.customers == 0:
    if filters.narrowed:
        st.info("Aucun client ne correspond à ces filtres. Élargissez la sélection dans le panneau de gauche.")
    else:
        st.info("Aucun client dans votre périmètre pour l'instant : demandez à un administrateur de vous en attribuer.")
    st.stop()
if board.empty:
    st.info(
        "Aucune facture à encaisser ni aucun encaissement pour cette sélection et cette période : "
        "rien à afficher. Changez de période ou de filtres."
    )
    st.stop()

tax = "HT" if filters.without_tax else "TTC"
tiles = kpi_tiles(board.kpis)
for column, tile in zip(st.columns(len(tiles)), tiles, strict=True):
    column.metric(tile.label, tile.value, tile.delta, delta_color=tile.delta_color, help=tile.help)

st.subheader(f"Attendu et encaissé par semaine ({tax})")
left, right = st.columns([3, 2])
with left:
    event = st.plotly_chart(
        charts.weekly_chart(board.weeks), key="dashboard.weekly", on_select="rerun", selection_mode="points",
        config={"displayModeBar": False, "locale": "fr"},
    )  # fmt: skip
with right:
    st.dataframe(
        [
            {
                "Semaine": w.label,
                "Attendu": formatting.money(w.expected),
                "Encaissé": "" if w.future else formatting.money(w.collected),
                "Factures": w.invoices,
            }
            for w in board.weeks
        ],
        hide_index=True,
        height=380,
        key="dashboard.weekly_table",
    )
for line in definitions.WEEKLY:
    st.caption(line)
points = event.selection.points if event and event.selection else []
if points:
    week = next((w for w in board.weeks if w.label == points[0].get("x")), None)
    if week is not None:
        drill_down(drill_down_query(filters, expected_week=week.start), f"les factures attendues en {week.label}")

st.subheader(f"L'écart : {formatting.money(board.gap_total)} ({tax})")
st.caption(definitions.GAP)
if board.disputed_invoices:
    st.caption(
        f"Hors écart : {formatting.number(board.disputed_invoices)} facture(s) en litige pour "
        f"{formatting.money(board.disputed_total)}."
    )
if not board.gap_invoices:
    st.success("Aucune facture en retard sur sa date attendue dans cette sélection.")
else:
    by_manager, by_agency = st.columns(2)
    for column, title, groups, param in (
        (by_manager, "Par gestionnaire", board.gap_by_manager, "gestionnaire"),
        (by_agency, "Par agence", board.gap_by_agency, "agence"),
    ):
        with column:
            st.markdown(f"**{title}**")
            picked = st.dataframe(
                [{title[4:].capitalize(): g.label, "Factures": g.invoices, "Montant": formatting.money(g.amount)}
                 for g in groups],
                hide_index=True, on_select="rerun", selection_mode="single-row", key=f"dashboard.gap.{param}",
            )  # fmt: skip
            rows = picked.selection.rows if picked and picked.selection else []
            if rows:
                group = groups[rows[0]]
                drill_down(drill_down_query(filters, gap=True, **{param: group.key}), f"l'écart de {group.label}")
    st.markdown(f"**Les {len(board.gap_rows)} plus grosses factures de l'écart** (sur {board.gap_invoices})")
    picked = st.dataframe(
        [
            {
                "Facture": r.invoice_number or str(r.invoice_id),
                "Client": r.customer_name or "",
                "Montant ouvert": formatting.money(r.open_amount),
                "Attendue le": formatting.day(r.expected_date),
                "Jours de retard": r.days_past_expected,
                "Gestionnaire": r.manager_name,
                "Agence": r.agency_name,
                "Dernière action": r.last_action,
            }
            for r in board.gap_rows
        ],
        hide_index=True, on_select="rerun", selection_mode="single-row", key="dashboard.gap.rows",
    )  # fmt: skip
    rows = picked.selection.rows if picked and picked.selection else []
    if rows:
        r = board.gap_rows[rows[0]]
        st.switch_page(INVOICE_PAGE, query_params={"entite": r.entity_id, "facture": str(r.invoice_id)})
    drill_down(drill_down_query(filters, gap=True), "toutes les factures de l'écart", button=True)

st.subheader(f"Balance âgée ({tax})")
st.caption(definitions.AGING)
stack = st.radio("Empiler par", ["Agence", "Gestionnaire"], horizontal=True, key="dashboard.aging.by")
by = "agency" if stack == "Agence" else "manager"
st.plotly_chart(charts.aging_chart(board.aging, by), key="dashboard.aging", config={"displayModeBar": False})
totals = {b: [0, 0] for b in AGING_BUCKETS}
for cell in board.aging:
    totals[cell.bucket][0] += cell.invoices
    totals[cell.bucket][1] += cell.amount
st.dataframe(
    [{"Tranche": AGING_LABELS[b], "Factures": totals[b][0], "Montant ouvert": formatting.money(totals[b][1])}
     for b in AGING_BUCKETS],
    hide_index=True, key="dashboard.aging.table",
)  # fmt: skip
st.caption(definitions.DSO)
