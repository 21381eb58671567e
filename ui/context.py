"""What a page knows about its session: the store's paths, today, the signed-in user's scope.

app.py sets them once per run (`start`, then `sign_in`); pages read them through the functions
below, never through `st.session_state` string keys, and begin with `require_app()`, which sends
a session that reached a page without going through app.py (a legacy deep link) back to it.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from core import formatting
from core.access.permissions import role_label
from core.config import Settings
from core.scope import Scope, UnknownUser, scope_of, users_of
from core.store.paths import StorePaths

_PATHS = "encours.paths"
_TODAY = "encours.today"
_SCOPE = "encours.scope"
USER_KEY = "app.user"
"""The demo user selector's widget key (tests select a profile through it)."""


def start(settings: Settings) -> StorePaths:
    """Pin the store's paths and today's date (Paris) for this run; nothing is created on disk."""
    paths = StorePaths(settings.data_dir)
    st.session_state[_PATHS] = paths
    st.session_state[_TODAY] = formatting.paris_today()
    return paths


def initialised(paths: StorePaths) -> bool:
    """Has `make run` (or the ingestion) set up this data directory? Reading it never creates it."""
    return paths.operations.exists()


def sign_in(settings: Settings, paths: StorePaths) -> Scope:
    """The scope of whoever uses this session; stops the run with a French message otherwise."""
    users = users_of(paths)
    if not users:
        st.error("Aucun utilisateur n'est encore configuré : lancez `make run` pour initialiser Encours.")
        st.stop()
    email = _demo_user(users) if settings.demo else _signed_in_user()
    try:
        user_scope = scope_of(paths, email)
    except UnknownUser:
        st.error(f"Le compte {email} n'a pas accès à Encours : demandez à un administrateur de l'ajouter.")
        st.stop()
        raise
    st.session_state[_SCOPE] = user_scope
    return user_scope


def require_app() -> None:
    """Deep-link guard: a page reached without app.py (no scope yet) goes through app.py first."""
    if _SCOPE not in st.session_state:
        st.switch_page("app.py")


def scope() -> Scope:
    """The signed-in user's scope (set by app.py before any page runs)."""
    value = st.session_state[_SCOPE]
    assert isinstance(value, Scope)
    return value


def paths() -> StorePaths:
    value = st.session_state[_PATHS]
    assert isinstance(value, StorePaths)
    return value


def today() -> date:
    value = st.session_state[_TODAY]
    assert isinstance(value, date)
    return value


def _demo_user(users: list[tuple[str, str, str]]) -> str:
    """Demo company only: anyone may look through any profile, to see how scopes differ."""
    labels = {e: f"{n} — {role_label(r)}" for e, n, r in users}
    choice = st.sidebar.selectbox(
        "Utilisateur",
        [u[0] for u in users],
        format_func=labels.__getitem__,
        key=USER_KEY,
        filter_mode=None,  # no typing, hence no English "No results"
        help="Société de démonstration : le périmètre affiché suit le profil choisi.",
    )
    return str(choice)


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
