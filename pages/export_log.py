"""Journal des exports (administrators): who exported which list, when, how, with which filters."""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access.permissions import Action, role_label
from core.exports.audit import export_log
from ui import context

scope = context.require(Action.VIEW_AUDIT)
paths = context.paths()

st.title("Journal des exports")
st.caption("Chaque export PDF, CSV ou Excel d'une liste, depuis l'application ou la ligne de commande (500 derniers).")

records = export_log(paths, scope)
if not records:
    st.info("Aucun export pour l'instant : chaque export d'une liste de factures ou de clients apparaîtra ici.")
else:
    st.dataframe(
        [
            {
                "Date": formatting.moment(r.exported_at),
                "Utilisateur": r.email,
                "Rôle": role_label(r.role),
                "Liste": r.list_label,
                "Format": r.format_label,
                "Filtres": r.filters_text,
                "Lignes": r.row_count,
                "Depuis": r.source_label,
            }
            for r in records
        ],
        hide_index=True,
        key="exportlog.table",
    )
