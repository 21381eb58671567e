"""Every deep link goes through app.py (as `make run` serves it, serve.py), even as the very first request of a fresh server
(when Streamlit would otherwise run a script of pages/ on its own, skipping sign-in and scope)."""

import sys

import pytest

from tests.browser.conftest import try_as
from tests.support.processes import free_port, running
from tests.support.stores import seeded_store
from ui.navigation import PAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", [*(f"/{p.url_path}" for p in PAGES), "/home", "/pages/home", "/une-page-inconnue"])
def test_a_deep_link_as_first_request_goes_through_app_py(tmp_path, page, path):
    paths = seeded_store(tmp_path)
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "serve.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    env = {"ENCOURS_DATA_DIR": str(paths.data_dir), "PENNYLANE_API_TOKEN": "", "ENCOURS_ENTITIES": ""}
    with running(cmd, env, health_url=f"http://127.0.0.1:{port}/_stcore/health", timeout_s=60):
        page.goto(f"http://127.0.0.1:{port}{path}")
        page.get_by_text("Connexion à Encours").first.wait_for(timeout=20_000)  # app.py's sign-in ran first
        assert not page.get_by_text("Alpha SAS").count() and not page.get_by_test_id("stMetric").count()
        try_as(page, "Administrateur")
        page.get_by_text("Connecté : Ada Admin").first.wait_for(timeout=20_000)  # then the page asked for
        page.get_by_text("Données au").first.wait_for(timeout=10_000)
        assert not page.get_by_text("KeyError").count()
