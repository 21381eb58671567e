"""The dashboard in a real browser (`streamlit run serve.py`, headless Chromium): the weekly chart
renders with its bars and line, and a shared address with a filter opens the filtered view.
Screenshots: tests/artifacts/dashboard-*.png."""

import re
import sys

import pytest

from tests.browser.conftest import try_as
from tests.conftest import ROOT
from tests.support.cash_book import cash_book_store
from tests.support.processes import free_port, running

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"


def test_the_dashboard_renders_its_chart_and_follows_its_address(tmp_path, page):
    paths = cash_book_store(tmp_path)
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1"]
    env = {"ENCOURS_DATA_DIR": str(paths.data_dir), "PENNYLANE_API_TOKEN": "", "ENCOURS_ENTITIES": ""}
    base = f"http://127.0.0.1:{port}"
    with running(cmd, env, health_url=f"{base}/_stcore/health", timeout_s=60):
        page.goto(base + "/tableau-de-bord")
        try_as(page, "Administrateur")
        page.get_by_role("heading", name="Tableau de bord").first.wait_for(timeout=30_000)
        chart = page.locator("[data-testid='stPlotlyChart'] .main-svg").first
        chart.wait_for(timeout=30_000)
        page.locator("[data-testid='stPlotlyChart'] g.trace.bars").first.wait_for(timeout=10_000)
        page.locator("[data-testid='stPlotlyChart'] g.trace.scatter").first.wait_for(timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-all.png"), full_page=True)
        encours = page.get_by_test_id("stMetric").filter(has_text="Encours").first.inner_text()
        assert re.search(r"2\s600\s€", encours), encours
        assert "Traceback" not in page.inner_text("body")

        page.goto(base + "/tableau-de-bord?agence=lyon")
        page.get_by_role("heading", name="Tableau de bord").first.wait_for(timeout=30_000)
        page.get_by_test_id("stMetric").filter(has_text=re.compile(r"1\s250\s€")).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "dashboard-lyon.png"), full_page=True)
        assert "agence=lyon" in page.url
