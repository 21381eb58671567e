"""A collector's morning in headless Chromium, as `make run` serves it (issue 11's acceptance):
sign in as accounting, open an invoice from the list, add a note, log a call with a promise, set
an agreement date, send a reminder by hand to the embedded SMTP server, then find the message in
the demo outbox and everything in the customer's history. Screenshots: tests/artifacts/collector-*.png."""

import re
import sys
from datetime import timedelta
from decimal import Decimal

import pytest

from core import formatting
from tests.browser.conftest import try_as
from tests.conftest import ROOT
from tests.support.mail import mail_store, smtp_server
from tests.support.processes import free_port, running

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
WAIT = 30_000
INVOICE = "F-2026-000020"  # customer 1's 1 234,56 €, 52 days late on the store's day
NOTE = "Client joint : le chèque part en fin de semaine."
CALL = "Mme Lefèvre confirme le paiement par virement."


def _serve(data_dir, smtp_port):
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1"]
    env = {
        "ENCOURS_DATA_DIR": str(data_dir), "PENNYLANE_API_TOKEN": "", "ENCOURS_ENTITIES": "",
        "ENCOURS_SMTP_HOST": "", "ENCOURS_SMTP_PORT": str(smtp_port),  # the embedded server, as `make run` starts it
    }  # fmt: skip
    return f"http://127.0.0.1:{port}", running(cmd, env, health_url=f"http://127.0.0.1:{port}/_stcore/health")


def _key(page, key: str):
    """The element Streamlit draws for the widget or container of this key (class `st-key-…`)."""
    return page.locator(".st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key))


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"collector-{name}.png"), full_page=True)


def _idle(page) -> None:
    """Wait until the app has finished its run: no "Running…" status, nothing left over from the
    previous run (Streamlit marks those elements stale, then removes them)."""
    page.wait_for_timeout(300)  # the status appears a moment after the click
    page.wait_for_function(
        "!document.querySelector('[data-testid=stStatusWidget]') && !document.querySelector('[data-stale=true]')",
        timeout=WAIT,
    )


def _open(page, expander: str) -> None:
    page.get_by_test_id("stExpander").filter(has_text=expander).locator("summary").first.click()


def _success(page, text: str) -> None:
    page.get_by_test_id("stAlert").filter(has_text=text).first.wait_for(timeout=WAIT)
    _idle(page)


def _grid(page, column: str):
    """The dataframe that has this column (a read-only one carries no `st-key-` class)."""
    return page.get_by_test_id("stDataFrame").filter(has=page.locator("th", has_text=column)).first


def _grid_text(grid) -> str:
    """What a dataframe shows: glide-data-grid draws on a canvas and mirrors the cells in an
    accessible table, which is what a screen reader (and this test) reads."""
    return grid.locator("table").first.inner_text()


def _pick_date(field, day) -> None:
    """Type the date in the field's segments as a French user does (DD/MM/YYYY: each segment moves
    to the next once full), then leave the field."""
    field.get_by_role("spinbutton").first.click()
    field.page.keyboard.type(day.strftime("%d%m%Y"))
    field.page.keyboard.press("Tab")


def test_a_collector_works_an_invoice_and_finds_it_all_in_the_history(tmp_path, page):
    paths = mail_store(tmp_path)
    today = formatting.paris_today()
    agreed, promised = today + timedelta(days=10), today + timedelta(days=7)
    with smtp_server(paths.maildir) as smtp:
        base, server = _serve(paths.data_dir, smtp.port)
        with server:
            page.goto(base + "/factures")
            try_as(page, "Comptabilité")
            page.get_by_text("Connecté : Claire Compta").first.wait_for(timeout=WAIT)

            # The list; the invoice's row (found in the grid's accessible table) opens the panel.
            grid = page.get_by_test_id("stDataFrame").first
            grid.locator("table[aria-rowcount='6']").wait_for(state="attached", timeout=WAIT)  # header + 5 rows
            _idle(page)
            numbers = grid.locator("table tbody tr td:first-child").all_inner_texts()
            row = numbers.index(INVOICE)
            grid.locator(".dvn-scroller").first.click(position={"x": 17, "y": 35 * (row + 1) + 17})  # its selection box
            panel = _key(page, "inv.detail")
            panel.get_by_text(f"Facture {INVOICE}").first.wait_for(timeout=WAIT)
            _idle(page)
            _shot(page, "1-list")
            panel.get_by_role("link", name=re.compile("fiche de recouvrement")).click()

            # The invoice's page.
            page.get_by_role("heading", name=re.compile(INVOICE)).first.wait_for(timeout=WAIT)
            assert "facture=20" in page.url and "entite=alpha" in page.url, page.url
            _idle(page)
            _shot(page, "2-invoice")

            # A note.
            _open(page, "Ajouter une note")
            _key(page, "facture.note.body").locator("textarea").fill(NOTE)
            page.get_by_role("button", name="Enregistrer la note").click()
            _success(page, "Note enregistrée.")

            # A call, with the promise it brought.
            _open(page, "Consigner un appel")
            _key(page, "facture.call.contact").locator("input").fill("Mme Lefèvre")
            # the outcome list opens on "Promesse de paiement", the outcome wanted here
            assert _key(page, "facture.call.outcome").get_by_role("combobox").input_value() == "Promesse de paiement"
            _key(page, "facture.call.note").locator("textarea").fill(CALL)
            _key(page, "facture.call.amount").locator("input").fill("1234,56")
            _pick_date(_key(page, "facture.call.promised_for"), promised)
            page.get_by_role("button", name="Enregistrer l'appel").click()
            _success(page, "Appel enregistré.")
            _shot(page, "3-call")

            # The agreement, with its date.
            page.get_by_role("tab", name="Accord de paiement").click()
            _pick_date(_key(page, "facture.agreement_date"), agreed)
            page.get_by_role("button", name="Passer en « Accord de paiement »").click()
            _success(page, "Statut enregistré : Accord de paiement.")
            page.get_by_test_id("stMetric").filter(has_text="Statut interne").filter(
                has_text="Accord de paiement"
            ).first.wait_for(timeout=WAIT)
            page.get_by_text(f"paiement convenu le {formatting.day(agreed)}").first.wait_for(timeout=WAIT)
            _shot(page, "4-agreement")

            # The reminder, as drafted (French, to the customer's usable address), sent.
            subject = _key(page, "reminder.alpha.20.subject").locator("input").input_value()
            assert subject.startswith(f"Relance : facture {INVOICE}"), subject
            assert _key(page, "reminder.alpha.20.to").locator("input").input_value() == "compta1@client.example"
            page.get_by_role("button", name="Envoyer la relance").click()
            _success(page, "Relance envoyée à compta1@client.example.")
            _shot(page, "5-reminder")
            (received,) = smtp.received()
            assert received.subject == subject and received.to == "compta1@client.example"

            # The demo outbox shows it as received.
            page.goto(base + "/boite-d-envoi")
            page.get_by_role("heading", name="Boîte d'envoi (démo)").first.wait_for(timeout=WAIT)
            outbox = _grid(page, "Objet")
            outbox.locator("table[aria-rowcount='2']").wait_for(state="attached", timeout=WAIT)
            assert subject in _grid_text(outbox)
            page.get_by_test_id("stExpander").filter(has_text=subject).first.wait_for(timeout=WAIT)
            _idle(page)
            _shot(page, "6-outbox")

            # The customer's history: the message, the note, the call, the promise, the status change.
            page.goto(base + "/client-fiche?entite=alpha&client=1")
            page.get_by_role("heading", name="Boulangerie Lefèvre").first.wait_for(timeout=WAIT)
            history = _grid(page, "Quoi")
            history.locator("table").first.wait_for(state="attached", timeout=WAIT)
            _idle(page)
            text = _grid_text(history)
            for kind in ("Messages envoyés", "Changements de statut", "Notes", "Appels", "Promesses"):
                assert kind in text, (kind, text)
            for what in (subject, "Accord de paiement", f"Promesse de {formatting.money(Decimal('1234.56'))}"):
                assert what in text, (what, text)
            history.hover()
            page.mouse.wheel(2000, 0)  # the grid draws only the columns in view: scroll to "Détail"
            history.locator("th", has_text="Détail").wait_for(state="attached", timeout=WAIT)
            details = _grid_text(history)
            for what in (NOTE, CALL):
                assert what in details, (what, details)
            page.get_by_test_id("stExpander").filter(has_text=subject).first.wait_for(timeout=WAIT)
            _shot(page, "7-customer")
