"""The screens' queries and changes: names and levels in words, scope, letters printed once,
sent messages with their delivery status, the levels editor's rows both ways, customers' plans."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from core.access.permissions import Forbidden
from core.formatting import PARIS
from core.reminders import plans, screens
from core.reminders.plans import PlanInvalid
from core.reminders.settings import ReminderSettings
from core.scope import Scope
from core.store import operations
from tests.support.mail import mail_store
from tests.support.reminder_queue import QUEUED_AT, due, put, seed_plans, state

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
COLLECTOR = Scope(email="compta@verdier.example", role="accounting", full_name="Claire Compta")
ADMIN = Scope(email="admin@verdier.example", role="admin")
REP = Scope(email="rep.a@verdier.example", role="sales_rep", customers=frozenset({("alpha", 1)}))
RESTRICTED = Scope(email="compta@verdier.example", role="accounting", customers=frozenset({("alpha", 1)}))


@pytest.fixture
def paths(tmp_path):
    found = mail_store(tmp_path)
    seed_plans(found)
    return found


def test_waiting_rows_carry_names_levels_and_invoice_numbers(paths):
    put(paths, due(20), due(22))
    rows = screens.waiting_rows(paths, COLLECTOR, now=NOW, settings=ReminderSettings())
    assert [(r.level, r.invoices) for r in rows] == [
        ("Deuxième relance", (("F-2026-000020", Decimal("1234.56")),)),
        ("Deuxième relance", (("F-2026-000022", Decimal("99.90")),)),
    ]
    assert rows[1].customer == "Morel Transport Ltd"


def test_rows_follow_the_scope_and_the_role(paths):
    put(paths, due(20), due(22), due(23, code="formal_notice", channel="letter"))
    rows = screens.waiting_rows(paths, RESTRICTED, now=NOW, settings=ReminderSettings())
    assert [r.item.customer_id for r in rows] == [1]
    assert screens.letters_to_print(paths, RESTRICTED, today=NOW.date()) == []
    with pytest.raises(Forbidden):
        screens.waiting_rows(paths, REP, now=NOW, settings=ReminderSettings())


def test_letters_are_printed_once_with_who_and_when(paths):
    [letter] = put(paths, due(20, code="formal_notice", channel="letter"))
    [listed] = screens.letters_to_print(paths, COLLECTOR, today=NOW.date())
    pdf = screens.letters_pdf_bytes(paths, COLLECTOR, [letter], now=NOW)
    assert pdf.startswith(b"%PDF")
    result = screens.mark_printed(paths, COLLECTOR, {letter: listed.item.version}, now=NOW)
    assert result.printed == (letter,)
    printed = state(paths, letter)
    assert (printed.state, printed.decided_by, printed.decided_at) == ("printed", COLLECTOR.email, NOW)
    again = screens.mark_printed(paths, COLLECTOR, {letter: listed.item.version}, now=NOW)
    assert "modifiée entre-temps (état actuel : courrier imprimé, par compta@verdier.example)" in again.refused[letter]
    assert screens.letters_to_print(paths, COLLECTOR, today=NOW.date()) == []
    with operations.session(paths) as con:  # the level is given: the next one counts from the printing
        levels = con.execute("SELECT state, sent_at FROM reminder_invoice_levels WHERE queue_id = ?", (letter,))
        assert levels.fetchall() == [("sent", NOW.isoformat())]


def test_sent_messages_say_what_came_back_in_french(paths):
    [queue_id] = put(paths, due(20, validation=False))
    with operations.session(paths) as con, operations.transaction(con):
        for token, status in (("t1", None), ("t2", "bounced"), ("t3", "auto_reply")):
            mid = con.execute(
                "INSERT INTO messages (token, header_message_id, kind, entity_id, customer_id, sender_email,"
                " sender_name, from_address, envelope_from, subject, body, language, state, created_at, sent_at,"
                " delivery_status) VALUES (?, ?, 'automatic', 'alpha', 1, 'systeme', 'Encours', 'r@x.example',"
                " 'r@x.example', ?, 'corps', 'fr', 'sent', ?, ?, ?)",
                (token, f"<{token}@x>", f"Objet {token}", QUEUED_AT.isoformat(), NOW.isoformat(), status),
            ).lastrowid
            con.execute(
                "INSERT INTO message_recipients (message_id, kind, address, status) VALUES (?, 'to', ?, 'accepted')",
                (mid, "compta1@client.example"),
            )
        con.execute("UPDATE reminder_queue SET message_id = 1, state = 'sent' WHERE queue_id = ?", (queue_id,))
    sent = screens.sent_messages(paths, COLLECTOR, today=NOW.date())
    assert [(s.subject, s.status) for s in sent] == [
        ("Objet t3", "réponse automatique (absence)"),
        ("Objet t2", "rejeté : adresse invalide"),
        ("Objet t1", "envoyé"),
    ]
    assert sent[2].level == "Deuxième relance" and sent[2].to == "compta1@client.example"
    assert (
        screens.sent_messages(paths, Scope(email="c", role="accounting", customers=frozenset()), today=NOW.date()) == []
    )
    assert screens.delivery_label("failed", None) == "échec de l'envoi"
    assert screens.delivery_label("sent", "deferred") == "distribution retardée"
    assert screens.delivery_label("sent", "replied") == "réponse du client"


def test_the_levels_editor_rows_round_trip(paths):
    plan = screens.load_plans(paths)["fr"]
    rows = screens.level_rows(plan)
    assert rows[0]["Ancrage"] == "date d'échéance" and rows[0]["Canal"] == "e-mail" and rows[0]["Ton"] == "courtois"
    templates = {lv.code: dict(lv.templates) for lv in plan.levels}
    assert screens.levels_from_rows(rows, templates) == plan.levels
    rows[1]["Décalage (jours)"] = 6.0  # the editor gives floats
    rows[4]["Montant minimum"] = "75,50"
    levels = screens.levels_from_rows(rows, templates)
    assert levels[1].offset_days == 6 and levels[4].min_open_amount == Decimal("75.50")


def test_unreadable_rows_are_refused_in_french(paths):
    plan = screens.load_plans(paths)["fr"]
    rows = screens.level_rows(plan)
    rows[0]["Ancrage"] = "la lune"
    rows[1]["Décalage (jours)"] = 2.5
    rows[2]["Montant minimum"] = "beaucoup"
    with pytest.raises(PlanInvalid) as caught:
        screens.levels_from_rows(rows, {})
    assert caught.value.problems == (
        "ligne 1 : ancrage inconnu « la lune »",
        "ligne 2 : décalage doit être un nombre entier de jours",
        "ligne 3 : montant invalide « beaucoup »",
    )


def test_a_new_row_takes_the_shipped_template_of_its_tone(paths):
    plan = screens.load_plans(paths)["fr"]
    rows = [*screens.level_rows(plan)]
    rows.append({**rows[2], "Position": len(rows) + 1, "Code": "reminder_4", "Libellé": "Quatrième relance"})
    levels = screens.levels_from_rows(rows, {lv.code: dict(lv.templates) for lv in plan.levels})
    assert levels[-1].templates == plans.default_template("firm")


def test_copy_and_save_need_an_admin(paths):
    plan = screens.load_plans(paths)["fr"]
    copy = screens.copy_plan(plan, "fr_btp", "BTP")
    with pytest.raises(Forbidden):
        screens.save_plan(paths, COLLECTOR, copy, expected_version=0, now=NOW)
    assert screens.save_plan(paths, ADMIN, copy, expected_version=0, now=NOW).version == 1
    with pytest.raises(PlanInvalid):
        screens.copy_plan(plan, "Mon Plan", "x")


def test_customers_with_their_plan(paths):
    found = screens.customer_plans(paths, ADMIN, today=NOW.date(), search="MOREL")
    assert [(c.customer_id, c.overridden) for c in found] == [(2, False)]
    screens.assign_plan(paths, ADMIN, "alpha", 2, "key_accounts", now=NOW)
    [morel] = screens.customer_plans(paths, ADMIN, today=NOW.date(), search="morel")
    assert morel.plan_id == "key_accounts" and morel.overridden
    screens.assign_plan(paths, ADMIN, "alpha", 2, None, now=NOW)
    assert screens.customer_plans(paths, ADMIN, today=NOW.date(), search="morel")[0].plan_id is None
    screens.default_plan_again(paths, ADMIN, "alpha", 2)
    assert not screens.customer_plans(paths, ADMIN, today=NOW.date(), search="morel")[0].overridden
    with pytest.raises(Forbidden):
        screens.assign_plan(paths, COLLECTOR, "alpha", 2, None, now=NOW)


def test_rates_and_settings(paths):
    screens.set_rate(paths, ADMIN, date(2026, 1, 1), "2,15", source="BCE", now=NOW)
    assert [(r.period_start, r.ecb_rate, r.updated_by) for r in screens.rates(paths)] == [
        (date(2026, 1, 1), Decimal("2.15"), ADMIN.email)
    ]
    with pytest.raises(Forbidden):
        screens.set_rate(paths, COLLECTOR, date(2026, 7, 1), "2", source="", now=NOW)
    screens.save_settings(paths, ADMIN, ReminderSettings(dry_run=True), now=NOW)
    assert screens.load_settings(paths).dry_run
