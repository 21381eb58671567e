"""The invoice list in headless Chromium, as `make run` serves it: a link opens it with its
filters, a sidebar filter changes the totals and the address, an export downloads the whole
filtered set. Screenshots: tests/artifacts/."""

import csv
import io
import re
import sys

import pytest

from core.formatting import paris_today
from core.lists.filters import from_query
from core.lists.invoices import query_page
from core.scope import everything
from tests.browser.conftest import try_as
from tests.conftest import ROOT
from tests.support.invoice_book import invoice_book_store
from tests.support.processes import free_port, running

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"


def _serve(data_dir):
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1"]
    env = {"ENCOURS_DATA_DIR": str(data_dir), "PENNYLANE_API_TOKEN": "", "ENCOURS_ENTITIES": ""}
    return f"http://127.0.0.1:{port}", running(cmd, env, health_url=f"http://127.0.0.1:{port}/_stcore/health")


def _count(page) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text="Factures").first
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def test_filter_see_the_total_change_and_download_the_whole_set(tmp_path, page):
    paths = invoice_book_store(tmp_path)
    today = paris_today()
    lyon_paris = query_page(paths, everything(), from_query({"agence": ["lyon", "paris"]})[0], today=today)
    open_only = from_query({"agence": ["lyon", "paris"], "ouvertes": ["1"]})[0]
    open_rows = query_page(paths, everything(), open_only, today=today, page_size=1000).rows
    assert 0 < len(open_rows) < lyon_paris.totals.count
    base, server = _serve(paths.data_dir)
    with server:
        page.goto(base + "/factures")
        try_as(page, "Administrateur")
        page.get_by_text("Connecté : Ada Admin").first.wait_for(timeout=20_000)
        page.goto(base + "/factures?agence=lyon&agence=paris")  # a link, as the dashboard opens it
        page.get_by_text("Agences : Agence Lyon, Agence Paris").first.wait_for(timeout=20_000)
        assert _count(page) == str(lyon_paris.totals.count)

        page.get_by_test_id("stSidebar").get_by_text("Ouvertes seulement").click()
        page.wait_for_function(
            "n => [...document.querySelectorAll('[data-testid=stMetric]')].some(m => m.innerText.includes('Factures')"
            " && m.querySelector('[data-testid=stMetricValue]').innerText.trim() === n)",
            arg=str(len(open_rows)),
            timeout=20_000,
        )
        assert re.search(r"ouvertes=1", page.url), page.url
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "invoice-list.png"), full_page=True)

        with page.expect_download(timeout=30_000) as download_info:
            page.get_by_test_id("stDownloadButton").filter(has_text="CSV").first.locator("button").click()
        download = download_info.value
        assert download.suggested_filename.startswith("factures-") and download.suggested_filename.endswith(".csv")
        target = tmp_path / download.suggested_filename
        download.save_as(target)
    content = target.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # what French Excel needs
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    numbers = [r[0] for r in rows[1:] if r and r[0].startswith("F-")]
    assert sorted(numbers) == sorted(r.invoice_number for r in open_rows)  # the whole set, not one page
