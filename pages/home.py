"""Accueil: data freshness per entity, the size of the book in the user's scope, what comes next."""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access.permissions import Action
from core.home import entity_summaries, rejected_records
from core.store.analytical import StoreNotPublished
from ui import context, figures

scope = context.require(Action.VIEW_HOME)
paths = context.paths()
today = context.today()

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
    st.info("Aucune entité à afficher : aucun client ne vous est encore attribué, ou rien n'est synchronisé.")
for s in summaries:
    with st.container(border=True, key=f"home.entity.{s.entity_id}"):
        st.markdown(f"**{s.name}**")
        cols = st.columns(4)
        cols[0].metric("Clients", formatting.number(s.customers))
        cols[1].metric(
            "Factures",
            formatting.number(s.invoices),
            help="Factures émises à encaisser, payées ou non : hors avoirs, brouillons, factures annulées ou archivées.",
        )
        figures.money_metric(cols[2], "Encours", s.open_eur)
        figures.money_metric(cols[3], "Dont échu", s.overdue_eur)
        set_aside = f" ({formatting.number(s.set_aside)} pièce(s) de ce type, non comptée(s))" if s.set_aside else ""
        st.caption(f"Factures et montants hors avoirs, brouillons, factures annulées ou archivées{set_aside}.")
        synced = formatting.moment(s.published_sync_at) if s.published_sync_at else "jamais"
        gaps = f" · ⚠ {s.gaps}" if s.gaps else ""
        st.caption(f"Données synchronisées le {synced}{gaps}")
        if s.last_error:
            st.error(f"Dernière synchronisation en échec : {s.last_error}. Les chiffres ci-dessus sont ceux d'avant.")
        if s.rejected:
            st.warning(
                f"{formatting.number(s.rejected)} enregistrement(s) Pennylane écarté(s) car non conformes : "
                "ils ne figurent pas dans les montants."
            )
            details = rejected_records(paths, scope, s.entity_id, today=today)
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
