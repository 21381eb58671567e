"""Issue 12's browser acceptance, in headless Chromium against `streamlit run`: an admin edits a
level's subject in "Plans de relance"; the reminders due are queued (DueReminder values built by
hand, rendered with the plan as stored); a collector approves them in "Relances à valider";
`python -m jobs.reminders send --now …` sends them, and the local SMTP server receives each once,
with the admin's subject. Screenshots: tests/artifacts/reminders-*.png."""

import re
import subprocess
import sys
from datetime import timedelta

import pytest

from core.formatting import paris_today
from core.reminders import screens
from core.reminders.queue import Composed
from core.reminders.render import RenderContext, render_reminder
from core.store import operations
from tests.browser.conftest import try_as
from tests.browser.test_collector import _idle, _key, _serve
from tests.conftest import ROOT
from tests.support.mail import mail_store, smtp_server
from tests.support.reminder_queue import ADDRESSES, QUEUED_AT, due, put, seed_plans

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
WAIT = 30_000
SUBJECT = "Deuxième relance : {{ total_due }} à régler sous huit jours"
SEND_AT = QUEUED_AT + timedelta(minutes=30)  # Monday 23/11/2026 10:00, inside the window
NAMES = {1: "Client 1", 2: "Morel Transport Ltd"}


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"reminders-{name}.png"), full_page=True)


def _compose(paths):
    plan = screens.load_plans(paths)["fr"]

    def compose(reminder):
        ctx = RenderContext(customer_name=NAMES[reminder.customer_id], entity_name="Alpha SAS", today=paris_today())
        rendered = render_reminder(reminder, plan, ctx)
        return Composed(rendered.subject, rendered.body, (ADDRESSES[reminder.customer_id],))

    return compose


def test_an_admin_edits_a_plan_a_collector_approves_and_the_messages_arrive(tmp_path, browser, page):
    paths = mail_store(tmp_path)
    seed_plans(paths)
    with operations.session(paths) as ops:  # a successful sync just before the send: the stale-data guard lets it go
        operations.finish_sync_run(ops, operations.start_sync_run(ops, "alpha", "full", QUEUED_AT), QUEUED_AT)
    with smtp_server(paths.maildir) as smtp:
        base, server = _serve(paths.data_dir, smtp.port)
        with server:
            # The admin changes the French subject of the "Deuxième relance" level and saves.
            page.goto(base + "/plans-de-relance")
            try_as(page, "Administrateur")
            page.get_by_role("heading", name="Plans de relance").first.wait_for(timeout=WAIT)
            _idle(page)
            _key(page, "plans.fr.1.template.level").get_by_role("combobox").click()
            page.get_by_role("option", name="3. Deuxième relance").click()
            _idle(page)
            subject = _key(page, "plans.fr.1.reminder_2.fr.subject").locator("input")
            subject.fill(SUBJECT)
            subject.press("Tab")
            _idle(page)
            page.get_by_role("button", name="Enregistrer le plan").click()
            page.get_by_test_id("stAlert").filter(has_text="enregistré (version 2)").first.wait_for(timeout=WAIT)
            _idle(page)
            _shot(page, "1-plan-saved")
            assert screens.load_plans(paths)["fr"].level("reminder_2").templates["fr"].subject == SUBJECT

            # The engine's decisions for two customers, rendered with the plan as the admin left it.
            queued = put(paths, due(20), due(22), compose=_compose(paths))
            assert len(queued) == 2

            # A collector approves the queue.
            collector = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
            work = collector.new_page()
            work.goto(base + "/relances")
            try_as(work, "Comptabilité")
            work.get_by_role("heading", name="Relances à valider").first.wait_for(timeout=WAIT)
            work.get_by_test_id("stDataFrame").first.wait_for(timeout=WAIT)
            _idle(work)
            _shot(work, "2-queue")
            work.get_by_role("button", name=re.compile(r"^Tout valider \(2\)")).click()
            work.get_by_test_id("stAlert").filter(has_text="2 relance(s) validée(s)").first.wait_for(timeout=WAIT)
            _idle(work)
            _shot(work, "3-approved")
            collector.close()

    # The send job, as the scheduler runs it, to the embedded SMTP server.
    with smtp_server(paths.maildir) as smtp:
        env = {"ENCOURS_DATA_DIR": str(paths.data_dir), "PENNYLANE_API_TOKEN": "", "ENCOURS_ENTITIES": "",
               "ENCOURS_SMTP_HOST": "", "ENCOURS_SMTP_PORT": str(smtp.port), "PATH": "/usr/bin:/bin"}  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "jobs.reminders", "send", "--now", SEND_AT.isoformat()],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        received = smtp.received()
    subjects = sorted(m.subject for m in received)
    assert subjects == [
        "Deuxième relance : 1\u202f234,56\u00a0€ à régler sous huit jours",
        "Deuxième relance : 99,90\u00a0€ à régler sous huit jours",
    ], subjects
    assert sorted(m.to for m in received) == ["accounts@morel.example", "compta1@client.example"]
