"""Local accounts in a real browser: the session survives a reload and a new tab (its cookie),
and signing out in one tab ends it in the others at their next page run."""

import sys

import pytest

from core.access.accounts import change_password, set_one_time_password
from core.store import operations
from tests.support.processes import free_port, running
from tests.support.stores import NOW, seeded_store

pytestmark = pytest.mark.browser

REP = "rep.a@verdier.example"
PASSWORD = "Un mot de passe bien long 2026"


def test_reload_and_new_tab_keep_the_session_and_sign_out_ends_it_everywhere(tmp_path, browser):
    paths = seeded_store(tmp_path)
    with operations.session(paths) as ops:
        change_password(ops, REP, set_one_time_password(ops, REP, now=NOW), PASSWORD, now=NOW)
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1"]
    env = {"ENCOURS_DATA_DIR": str(paths.data_dir), "PENNYLANE_API_TOKEN": "pl-fake", "ENCOURS_ENTITIES": ""}
    base = f"http://127.0.0.1:{port}"
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    try:
        with running(cmd, env, health_url=f"{base}/_stcore/health", timeout_s=60):
            page = context.new_page()
            page.goto(base)
            page.get_by_label("Adresse e-mail").fill(REP)
            page.get_by_label("Mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.get_by_text("Connecté : Rita Rep").first.wait_for(timeout=20_000)
            page.get_by_text("Alpha SAS").first.wait_for(timeout=10_000)
            page.wait_for_timeout(500)  # the cookie script runs with the signed-in frame
            cookies = {c["name"]: c for c in context.cookies()}
            assert "encours_session" in cookies and PASSWORD not in cookies["encours_session"]["value"]

            page.reload()
            page.get_by_text("Connecté : Rita Rep").first.wait_for(timeout=20_000)
            other = context.new_page()
            other.goto(base + "/accueil")
            other.get_by_text("Connecté : Rita Rep").first.wait_for(timeout=20_000)

            page.get_by_role("button", name="Se déconnecter").click()
            page.get_by_text("Connexion à Encours").first.wait_for(timeout=20_000)
            other.reload()  # the other tab's next page run
            other.get_by_text("Connexion à Encours").first.wait_for(timeout=20_000)
            assert not other.get_by_text("Alpha SAS").count()
            with operations.session(paths) as ops:
                assert ops.execute("SELECT count(*) FROM user_sessions").fetchone()[0] == 0
    finally:
        context.close()
