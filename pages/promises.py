"""Promesses non tenues : les promesses de paiement sans le paiement attendu à leur date (plus le
délai de grâce), dans le périmètre de l'utilisateur."""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access.permissions import Action
from core.collections.promises import broken_promises
from core.store.analytical import StoreNotPublished
from ui import context
from ui.navigation import INVOICE_PAGE

scope = context.require(Action.VIEW_LISTS)
paths = context.paths()
today = context.today()
grace = context.promise_grace_days()

st.title("Promesses non tenues")
st.caption(
    f"Une promesse est tenue quand les paiements reçus depuis le jour de la promesse jusqu'à sa date "
    f"plus {grace} jour(s) atteignent le montant promis."
)
try:
    found = broken_promises(paths, scope, today=today, grace_days=grace)
except StoreNotPublished as exc:
    st.info(str(exc))
    st.stop()
if not found:
    st.success("Aucune promesse non tenue dans votre périmètre.")
    st.stop()
picked = st.dataframe(
    [{"Facture": p.invoice_number or str(p.invoice_id), "Client": p.customer_name or "",
      "Promis": formatting.money(p.amount), "Pour le": formatting.day(p.promised_for), "Reçu": formatting.money(p.paid),
      "Manque": formatting.money(p.shortfall), "État": p.state_label, "Par": p.created_by} for p in found],
    hide_index=True, on_select="rerun", selection_mode="single-row", key="promesses.table",
)  # fmt: skip
rows = picked.selection.rows if picked and picked.selection else []
if rows:
    chosen = found[rows[0]]
    st.switch_page(INVOICE_PAGE, query_params={"entite": chosen.entity_id, "facture": str(chosen.invoice_id)})
