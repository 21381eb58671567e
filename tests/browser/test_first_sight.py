"""Issue 7, item 12: every address answers in French, on the app as `make run` serves it
(`streamlit run serve.py`): `/`, the home page's own address, a nested legacy path, any unknown
path — and a fresh, empty data directory, which must stay empty. Screenshots: tests/artifacts/."""

import re
import sys

import pytest

from tests.browser.conftest import try_as
from tests.conftest import ROOT
from tests.support.processes import free_port, running
from tests.support.stores import seeded_store

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
ENGLISH = ("Page not found", "does not seem to exist", "No results", "Choose an option", "Running the app")


def _serve(data_dir):
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1"]
    env = {"ENCOURS_DATA_DIR": str(data_dir), "PENNYLANE_API_TOKEN": "", "ENCOURS_ENTITIES": ""}
    return f"http://127.0.0.1:{port}", running(cmd, env, health_url=f"http://127.0.0.1:{port}/_stcore/health")


def _assert_french(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(500)  # let a late dialog show up, if any
    page.screenshot(path=str(ARTIFACTS / f"first-sight-{name}.png"), full_page=True)
    text = page.inner_text("body")
    assert text.strip(), "blank page"
    for english in ENGLISH:
        assert english not in text, english
    assert page.evaluate("document.documentElement.lang") == "fr"
    return text


@pytest.mark.parametrize(
    ("path", "name"),
    [("/", "root"), ("/accueil", "accueil"), ("/pages/home", "pages-home"), ("/nimportequoi", "nimportequoi")],
)
def test_every_address_lands_on_the_french_home_page(tmp_path, page, path, name):
    paths = seeded_store(tmp_path)
    base, server = _serve(paths.data_dir)
    with server:
        page.goto(base + path)
        page.get_by_text("Connexion à Encours").first.wait_for(timeout=20_000)
        _assert_french(page, name + "-signin")
        try_as(page, "Administrateur")
        page.get_by_text("Alpha SAS").first.wait_for(timeout=20_000)
        page.get_by_text("Données au").first.wait_for(timeout=10_000)
        text = _assert_french(page, name)
        assert "Entités" in text and "Factures" in text
        assert re.fullmatch(rf"{re.escape(base)}/(accueil)?", page.url), page.url


def test_an_empty_data_directory_shows_a_french_message_and_stays_empty(tmp_path, page):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    base, server = _serve(data_dir)
    with server:
        page.goto(base + "/")
        page.get_by_text("pas encore initialisé").first.wait_for(timeout=20_000)
        text = _assert_french(page, "empty-data-dir")
        for label in ("app", "home"):  # Streamlit's own navigation of pages/, had app.py stopped before st.navigation
            assert not page.get_by_role("link", name=label, exact=True).count(), label
        assert "make run" in text
    assert list(data_dir.iterdir()) == []


def test_figures_about_to_change_are_dimmed_at_once(tmp_path, page):
    """Streamlit marks what a rerun has not redrawn yet as stale; the app dims it without delay."""
    paths = seeded_store(tmp_path)
    base, server = _serve(paths.data_dir)
    with server:
        page.goto(base + "/accueil")
        try_as(page, "Administrateur")
        page.get_by_text("Alpha SAS").first.wait_for(timeout=20_000)
        metric = page.get_by_test_id("stMetric").first.locator(
            "xpath=ancestor::*[@data-testid='stElementContainer'][1]"
        )
        metric.evaluate("e => e.setAttribute('data-stale', 'true')")
        page.wait_for_timeout(300)
        assert float(metric.evaluate("e => getComputedStyle(e).opacity")) < 0.5
