"""Plans de relance (through app.py): only an admin opens it; a level's template and offset edited
and saved; an invalid template and a stale version refused in French; a plan copied; a rate, the
sending window and a customer's plan saved."""

from datetime import date, time, timedelta
from decimal import Decimal

from core import formatting
from core.reminders import plans, screens
from core.scope import Scope
from core.store import operations
from tests.support.apptest import app_on
from tests.support.mail import ADMIN, COLLECTOR, mail_store
from tests.support.reminder_queue import seed_plans

PAGE = "pages/reminder_plans.py"
ADMIN_SCOPE = Scope(email=ADMIN, role="admin")


def _store(tmp_path):
    paths = mail_store(tmp_path)
    seed_plans(paths)
    return paths


def _open(monkeypatch, paths, email=ADMIN):
    at = app_on(monkeypatch, paths, as_user=email).run().switch_page(PAGE).run()
    if email == ADMIN:
        at.selectbox(key="plans.pick").set_value("fr").run()
    return at


def _plan(paths, plan_id="fr"):
    return screens.load_plans(paths)[plan_id]


def test_only_an_admin_opens_the_page(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    assert not at.exception and not at.error
    assert at.title[0].value == "Plans de relance"
    assert {"Plans", "Taux BCE (pénalités L441-10)", "Fenêtre d'envoi et garde-fous", "Plan par client"} <= {
        t.label for t in at.tabs
    }
    for email in (COLLECTOR, "rep.a@verdier.example"):
        refused = _open(monkeypatch, paths, email)
        assert "n'est pas ouverte à votre profil" in refused.error[0].value
        assert not refused.text_input


def test_a_template_edit_and_an_offset_are_saved(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    at.selectbox(key="plans.fr.1.template.level").select("reminder_1").run()
    at.text_input(key="plans.fr.1.reminder_1.fr.subject").input("Rappel amical : {{ total_due }} à régler")
    at.session_state["plans.fr.1.levels"] = {
        "edited_rows": {1: {"Décalage (jours)": 5}}, "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at.button(key="plans.save").click().run()
    assert not at.exception and not at.error
    assert "Plan « Clients français » enregistré (version 2)" in at.success[0].value
    saved = _plan(paths)
    level = saved.level("reminder_1")
    assert level.templates["fr"].subject == "Rappel amical : {{ total_due }} à régler"
    assert level.offset_days == 5 and saved.updated_by == ADMIN
    assert saved.level("courtesy").templates == plans.default_plans()[0].level("courtesy").templates


def test_an_invalid_template_is_refused_in_french(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    at.text_input(key="plans.fr.1.courtesy.fr.subject").input("Échéance {{ total_due")
    at.button(key="plans.save").click().run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Le plan n'a pas été enregistré :")
    assert "niveau 1 « courtesy » : objet fr invalide ligne 1" in message
    assert _plan(paths).version == 1


def test_a_plan_saved_by_someone_else_meanwhile_is_refused(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    screens.save_plan(paths, Scope(email="autre@verdier.example", role="admin"), _plan(paths), expected_version=1,
                      now=formatting.paris_now())  # fmt: skip
    at.button(key="plans.save").click().run()
    assert "a été modifié par autre@verdier.example" in at.error[0].value
    assert _plan(paths).version == 2


def test_a_plan_is_created_by_copy(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    at.text_input(key="plans.copy.id").input("fr_btp")
    at.text_input(key="plans.copy.label").input("Clients du BTP")
    at.button(key="plans.copy.submit").click().run()
    assert not at.exception and not at.error
    copy = _plan(paths, "fr_btp")
    assert copy.label == "Clients du BTP" and [lv.code for lv in copy.levels] == [lv.code for lv in _plan(paths).levels]


def test_a_rate_and_the_window_are_saved(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    at.selectbox(key="plans.rates.period").set_value(date(2026, 7, 1))
    at.text_input(key="plans.rates.rate").input("2,15")
    at.button(key="plans.rates.submit").click().run()
    assert not at.exception and "Taux du 2e semestre 2026 enregistré." in at.success[0].value
    assert [(r.period_start, r.ecb_rate) for r in screens.rates(paths)] == [(date(2026, 7, 1), Decimal("2.15"))]

    at.multiselect(key="plans.settings.days").set_value([0, 1, 2, 3])
    at.time_input(key="plans.settings.start").set_value(time(8, 30))
    at.number_input(key="plans.settings.age").set_value(180)
    at.button(key="plans.settings.submit").click().run()
    assert not at.exception and not at.error
    saved = screens.load_settings(paths)
    assert saved.window_days == frozenset({0, 1, 2, 3}) and saved.window_start == time(8, 30)
    assert saved.max_sync_age == timedelta(hours=3)
    assert "du lundi au jeudi, de 08:30 à 17:00" in at.success[0].value

    at.time_input(key="plans.settings.end").set_value(time(8, 0))
    at.button(key="plans.settings.submit").click().run()
    assert "doit précéder l'heure de fin" in at.error[0].value


def test_a_customer_is_put_on_a_plan_then_back_on_the_default(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    at.text_input(key="plans.customer.search").input("morel").run()
    assert any(c.value.startswith("Plan actuel : ") and "par défaut" in c.value for c in at.caption)
    pick = at.selectbox(key="plans.customer.pick").value
    at.selectbox(key=f"plans.customer.plan.{pick}").set_value("__none__")
    at.button(key="plans.customer.apply").click().run()
    assert not at.exception and not at.error
    with operations.session(paths) as con:
        assert plans.overrides(con) == {("alpha", 2): None}
    assert any(c.value.startswith("Plan actuel : Aucune relance automatique") for c in at.caption)
    at.selectbox(key=f"plans.customer.plan.{pick}").set_value("__default__")
    at.button(key="plans.customer.apply").click().run()
    with operations.session(paths) as con:
        assert plans.overrides(con) == {}


def test_an_empty_store_offers_the_shipped_plans(tmp_path, monkeypatch):
    paths = mail_store(tmp_path)
    at = app_on(monkeypatch, paths).run().switch_page(PAGE).run()
    assert "Aucun plan de relance" in at.info[0].value
    at.button(key="plans.seed").click().run()
    assert not at.exception and not at.error
    assert set(screens.load_plans(paths)) == {"fr", "eu_en", "world_en", "key_accounts", "bad_payers"}


def test_an_entity_letterhead_is_saved_and_a_letter_too_long_is_refused(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    assert "En-têtes des courriers" in {t.label for t in at.tabs}
    at.text_area(key="plans.letterhead.alpha.address").input("12 avenue de la République\n\n69002 LYON")
    at.text_input(key="plans.letterhead.alpha.place").input("Lyon")
    at.text_input(key="plans.letterhead.alpha.contact").input("Tél. 04 72 00 00 00")
    at.button(key="plans.letterhead.alpha.submit").click().run()
    assert not at.exception and "En-tête de Alpha SAS enregistré." in at.success[0].value
    (alpha,) = [
        e for e in screens.entity_letterheads(paths, ADMIN_SCOPE, today=date(2026, 12, 7)) if e.entity_id == "alpha"
    ]
    assert alpha.letterhead.address_lines == ("12 avenue de la République", "69002 LYON")  # the empty line dropped
    assert (alpha.letterhead.place, alpha.letterhead.contact) == ("Lyon", "Tél. 04 72 00 00 00")

    at.text_area(key="plans.letterhead.alpha.address").input("\n".join(f"ligne {n}" for n in range(1, 6)))
    at.button(key="plans.letterhead.alpha.submit").click().run()
    assert "En-tête non enregistré : l'adresse tient en 4 lignes au plus (elle en a 5)." in at.error[0].value
    (alpha,) = [
        e for e in screens.entity_letterheads(paths, ADMIN_SCOPE, today=date(2026, 12, 7)) if e.entity_id == "alpha"
    ]
    assert alpha.letterhead.address_lines == ("12 avenue de la République", "69002 LYON")  # unchanged


def test_before_the_first_sync_the_page_opens_and_says_no_entity_is_there_yet(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    paths.published.unlink()  # as on a new installation, before the first sync publishes
    at = _open(monkeypatch, paths)
    assert not at.exception and not at.error
    assert any("Aucune entité synchronisée" in i.value for i in at.info)
