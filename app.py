"""Encours — entry point: settings, who is signed in, the data-freshness frame, navigation.

Every page runs through this script first (st.navigation), so the user's scope is always
set before a page reads data. Pages read it from st.session_state["encours.scope"].
"""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.config import load_settings
from core.home import data_as_of
from core.scope import ROLE_LABELS, UnknownUser, active_users, scope_for
from core.store import operations
from core.store.paths import StorePaths

st.set_page_config(page_title="Encours", page_icon="💶", layout="wide")

settings = load_settings()
paths = StorePaths(settings.data_dir)
st.session_state["encours.paths"] = paths
st.session_state["encours.today"] = formatting.paris_today()


def _demo_user(users: list[tuple[str, str, str]]) -> str:
    """Demo company only: anyone may look through any profile, to see how scopes differ."""
    labels = {e: f"{n} — {ROLE_LABELS.get(r, r)}" for e, n, r in users}
    return st.sidebar.selectbox(
        "Utilisateur",
        [u[0] for u in users],
        format_func=labels.__getitem__,
        key="app.user",
        help="Société de démonstration : le périmètre affiché suit le profil choisi.",
    )


def _signed_in_user() -> str:
    """Real data: the person signed in through OpenID Connect (st.login), nobody else."""
    if st.user.get("is_logged_in") and st.user.get("email"):
        return str(st.user.get("email"))
    st.title("Encours")
    try:
        auth_configured = "auth" in st.secrets
    except FileNotFoundError:
        auth_configured = False
    if not auth_configured:
        st.error(
            "La connexion n'est pas configurée : ajoutez une section [auth] (OpenID Connect) "
            "à .streamlit/secrets.toml pour ouvrir Encours sur des données réelles."
        )
    elif st.button("Se connecter", key="app.login"):
        st.login()
    st.stop()
    raise AssertionError("unreachable")


with operations.session(paths) as ops:
    users = active_users(ops)
    if not users:
        st.error("Aucun utilisateur n'est encore configuré : lancez `make run` pour initialiser Encours.")
        st.stop()
    email = _demo_user(users) if settings.demo else _signed_in_user()
    try:
        st.session_state["encours.scope"] = scope_for(ops, email)
    except UnknownUser:
        st.error(f"Le compte {email} n'a pas accès à Encours : demandez à un administrateur de l'ajouter.")
        st.stop()

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
