"""OpenID Connect sign-in end to end: a real provider (oidc-provider-mock) on 127.0.0.1, the app
served as `make run` serves it (serve.py, real-data mode: a Pennylane token is set, so no
"try as" buttons), headless Chromium going through the provider's page and back.

The app reads its `[auth]` section from a secrets file in the test's temporary folder, never
from the repository's `.streamlit/`: Streamlit 1.67's `secrets.files` option, given on the
command line as `--secrets.files PATH`, replaces the default locations (`~/.streamlit` and
`./.streamlit/secrets.toml`) for `st.secrets` and for the server's `/auth/*` and
`/oauth2callback` routes alike; the working directory stays the repository, so its
`.streamlit/config.toml` still applies. (Encours' own settings, core.config, read only the
repository's secrets.toml and the environment; the test sets them through the environment.)

Screenshots of every step: tests/artifacts/oidc-*.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import ROOT
from tests.support.oidc import provider, write_auth_secrets
from tests.support.processes import free_port, running
from tests.support.stores import seeded_store

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
RITA = {"sub": "rita", "email": "rep.a@verdier.example", "email_verified": True, "name": "Rita (IdP)"}
STRANGER = {"sub": "intrus", "email": "intrus@ailleurs.example", "email_verified": True, "name": "Ivan Intrus"}
COMPANY_BUTTON = "Se connecter avec le compte de l'entreprise"


def _app(tmp_path: Path, provider_url: str):
    paths = seeded_store(tmp_path)
    port = free_port()
    secrets_file = write_auth_secrets(tmp_path / "secrets.toml", provider_url=provider_url, app_port=port)
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--secrets.files", str(secrets_file)]
    env = {"ENCOURS_DATA_DIR": str(paths.data_dir), "PENNYLANE_API_TOKEN": "pl-fake", "ENCOURS_ENTITIES": ""}
    base = f"http://127.0.0.1:{port}"
    return running(cmd, env, health_url=f"{base}/_stcore/health", timeout_s=60), base


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"oidc-{name}.png"), full_page=True)


def _through_the_provider(page, base: str, sub: str) -> None:
    """From the sign-in page: the company button, the provider's page, the identity `sub`."""
    page.goto(base)
    page.get_by_text("Connexion à Encours").first.wait_for(timeout=20_000)
    page.get_by_role("button", name=COMPANY_BUTTON).click()
    page.get_by_role("heading", name="Authorize Client").wait_for(timeout=20_000)
    _shot(page, f"{sub}-2-provider")
    page.get_by_role("button", name=sub, exact=True).click()


def _metrics(page) -> dict[str, str]:
    out = {}
    for metric in page.get_by_test_id("stMetric").all():
        label = metric.get_by_test_id("stMetricLabel").inner_text().strip()
        out[label] = metric.get_by_test_id("stMetricValue").inner_text().strip()
    return out


def test_a_known_user_signs_in_at_the_provider_sees_their_scope_and_signs_out(tmp_path, page):
    with provider([RITA, STRANGER]) as provider_url:
        app, base = _app(tmp_path, provider_url)
        with app:
            page.goto(base)
            page.get_by_text("Connexion à Encours").first.wait_for(timeout=20_000)
            page.get_by_role("button", name=COMPANY_BUTTON).wait_for(timeout=10_000)
            assert not page.get_by_text("Essayer en tant que").count()  # real data: no demo profiles
            _shot(page, "rita-1-signin")

            _through_the_provider(page, base, "rita")
            page.get_by_text("Connecté : Rita Rep — Chargé de clientèle").first.wait_for(timeout=20_000)
            page.get_by_test_id("stMetric").first.wait_for(timeout=10_000)
            _shot(page, "rita-3-signed-in")
            # Rita's portfolio: customers 1 and 2 (20 € still due); the admin would see 3 customers, 50 €.
            metrics = _metrics(page)
            assert metrics["Clients"] == "2", metrics
            assert metrics["Encours"].replace("\u202f", " ").replace("\xa0", " ") == "20 €", metrics
            assert any(c["name"].startswith("_streamlit_user") for c in page.context.cookies())

            page.reload()  # the Encours session's cookie keeps her signed in
            page.get_by_text("Connecté : Rita Rep").first.wait_for(timeout=20_000)
            other = page.context.new_page()  # a second tab, signed in by the same cookies
            other.goto(base)
            other.get_by_text("Connecté : Rita Rep").first.wait_for(timeout=20_000)

            page.bring_to_front()  # a background tab's timers are throttled
            page.get_by_role("button", name="Se déconnecter").click()
            end = page.get_by_role("button", name="End session")  # the provider's RP-initiated logout
            end.wait_for(timeout=20_000)
            _shot(page, "rita-4-provider-logout")
            end.click()
            page.get_by_text("Connexion à Encours").first.wait_for(timeout=20_000)
            page.get_by_role("button", name=COMPANY_BUTTON).wait_for(timeout=10_000)
            _shot(page, "rita-5-signed-out")
            assert not page.get_by_text("Connecté").count() and not page.get_by_test_id("stMetric").count()
            assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]

            # The other tab still holds the provider's identity (Streamlit clears st.user only in
            # the tab that called st.logout); its next page run, without a reload, must not let her in.
            other.bring_to_front()
            other.mouse.click(700, 60)
            other.keyboard.press("r")  # Streamlit's "rerun" shortcut: a page run on the same connection
            other.get_by_text("Votre session Encours est terminée").first.wait_for(timeout=20_000)
            expect(other.get_by_text("Connecté")).to_have_count(0, timeout=10_000)  # the run's stale elements go
            expect(other.get_by_test_id("stMetric")).to_have_count(0, timeout=10_000)
            _shot(other, "rita-5b-other-tab")
            other.close()

            page.reload()
            page.get_by_role("button", name=COMPANY_BUTTON).wait_for(timeout=20_000)
            page.wait_for_timeout(1_000)  # give a wrongly kept identity time to show itself
            assert not page.get_by_text("Connecté").count() and not page.get_by_test_id("stMetric").count()
            _shot(page, "rita-6-reloaded")


def test_someone_the_provider_knows_but_encours_does_not_is_refused_in_french(tmp_path, page):
    with provider([RITA, STRANGER]) as provider_url:
        app, base = _app(tmp_path, provider_url)
        with app:
            _through_the_provider(page, base, "intrus")
            refusal = page.get_by_text("Le compte intrus@ailleurs.example n'a pas accès à Encours")
            refusal.first.wait_for(timeout=20_000)
            _shot(page, "intrus-3-refused")
            assert not page.get_by_text("Connecté").count() and not page.get_by_test_id("stMetric").count()
            assert not page.get_by_text("Alpha SAS").count()

            page.reload()  # still refused, still nothing shown
            refusal.first.wait_for(timeout=20_000)
            assert not page.get_by_text("Connecté").count() and not page.get_by_test_id("stMetric").count()

            page.get_by_role("button", name="Se déconnecter du fournisseur d'identité").click()
            page.get_by_role("button", name="End session").click(timeout=20_000)
            page.get_by_role("button", name=COMPANY_BUTTON).wait_for(timeout=20_000)
            page.wait_for_timeout(1_000)
            assert not refusal.count() and not page.get_by_test_id("stMetric").count()
            assert not [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
            _shot(page, "intrus-4-signed-out")
