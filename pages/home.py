"""Accueil: data freshness per entity, the size of the book in the user's scope, what comes next."""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.home import entity_summaries, rejected_records
from core.store.analytical import StoreNotPublished

if "encours.scope" not in st.session_state:  # reached without app.py (a legacy deep link): go through it
    st.switch_page("app.py")
scope = st.session_state["encours.scope"]
paths = st.session_state["encours.paths"]
today = st.session_state["encours.today"]

st.title("Encours")
st.caption(
    f"Bonjour {scope.full_name or scope.email}. Nous sommes le {formatting.day(today)} ({formatting.iso_week(today)})."
)

try:
    summaries = entity_summaries(paths, scope, today=today)
except StoreNotPublished as exc:
    st.info(str(exc))
    st.stop()

st.subheader("Entités")
if not summaries:
    st.info("Aucune entité synchronisée pour l'instant.")
for s in summaries:
    with st.container(border=True, key=f"home.entity.{s.entity_id}"):
        st.markdown(f"**{s.name}**")
        cols = st.columns(4)
        cols[0].metric("Clients", formatting.number(s.customers))
        cols[1].metric("Factures", formatting.number(s.invoices))
        cols[2].metric("Encours", formatting.money(s.open_eur, cents=False), help=formatting.money(s.open_eur))
        cols[3].metric("Dont échu", formatting.money(s.overdue_eur, cents=False), help=formatting.money(s.overdue_eur))
        published = formatting.moment(s.published_sync_at) if s.published_sync_at else "jamais"
        succeeded = formatting.moment(s.last_success_at) if s.last_success_at else "—"
        gaps = f" · ⚠ {s.gaps}" if s.gaps else ""
        st.caption(f"Dernière synchronisation réussie : {succeeded} · données publiées du {published}{gaps}")
        if s.last_error:
            st.error(f"Dernière synchronisation en échec : {s.last_error}")
        if s.rejected:
            st.warning(
                f"{formatting.number(s.rejected)} enregistrement(s) Pennylane écarté(s) car non conformes : "
                "ils ne figurent pas dans les montants."
            )
            details = rejected_records(paths, scope, s.entity_id)
            if details:
                with st.expander("Voir les enregistrements écartés"):
                    st.dataframe(
                        [{"Ressource": r.endpoint, "Identifiant": r.record_id, "Motif": r.reason} for r in details],
                        hide_index=True,
                        key=f"home.rejects.{s.entity_id}",
                    )

st.subheader("À venir")
st.markdown(
    "- **Direction** : encaissements attendus et réalisés par semaine, et l'écart.\n"
    "- **Finance** : listes de factures filtrées, exports PDF, CSV et Excel.\n"
    "- **Recouvrement** : suivi de chaque facture, promesses de paiement, notes, appels, relances.\n"
    "- **Relances automatiques** : courtoisie avant échéance, puis relances progressives."
)
