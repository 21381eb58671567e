"""Reminder plans in a real operational store: the five defaults seeded once, an admin's edits
checked (French reasons) and refused when someone saved in between, each customer's plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from core.reminders import plans
from core.reminders.plans import LevelTemplate, PlanChanged, PlanInvalid
from core.store import operations
from core.store.paths import StorePaths

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def ops(tmp_path: Path):  # type: ignore[no-untyped-def]
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as con:
        yield con


def test_the_five_default_plans_are_seeded_once_and_read_back_whole(ops) -> None:  # type: ignore[no-untyped-def]
    assert plans.seed_default_plans(ops, now=NOW) is True
    stored = plans.load_plans(ops)
    assert sorted(stored) == ["bad_payers", "eu_en", "fr", "key_accounts", "world_en"]
    for shipped in plans.default_plans():
        assert stored[shipped.plan_id].levels == shipped.levels
        assert stored[shipped.plan_id].version == 1
    fr = stored["fr"]
    assert [(lv.code, lv.anchor, lv.offset_days) for lv in fr.levels] == [
        ("courtesy", "due_date", -5), ("reminder_1", "due_date", 3), ("reminder_2", "due_date", 15),
        ("reminder_3", "due_date", 30), ("formal_notice", "due_date", 45), ("agreement_before", "agreement_date", -2),
        ("agreement_missed", "agreement_date", 1), ("agreement_missed_2", "agreement_date", 8),
    ]  # fmt: skip
    notice = fr.level("formal_notice")
    assert notice is not None and notice.needs_validation and notice.penalty_block
    assert (notice.payment_deadline_days, notice.min_open_amount) == (8, Decimal(50))
    assert fr.level("reminder_3").cc_account_manager and not fr.level("reminder_2").cc_account_manager  # type: ignore[union-attr]
    letter = stored["eu_en"].level("registered_letter")
    assert letter is not None and (letter.channel, letter.anchor) == ("letter", "previous_reminder")
    assert all(lv.channel == "email" for lv in stored["world_en"].levels)
    assert all(lv.needs_validation for lv in stored["key_accounts"].levels if lv.code != "courtesy")
    assert stored["bad_payers"].level("reminder_1").cc_account_manager  # type: ignore[union-attr]
    assert "Madame, Monsieur," in fr.levels[0].templates["fr"].body


def test_a_deleted_default_plan_does_not_come_back(ops) -> None:  # type: ignore[no-untyped-def]
    plans.seed_default_plans(ops, now=NOW)
    with operations.transaction(ops):
        ops.execute("DELETE FROM reminder_plans")
    assert plans.seed_default_plans(ops, now=NOW + timedelta(days=1)) is False
    assert plans.load_plans(ops) == {}


def test_an_admin_edit_is_saved_and_a_stale_one_is_refused_naming_who_saved(ops) -> None:  # type: ignore[no-untyped-def]
    plans.seed_default_plans(ops, now=NOW)
    fr = plans.load_plans(ops)["fr"]
    softer = replace(
        fr, levels=tuple(replace(lv, offset_days=5) if lv.code == "reminder_1" else lv for lv in fr.levels)
    )
    saved = plans.save_plan(ops, softer, expected_version=1, by="ada@verdier.example", now=NOW)
    assert saved.version == 2 and saved.updated_by == "ada@verdier.example"
    assert saved.level("reminder_1").offset_days == 5  # type: ignore[union-attr]
    with pytest.raises(PlanChanged, match="modifié par ada@verdier.example le 07/12/2026 à 10:00"):
        plans.save_plan(ops, fr, expected_version=1, by="bob@verdier.example", now=NOW)
    assert plans.load_plans(ops)["fr"].level("reminder_1").offset_days == 5  # type: ignore[union-attr]
    with pytest.raises(PlanChanged, match="existe déjà"):
        plans.save_plan(ops, fr, expected_version=0, by="bob@verdier.example", now=NOW)


def test_an_invalid_ladder_is_refused_with_every_reason_in_french(ops) -> None:  # type: ignore[no-untyped-def]
    fr = plans.default_plans()[0]
    levels = list(fr.levels)
    broken = replace(
        fr,
        plan_id="Mon Plan",
        levels=(
            replace(levels[1], position=1, anchor="previous_reminder", offset_days=0),
            replace(levels[2], position=3, code="reminder_1", min_open_amount=Decimal(-1)),
            replace(
                levels[3], position=4, code="Trois!",
                templates={"fr": LevelTemplate("Relance", "{% if %}"), "en": LevelTemplate("", "x")},
            ),
        ),
    )  # fmt: skip
    with pytest.raises(PlanInvalid) as caught:
        plans.save_plan(ops, broken, expected_version=0, by="ada", now=NOW)
    reasons = caught.value.problems
    assert "l'identifiant « Mon Plan » ne doit contenir que a-z, 0-9 et _" in reasons
    assert "les positions doivent se suivre à partir de 1 (reçu [1, 3, 4])" in reasons
    assert "niveau 1 « reminder_1 » : le premier niveau ne peut pas suivre une relance précédente" in reasons
    assert "niveau 1 « reminder_1 » : le délai après la relance précédente doit être d'au moins 1 jour" in reasons
    assert "niveau 3 « reminder_1 » : code en double" in reasons
    assert "niveau 3 « reminder_1 » : le montant minimum doit être positif ou nul" in reasons
    assert "niveau 4 « Trois! » : le code ne doit contenir que a-z, 0-9 et _" in reasons
    assert any(r.startswith("niveau 4 « Trois! » : corps fr invalide ligne 1") for r in reasons)
    assert "niveau 4 « Trois! » : modèle en manquant (objet et corps)" in reasons
    assert plans.load_plans(ops) == {}


def test_a_customer_follows_the_default_for_its_language_and_country_unless_an_admin_chose(ops) -> None:  # type: ignore[no-untyped-def]
    plans.seed_default_plans(ops, now=NOW)

    def plan(customer: int, language: str | None, country: str | None) -> str | None:
        return plans.plan_for_customer(ops, "alpha", customer, billing_language=language, country=country)

    assert plan(1, "fr_FR", "FR") == "fr"
    assert plan(1, "fr_BE", "BE") == "fr"  # French-speaking
    assert plan(1, "en_GB", "FR") == "fr"  # billed in France
    assert plan(1, "de_DE", "DE") == "eu_en"
    assert plan(1, "en_GB", "GB") == "world_en"
    assert plan(1, "en_US", None) == "world_en"
    assert plan(1, None, None) == "fr"

    plans.set_customer_plan(ops, "alpha", 1, "bad_payers", by="ada", now=NOW)
    plans.set_customer_plan(ops, "alpha", 2, None, by="ada", now=NOW)
    assert plan(1, "de_DE", "DE") == "bad_payers"
    assert plan(2, "fr_FR", "FR") is None  # no automatic reminders
    assert plans.overrides(ops) == {("alpha", 1): "bad_payers", ("alpha", 2): None}
    with pytest.raises(PlanInvalid, match="plan inconnu"):
        plans.set_customer_plan(ops, "alpha", 3, "nope", by="ada", now=NOW)
    plans.reset_customer_plan(ops, "alpha", 1)
    assert plan(1, "de_DE", "DE") == "eu_en"
