"""A real failed sync (wrong token) shows on the home page with its reason, never the token."""

from core.config import EntityConfig, Secret
from core.formatting import paris_now
from core.ingestion.sync import run_sync
from tests.support.apptest import app_on
from tests.support.pennylane_server import serve
from tests.support.stores import seeded_store

SECRET = "pl-live-SECRET-0123456789"


def test_wrong_token_is_named_on_the_home_page(tmp_path, monkeypatch):
    from tests.support.pennylane_server import sample_dataset

    paths = seeded_store(tmp_path)
    with serve({"a-valid-token": sample_dataset()}, rate_limit=False) as server:
        entity = EntityConfig("alpha", "Alpha SAS", Secret(SECRET), server.base_url, rate_limited=False)
        result = run_sync(paths, [entity], now=paris_now())
    assert "alpha" in result.failures
    at = app_on(monkeypatch, paths).run()
    errors = " ".join(e.value for e in at.error)
    assert "jeton" in errors.lower() and SECRET not in errors
    assert "Alpha SAS" in " ".join(m.value for m in at.markdown)  # the previous data is still shown
