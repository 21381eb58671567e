"""The app as AppTest runs it: app.py on a given data directory, demo mode (no Pennylane token)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.store.paths import StorePaths
from tests.conftest import ROOT


def app_on(monkeypatch: pytest.MonkeyPatch, paths: StorePaths) -> AppTest:
    """app.py reading `paths`, not yet run (call .run())."""
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(paths.data_dir))
    monkeypatch.delenv("PENNYLANE_API_TOKEN", raising=False)
    monkeypatch.delenv("ENCOURS_ENTITIES", raising=False)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
