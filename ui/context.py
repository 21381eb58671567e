"""What a page knows about its session: the store's paths, today, the signed-in user's scope.

app.py sets them once per run (`start`, then `signed_in`, see ui/signin.py); pages read them
through the functions below, never through `st.session_state` string keys, and begin with
`require(action)`: a session that reached a page without going through app.py (a legacy deep
link) is sent back to it, and a role the permission table does not allow gets a French refusal.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from core import formatting
from core.access.permissions import Action, role_label
from core.config import Settings
from core.scope import Scope
from core.store.paths import StorePaths
from ui.navigation import HOME

_PATHS = "encours.paths"
_TODAY = "encours.today"
_SCOPE = "encours.scope"
_GRACE = "encours.promise_grace_days"


def start(settings: Settings) -> StorePaths:
    """Pin the store's paths and today's date (Paris) for this run; nothing is created on disk."""
    paths = StorePaths(settings.data_dir)
    st.session_state[_PATHS] = paths
    st.session_state[_TODAY] = formatting.paris_today()
    st.session_state[_GRACE] = settings.promise_grace_days
    return paths


def initialised(paths: StorePaths) -> bool:
    """Has `make run` (or the ingestion) set up this data directory? Reading it never creates it."""
    return paths.operations.exists()


def signed_in(user_scope: Scope) -> None:
    """Record the signed-in user's scope for the pages of this run (app.py, after sign-in)."""
    st.session_state[_SCOPE] = user_scope


def require_app() -> None:
    """Deep-link guard: a page reached without app.py (no scope yet) goes through app.py first."""
    if _SCOPE not in st.session_state:
        st.switch_page("app.py")


def require(action: Action) -> Scope:
    """A page's first line: through app.py, signed in, and allowed to open it (French refusal otherwise)."""
    require_app()
    user_scope = scope()
    if not user_scope.allows(action):
        st.error(
            f"Cette page n'est pas ouverte à votre profil ({role_label(user_scope.role)}). "
            "Demandez à un administrateur si vous pensez devoir y accéder."
        )
        st.page_link(HOME.script, label="Retour à l'accueil", icon="🏠")
        st.stop()
    return user_scope


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


def promise_grace_days() -> int:
    """ENCOURS_PROMISE_GRACE_DAYS, as app.py read it for this run."""
    value = st.session_state.get(_GRACE, 3)
    assert isinstance(value, int)
    return value
