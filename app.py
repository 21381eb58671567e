"""Encours — entry point: settings, who is signed in, the data-freshness frame, navigation.

Every page runs through this script first (st.navigation), so the user's scope is always
set before a page reads data. Pages read it from st.session_state["encours.scope"].
"""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.config import load_settings
from core.home import data_as_of
from core.scope import ROLE_LABELS, active_users, scope_for
from core.store import operations
from core.store.paths import StorePaths

st.set_page_config(page_title="Encours", page_icon="💶", layout="wide")

settings = load_settings()
paths = StorePaths(settings.data_dir)
st.session_state["encours.paths"] = paths
st.session_state["encours.today"] = formatting.paris_today()

with operations.session(paths) as ops:
    users = active_users(ops)
    if not users:
        st.error("Aucun utilisateur n'est encore configuré : lancez `make run` pour initialiser Encours.")
        st.stop()
    emails = [u[0] for u in users]
    labels = {e: f"{n} — {ROLE_LABELS.get(r, r)}" for e, n, r in users}
    chosen = st.sidebar.selectbox(
        "Utilisateur",
        emails,
        format_func=labels.__getitem__,
        key="app.user",
        help="Le périmètre affiché suit ce profil.",
    )
    st.session_state["encours.scope"] = scope_for(ops, chosen)

as_of = data_as_of(paths)
st.sidebar.caption(f"Données au {formatting.moment(as_of)}" if as_of else "Données : aucune synchronisation publiée")
if settings.demo:
    st.sidebar.caption("Société de démonstration (aucun jeton Pennylane configuré)")

page = st.navigation(
    {
        "Encours": [
            st.Page("pages/home.py", title="Accueil", icon="🏠", url_path="accueil", default=True),
        ]
    }
)
page.run()
