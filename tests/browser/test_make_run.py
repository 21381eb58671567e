"""`make run` on an empty data directory: demo company generated and loaded, app served,
home page showing the demo data in a real browser — and deep links go through app.py."""

import smtplib

import pytest

from tests.browser.conftest import try_as
from tests.support.processes import free_port, running

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_make_run_serves_the_home_page_with_demo_data(tmp_path, page):
    port = free_port()
    smtp_port = free_port()
    env = {
        "ENCOURS_SMTP_PORT": str(smtp_port),  # the embedded SMTP server make run starts (no ENCOURS_SMTP_HOST)
        "ENCOURS_SMTP_HOST": "",
        "ENCOURS_DATA_DIR": str(tmp_path / "data"),
        "ENCOURS_APP_PORT": str(port),
        "ENCOURS_DEMO_API_PORT": str(free_port()),
        "ENCOURS_DEMO_INVOICES": "3000",
        "PENNYLANE_API_TOKEN": "",
        "ENCOURS_ENTITIES": "",
    }
    base = f"http://127.0.0.1:{port}"
    with running(["make", "run"], env, health_url=f"{base}/_stcore/health", timeout_s=240):
        page.goto(base)
        try_as(page, "Administrateur", timeout=60_000)
        page.get_by_text("Connecté : Claire Martin").first.wait_for(timeout=20_000)
        page.wait_for_timeout(500)  # the signed-in frame writes the session cookie the reloads below use
        for _ in range(60):  # the scheduler's first sync publishes shortly after start
            page.goto(base)
            try:
                page.get_by_text("Verdier Conseil SAS").first.wait_for(timeout=5_000)
                break
            except Exception:  # noqa: BLE001 - playwright's timeout: not published yet, reload
                continue
        else:
            pytest.fail("the home page never showed the demo entities")
        page.get_by_text("Données au").first.wait_for(timeout=30_000)  # the sidebar's freshness, drawn last
        page.get_by_text("Encours").first.wait_for(timeout=10_000)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:  # the embedded mail server answers
            assert smtp.noop()[0] == 250

        # a deep link to a page still runs app.py first (signed-in frame, freshness), and the
        # reload keeps the session (its cookie)
        page.goto(f"{base}/accueil")
        page.get_by_text("Verdier Conseil SAS").first.wait_for(timeout=20_000)
        page.get_by_text("Connecté : Claire Martin").first.wait_for(timeout=10_000)
        page.get_by_text("Données au").first.wait_for(timeout=10_000)
