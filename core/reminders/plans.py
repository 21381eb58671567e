"""Reminder plans: the ladders of levels an admin edits, stored in the operational store
(`reminder_plans`, `reminder_plan_levels`, `reminder_level_templates`), and which plan each
customer follows.

A save replaces the whole ladder in one transaction, checked first (`PlanInvalid`, French) and
refused when someone else saved since the admin opened it (`PlanChanged`). The history of what
an invoice was given is keyed on the level's `code`, never its position, so reordering a ladder
does not make a level come back.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from jinja2 import TemplateSyntaxError

from core import formatting
from core.mail.templates import LANGUAGES, TEMPLATES_DIR, environment
from core.store import operations

ANCHORS = ("due_date", "agreement_date", "previous_reminder")
CHANNELS = ("email", "letter")
TONES = ("courtesy", "friendly", "firm", "formal_notice", "agreement")
ANCHOR_LABELS = {
    "due_date": "date d'échéance",
    "agreement_date": "date d'accord",
    "previous_reminder": "relance précédente",
}
CODE_PATTERN = re.compile(r"[a-z0-9_]+")
SEEDED_KEY = "default_plans_seeded"
REMINDER_TEMPLATES_DIR = TEMPLATES_DIR / "reminders"

EU_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
"""The 27 member states (ISO 3166-1 alpha-2; Greece is GR here, as Pennylane sends it)."""


class PlanInvalid(ValueError):
    """The plan cannot be saved; `str(error)` lists every problem, in French."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("Plan de relance invalide : " + " ; ".join(self.problems))


class PlanChanged(ValueError):
    """Someone saved the plan since the admin opened it; nothing was written."""


@dataclass(frozen=True)
class LevelTemplate:
    subject: str
    body: str


@dataclass(frozen=True)
class Level:
    """One rung of a ladder (a row of `reminder_plan_levels` with its templates per language)."""

    position: int
    code: str
    label: str
    anchor: str
    offset_days: int
    tone: str
    channel: str = "email"
    needs_validation: bool = False
    cc_account_manager: bool = False
    min_open_amount: Decimal = Decimal(0)
    penalty_block: bool = False
    payment_deadline_days: int | None = None
    templates: Mapping[str, LevelTemplate] = field(default_factory=dict)  # language → template


@dataclass(frozen=True)
class Plan:
    plan_id: str
    label: str
    language: str
    levels: tuple[Level, ...]
    description: str = ""
    active: bool = True
    version: int = 0  # 0: not stored yet
    updated_at: datetime | None = None
    updated_by: str | None = None

    def level(self, code: str) -> Level | None:
        return next((lv for lv in self.levels if lv.code == code), None)


# ---------------------------------------------------------------- reading


def load_plans(con: sqlite3.Connection) -> dict[str, Plan]:
    """Every stored plan (active or not) by id, levels in ladder order."""
    templates: dict[tuple[str, str], dict[str, LevelTemplate]] = {}
    for plan_id, code, language, subject, body in con.execute(
        "SELECT plan_id, code, language, subject, body FROM reminder_level_templates"
    ):
        templates.setdefault((plan_id, code), {})[language] = LevelTemplate(subject, body)
    levels: dict[str, list[Level]] = {}
    for row in con.execute(
        "SELECT plan_id, position, code, label, anchor, offset_days, tone, channel, needs_validation,"
        " cc_account_manager, min_open_amount, penalty_block, payment_deadline_days"
        " FROM reminder_plan_levels ORDER BY plan_id, position"
    ):
        levels.setdefault(row[0], []).append(
            Level(
                position=int(row[1]), code=row[2], label=row[3], anchor=row[4], offset_days=int(row[5]),
                tone=row[6], channel=row[7], needs_validation=bool(row[8]), cc_account_manager=bool(row[9]),
                min_open_amount=Decimal(row[10]), penalty_block=bool(row[11]),
                payment_deadline_days=None if row[12] is None else int(row[12]),
                templates=templates.get((row[0], row[2]), {}),
            )
        )  # fmt: skip
    plans = {}
    for row in con.execute(
        "SELECT plan_id, label, language, description, active, version, updated_at, updated_by"
        " FROM reminder_plans ORDER BY plan_id"
    ):
        plans[row[0]] = Plan(
            plan_id=row[0], label=row[1], language=row[2], description=row[3], active=bool(row[4]),
            version=int(row[5]), updated_at=datetime.fromisoformat(row[6]), updated_by=row[7],
            levels=tuple(levels.get(row[0], ())),
        )  # fmt: skip
    return plans


# ---------------------------------------------------------------- validation


def problems(plan: Plan) -> list[str]:
    """Every reason the plan cannot be saved, in French (empty: it can)."""
    found: list[str] = []
    if not CODE_PATTERN.fullmatch(plan.plan_id):
        found.append(f"l'identifiant « {plan.plan_id} » ne doit contenir que a-z, 0-9 et _")
    if not plan.label.strip():
        found.append("le plan n'a pas de libellé")
    if plan.language not in LANGUAGES:
        found.append(f"langue inconnue « {plan.language} »")
    if not plan.levels:
        found.append("le plan n'a aucun niveau")
    positions = [lv.position for lv in plan.levels]
    if positions != list(range(1, len(positions) + 1)):
        found.append(f"les positions doivent se suivre à partir de 1 (reçu {positions})")
    seen: set[str] = set()
    for index, lv in enumerate(plan.levels):
        name = f"niveau {lv.position} « {lv.code} »"
        if not CODE_PATTERN.fullmatch(lv.code):
            found.append(f"{name} : le code ne doit contenir que a-z, 0-9 et _")
        if lv.code in seen:
            found.append(f"{name} : code en double")
        seen.add(lv.code)
        if not lv.label.strip():
            found.append(f"{name} : libellé vide")
        if lv.anchor not in ANCHORS:
            found.append(f"{name} : ancrage inconnu « {lv.anchor} »")
        if lv.anchor == "previous_reminder":
            if index == 0:
                found.append(f"{name} : le premier niveau ne peut pas suivre une relance précédente")
            if lv.offset_days <= 0:
                found.append(f"{name} : le délai après la relance précédente doit être d'au moins 1 jour")
        if lv.channel not in CHANNELS:
            found.append(f"{name} : canal inconnu « {lv.channel} »")
        if lv.tone not in TONES:
            found.append(f"{name} : ton inconnu « {lv.tone} »")
        if not isinstance(lv.min_open_amount, Decimal) or not lv.min_open_amount.is_finite():
            found.append(f"{name} : montant minimum invalide")
        elif lv.min_open_amount < 0:
            found.append(f"{name} : le montant minimum doit être positif ou nul")
        if lv.penalty_block and (lv.payment_deadline_days is None or lv.payment_deadline_days < 1):
            found.append(f"{name} : un niveau avec pénalités demande un délai de paiement d'au moins 1 jour")
        if lv.payment_deadline_days is not None and lv.payment_deadline_days < 0:
            found.append(f"{name} : délai de paiement négatif")
        for language in LANGUAGES:
            template = lv.templates.get(language)
            if template is None or not template.subject.strip() or not template.body.strip():
                found.append(f"{name} : modèle {language} manquant (objet et corps)")
                continue
            for part, source in (("objet", template.subject), ("corps", template.body)):
                try:
                    environment().parse(source)
                except TemplateSyntaxError as error:
                    found.append(f"{name} : {part} {language} invalide ligne {error.lineno} : {error.message}")
    return found


def parse_amount(text: str) -> Decimal:
    """An admin's amount (`50`, `50,00`, `1 234,5`) as Decimal; PlanInvalid when it is not one."""
    try:
        value = Decimal(text.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise PlanInvalid([f"montant invalide « {text} »"]) from None
    if not value.is_finite():
        raise PlanInvalid([f"montant invalide « {text} »"])
    return value


# ---------------------------------------------------------------- writing


def save_plan(con: sqlite3.Connection, plan: Plan, *, expected_version: int, by: str | None, now: datetime) -> Plan:
    """Write the plan and its whole ladder; `expected_version` is the version the admin edited
    (0 for a new plan). PlanInvalid or PlanChanged, nothing written. Returns the stored plan."""
    found = problems(plan)
    if found:
        raise PlanInvalid(found)
    with operations.transaction(con):
        _write_plan(con, plan, expected_version=expected_version, by=by, now=now)
    return load_plans(con)[plan.plan_id]


def _write_plan(con: sqlite3.Connection, plan: Plan, *, expected_version: int, by: str | None, now: datetime) -> None:
    """The writes of `save_plan`, inside the caller's transaction."""
    row = con.execute(
        "SELECT version, updated_at, updated_by FROM reminder_plans WHERE plan_id = ?", (plan.plan_id,)
    ).fetchone()
    current = 0 if row is None else int(row[0])
    if current != expected_version:
        if row is None:
            raise PlanChanged(f"Le plan « {plan.label} » a été supprimé entre-temps : rien n'a été enregistré.")
        if expected_version == 0:
            raise PlanChanged(f"Un plan d'identifiant « {plan.plan_id} » existe déjà.")
        who = row[2] or "quelqu'un"
        when = formatting.moment(datetime.fromisoformat(row[1]))
        raise PlanChanged(
            f"Le plan « {plan.label} » a été modifié par {who} le {when} : rechargez-le avant de "
            "l'enregistrer, rien n'a été enregistré."
        )
    values = (plan.label.strip(), plan.language, plan.description, int(plan.active), now.isoformat(), by)
    if row is None:
        con.execute(
            "INSERT INTO reminder_plans (label, language, description, active, updated_at, updated_by, plan_id,"
            " version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            (*values, plan.plan_id),
        )
    else:
        con.execute(
            "UPDATE reminder_plans SET label = ?, language = ?, description = ?, active = ?, updated_at = ?,"
            " updated_by = ?, version = version + 1 WHERE plan_id = ?",
            (*values, plan.plan_id),
        )
    con.execute("DELETE FROM reminder_plan_levels WHERE plan_id = ?", (plan.plan_id,))  # cascades to templates
    for lv in plan.levels:
        con.execute(
            "INSERT INTO reminder_plan_levels (plan_id, position, code, label, anchor, offset_days, channel, tone,"
            " needs_validation, cc_account_manager, min_open_amount, penalty_block, payment_deadline_days)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plan.plan_id, lv.position, lv.code, lv.label.strip(), lv.anchor, lv.offset_days, lv.channel,
                lv.tone, int(lv.needs_validation), int(lv.cc_account_manager), str(lv.min_open_amount),
                int(lv.penalty_block), lv.payment_deadline_days,
            ),
        )  # fmt: skip
        for language in LANGUAGES:
            template = lv.templates[language]
            con.execute(
                "INSERT INTO reminder_level_templates (plan_id, code, language, subject, body) VALUES (?, ?, ?, ?, ?)",
                (plan.plan_id, lv.code, language, template.subject, template.body),
            )


# ---------------------------------------------------------------- customers


def default_plan_id(billing_language: str | None, country: str | None) -> str:
    """French-speaking or French customers (or nothing known) → 'fr'; another EU country →
    'eu_en'; elsewhere or country unknown → 'world_en' (no registered letter abroad unasked)."""
    country = (country or "").strip().upper()
    language = (billing_language or "").strip().lower()
    if country == "FR" or language.startswith("fr") or (not language and not country):
        return "fr"
    return "eu_en" if country in EU_COUNTRIES else "world_en"


_NO_OVERRIDE = object()


def customer_override(con: sqlite3.Connection, entity_id: str, customer_id: int) -> object:
    """The plan an admin chose for the customer (a plan id, or None: no automatic reminders);
    `_NO_OVERRIDE` when they chose none."""
    row = con.execute(
        "SELECT plan_id FROM customer_reminder_plans WHERE entity_id = ? AND customer_id = ?", (entity_id, customer_id)
    ).fetchone()
    return _NO_OVERRIDE if row is None else row[0]


def overrides(con: sqlite3.Connection) -> dict[tuple[str, int], str | None]:
    """Every customer's chosen plan (None: no automatic reminders), for the engine's inputs."""
    rows = con.execute("SELECT entity_id, customer_id, plan_id FROM customer_reminder_plans")
    return {(r[0], int(r[1])): r[2] for r in rows}


def plan_for_customer(
    con: sqlite3.Connection,
    entity_id: str,
    customer_id: int,
    *,
    billing_language: str | None,
    country: str | None,
) -> str | None:
    """The customer's plan id: the admin's choice when there is one (None: no automatic
    reminders), else the default for its language and country."""
    chosen = customer_override(con, entity_id, customer_id)
    if chosen is _NO_OVERRIDE:
        return default_plan_id(billing_language, country)
    return chosen if isinstance(chosen, str) else None


def set_customer_plan(
    con: sqlite3.Connection, entity_id: str, customer_id: int, plan_id: str | None, *, by: str | None, now: datetime
) -> None:
    """Put the customer on `plan_id` (None: no automatic reminders at all)."""
    if (
        plan_id is not None
        and con.execute("SELECT 1 FROM reminder_plans WHERE plan_id = ?", (plan_id,)).fetchone() is None
    ):
        raise PlanInvalid([f"plan inconnu « {plan_id} »"])
    with operations.transaction(con):
        con.execute(
            "INSERT INTO customer_reminder_plans (entity_id, customer_id, plan_id, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity_id, customer_id) DO UPDATE SET plan_id = excluded.plan_id,"
            " updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            (entity_id, customer_id, plan_id, now.isoformat(), by),
        )


def reset_customer_plan(con: sqlite3.Connection, entity_id: str, customer_id: int) -> None:
    """Back to the default plan for the customer's language and country."""
    with operations.transaction(con):
        con.execute(
            "DELETE FROM customer_reminder_plans WHERE entity_id = ? AND customer_id = ?", (entity_id, customer_id)
        )


# ---------------------------------------------------------------- the five default plans


def default_template(name: str) -> dict[str, LevelTemplate]:
    """The shipped template `name` (a tone, or agreement_before / agreement_missed) per language."""
    found = {}
    for language in LANGUAGES:
        subject = (REMINDER_TEMPLATES_DIR / f"{name}.{language}.subject.txt").read_text(encoding="utf-8")
        body = (REMINDER_TEMPLATES_DIR / f"{name}.{language}.body.txt").read_text(encoding="utf-8")
        found[language] = LevelTemplate(subject.strip(), body)
    return found


def _template_name(code: str, tone: str) -> str:
    if code == "agreement_before":
        return "agreement_before"
    if code.startswith("agreement_missed"):
        return "agreement_missed"
    return tone


def _level(position: int, code: str, label: str, anchor: str, offset: int, tone: str, **kw: object) -> Level:
    level = Level(position=position, code=code, label=label, anchor=anchor, offset_days=offset, tone=tone)
    return replace(level, templates=default_template(_template_name(code, tone)), **kw)  # type: ignore[arg-type]


_FIFTY = Decimal(50)


def _ladder(
    *,
    offsets: tuple[int, int, int, int, int],
    validate_after_courtesy: bool = False,
    cc_from: int = 4,
    letter_after: int | None = None,
    agreement: tuple[int, int, int] = (-2, 1, 8),
) -> tuple[Level, ...]:
    """courtesy, reminder_1..3, formal_notice (+ registered_letter), then the agreement cadence."""
    v = validate_after_courtesy
    steps = [
        ("courtesy", "Avis d'échéance", "due_date", offsets[0], "courtesy", {}),
        ("reminder_1", "Première relance", "due_date", offsets[1], "friendly", {}),
        ("reminder_2", "Deuxième relance", "due_date", offsets[2], "firm", {}),
        ("reminder_3", "Troisième relance", "due_date", offsets[3], "firm", {}),
        ("formal_notice", "Mise en demeure", "due_date", offsets[4], "formal_notice",
         {"needs_validation": True, "penalty_block": True, "payment_deadline_days": 8, "min_open_amount": _FIFTY}),
    ]  # fmt: skip
    if letter_after is not None:
        steps.append(
            ("registered_letter", "Lettre recommandée", "previous_reminder", letter_after, "formal_notice",
             {"channel": "letter", "needs_validation": True, "penalty_block": True, "payment_deadline_days": 8,
              "min_open_amount": _FIFTY})
        )  # fmt: skip
    steps += [
        ("agreement_before", "Rappel avant la date d'accord", "agreement_date", agreement[0], "agreement", {}),
        ("agreement_missed", "Accord de paiement non honoré", "agreement_date", agreement[1], "agreement", {}),
        ("agreement_missed_2", "Accord non honoré, deuxième relance", "agreement_date", agreement[2], "firm", {}),
    ]
    levels = []
    for position, (code, label, anchor, offset, tone, extra) in enumerate(steps, start=1):
        kw: dict[str, object] = {"cc_account_manager": position >= cc_from and code != "agreement_before"}
        if v and code != "courtesy":
            kw["needs_validation"] = True
        kw.update(extra)
        levels.append(_level(position, code, label, anchor, offset, tone, **kw))
    return tuple(levels)


def default_plans() -> tuple[Plan, ...]:
    """The five plans of issue 12, as shipped."""
    return (
        Plan("fr", "Clients français", "fr", _ladder(offsets=(-5, 3, 15, 30, 45)),
             "Avis 5 jours avant l'échéance, trois relances, mise en demeure à 45 jours (à valider)."),
        Plan("eu_en", "Clients UE (anglais)", "en", _ladder(offsets=(-5, 3, 15, 30, 45), letter_after=10),
             "Comme le plan français, en anglais, puis une lettre recommandée 10 jours après la mise en demeure."),
        Plan("world_en", "Clients hors UE (anglais)", "en", _ladder(offsets=(-5, 3, 15, 30, 45)),
             "Comme le plan français, en anglais, sans courrier."),
        Plan("key_accounts", "Grands comptes", "fr",
             _ladder(offsets=(-7, 7, 21, 40, 60), validate_after_courtesy=True, agreement=(-3, 2, 10)),
             "Plus souple : délais plus longs, chaque relance après l'avis d'échéance est validée."),
        Plan("bad_payers", "Mauvais payeurs", "fr", _ladder(offsets=(-7, 1, 8, 15, 25), cc_from=2),
             "Délais courts, responsable de compte en copie dès la première relance."),
    )  # fmt: skip


def seed_default_plans(con: sqlite3.Connection, *, now: datetime) -> bool:
    """Insert the five default plans once in the store's life, in one transaction: only when the
    store has no plan and they were never seeded (an admin who deletes one does not see it come
    back). True if it inserted them."""
    with operations.transaction(con):
        if con.execute("SELECT 1 FROM reminder_settings WHERE key = ?", (SEEDED_KEY,)).fetchone() is not None:
            return False
        empty = con.execute("SELECT 1 FROM reminder_plans LIMIT 1").fetchone() is None
        if empty:
            for plan in default_plans():
                _write_plan(con, plan, expected_version=0, by=None, now=now)
        con.execute(
            "INSERT INTO reminder_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, NULL)",
            (SEEDED_KEY, json.dumps(empty), now.isoformat()),
        )
    return empty
