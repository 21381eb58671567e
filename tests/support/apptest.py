"""The app as AppTest runs it: app.py on a given data directory, demo mode (no Pennylane token),
signed in as a given user the way the sign-in page does it (a session in the operational store,
its token in the tab's session state)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.access.accounts import open_session
from core.formatting import paris_now
from core.store import operations
from core.store.paths import StorePaths
from tests.conftest import ROOT

ADMIN = "admin@verdier.example"
TOKEN_KEY = "encours.session_token"


def app_on(monkeypatch: pytest.MonkeyPatch, paths: StorePaths, *, as_user: str | None = ADMIN) -> AppTest:
    """app.py reading `paths`, signed in as `as_user` (None: an unsigned visitor); not yet run."""
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(paths.data_dir))
    monkeypatch.delenv("PENNYLANE_API_TOKEN", raising=False)
    monkeypatch.delenv("ENCOURS_ENTITIES", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    if as_user is not None:
        at.session_state[TOKEN_KEY] = signed_in_token(paths, as_user)
    return at


def signed_in_token(paths: StorePaths, email: str) -> str:
    with operations.session(paths) as ops:
        return open_session(ops, email, "demo", now=paris_now())
