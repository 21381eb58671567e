"""What the reminder screens show and change, beyond the queue's own decisions: the waiting rows
with their customer and level in words, the letters to print (and marking them printed), the
automatic messages sent with their delivery status, the plans' ladders as editable rows, and
which plan each customer follows.

Every read is restricted to the user's scope (as `queue.pending` is) and every write checks the
role first (core.access.permissions). Names and invoice numbers come from the published
snapshot when there is one; without it the screens show ids rather than fail.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core.access.permissions import Action, require
from core.collections.errors import NotInScope
from core.mail import history
from core.reminders import letterheads as letterheads_mod
from core.reminders import penalties
from core.reminders import plans as plans_mod
from core.reminders import settings as settings_mod
from core.reminders.letter_data import letter_for_queue_row
from core.reminders.letterheads import Letterhead
from core.reminders.letters import letters_pdf
from core.reminders.plans import ANCHOR_LABELS, Level, LevelTemplate, Plan, PlanInvalid
from core.reminders.queue import NOT_FOUND, QueueItem, StaleQueueItem, pending, read_item
from core.reminders.settings import ReminderSettings
from core.scope import Scope
from core.store import operations
from core.store.analytical import StoreNotPublished
from core.store.paths import StorePaths
from core.store.reading import read_session

SENT_LIMIT = 200
CHANNEL_LABELS = {"email": "e-mail", "letter": "courrier"}
TONE_LABELS = {
    "courtesy": "courtois",
    "friendly": "cordial",
    "firm": "ferme",
    "formal_notice": "mise en demeure",
    "agreement": "accord de paiement",
}
NO_PLAN = "Aucune relance automatique"

# The columns of the levels editor, in order (French: what the admin reads).
LEVEL_COLUMNS = (
    "Position", "Code", "Libellé", "Ancrage", "Décalage (jours)", "Canal", "Ton", "À valider",
    "Copie au chargé", "Montant minimum", "Pénalités", "Délai de paiement (jours)",
)  # fmt: skip


@dataclass(frozen=True)
class Names:
    """Customer names and invoice numbers as the snapshot knows them (ids when it does not)."""

    customers: Mapping[tuple[str, int], str] = field(default_factory=dict)
    invoices: Mapping[tuple[str, int], str] = field(default_factory=dict)

    def customer(self, entity_id: str, customer_id: int) -> str:
        return self.customers.get((entity_id, int(customer_id)), f"Client {customer_id} ({entity_id})")

    def invoice(self, entity_id: str, invoice_id: int) -> str:
        return self.invoices.get((entity_id, int(invoice_id)), str(invoice_id))


@dataclass(frozen=True)
class QueueRow:
    """A queued message as the screens show it."""

    item: QueueItem
    customer: str
    level: str  # the level's French label
    invoices: tuple[tuple[str, Decimal], ...]  # (number, amount reminded)


@dataclass(frozen=True)
class SentRow:
    message_id: int
    queue_id: int | None  # the queue row it was sent for: what a resend repeats
    sent_at: datetime
    customer: str
    level: str
    subject: str
    to: str
    status: str  # French


@dataclass(frozen=True)
class CustomerPlan:
    entity_id: str
    customer_id: int
    name: str
    default_plan: str
    chosen: str | None  # the admin's choice: a plan id, None = no automatic reminders
    overridden: bool  # False: the default for its language and country applies

    @property
    def plan_id(self) -> str | None:
        return self.chosen if self.overridden else self.default_plan


@dataclass(frozen=True)
class HeldRow:
    """A customer whose due reminder the last pass could not write, and why (French)."""

    entity_id: str
    customer_id: int
    customer: str
    reason: str
    since: datetime


@dataclass(frozen=True)
class PrintResult:
    printed: tuple[int, ...] = ()
    refused: Mapping[int, str] = field(default_factory=dict)  # queue id → French reason


def _in_scope(scope: Scope, entity_id: str, customer_id: int) -> bool:
    return scope.customers is None or (entity_id, int(customer_id)) in scope.customers


# --- names ------------------------------------------------------------------------------------


def names(paths: StorePaths, scope: Scope, *, today: date, invoices: Iterable[tuple[str, int]] = ()) -> Names:
    """Customer names (every customer in scope) and the numbers of `invoices`."""
    wanted: dict[str, list[int]] = {}
    for entity_id, invoice_id in invoices:
        wanted.setdefault(entity_id, []).append(int(invoice_id))
    try:
        with read_session(paths, scope, today=today) as con:
            customers = {
                (str(e), int(c)): str(n)
                for e, c, n in con.execute(
                    "SELECT entity_id, customer_id, customer_name FROM scoped_customers"
                ).fetchall()
            }
            numbers = {}
            for entity_id, ids in wanted.items():
                rows = con.execute(
                    "SELECT invoice_id, invoice_number FROM scoped_invoices"
                    " WHERE entity_id = ? AND list_contains(?::BIGINT[], invoice_id)",
                    [entity_id, ids],
                ).fetchall()
                numbers.update({(entity_id, int(i)): str(n) for i, n in rows if n})
    except StoreNotPublished:
        return Names()
    return Names(customers, numbers)


def level_labels(paths: StorePaths) -> dict[tuple[str, str], str]:
    """(plan id, level code) → the level's French label."""
    with operations.session(paths) as con:
        rows = con.execute("SELECT plan_id, code, label FROM reminder_plan_levels").fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


def _rows(paths: StorePaths, scope: Scope, items: Sequence[QueueItem], *, today: date) -> list[QueueRow]:
    labels = level_labels(paths)
    found = names(paths, scope, today=today, invoices=[(i.entity_id, q.invoice_id) for i in items for q in i.invoices])
    return [
        QueueRow(
            item=i,
            customer=found.customer(i.entity_id, i.customer_id),
            level=labels.get((i.plan_id, i.code), i.code),
            invoices=tuple((found.invoice(i.entity_id, q.invoice_id), q.amount_due) for q in i.invoices),
        )
        for i in items
    ]


# --- the validation queue ---------------------------------------------------------------------


def waiting_rows(
    paths: StorePaths,
    scope: Scope,
    *,
    now: datetime,
    settings: ReminderSettings,
    last_sync: Callable[[str], datetime | None] | None = None,
) -> list[QueueRow]:
    """The messages waiting (queue.pending), with customer, level and invoice numbers."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    items = pending(paths, scope, now=now, settings=settings, last_sync=last_sync)
    return _rows(paths, scope, items, today=now.date())


# --- letters to print -------------------------------------------------------------------------


def letters_to_print(paths: StorePaths, scope: Scope, *, today: date) -> list[QueueRow]:
    """The letters waiting to be printed in the user's scope, oldest first."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    with operations.session(paths) as con:
        ids = [
            r[0]
            for r in con.execute(
                "SELECT queue_id, entity_id, customer_id FROM reminder_queue WHERE state = 'to_print' AND dry_run = 0"
                " ORDER BY created_at, queue_id"
            ).fetchall()
            if _in_scope(scope, r[1], r[2])
        ]
        items = [item for item in (read_item(con, q) for q in ids) if item is not None]
    return _rows(paths, scope, items, today=today)


def held_customers(paths: StorePaths, scope: Scope, *, today: date) -> list[HeldRow]:
    """The customers in scope whose reminder the last pass held back (a missing ECB rate, a
    removed template), oldest first: what an admin must fix for them to be reminded again."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    with operations.session(paths) as con:
        rows = [
            r
            for r in con.execute(
                "SELECT entity_id, customer_id, reason, since FROM reminder_holds ORDER BY since, entity_id, customer_id"
            ).fetchall()
            if _in_scope(scope, r[0], r[1])
        ]
    found = names(paths, scope, today=today) if rows else Names()
    return [
        HeldRow(str(e), int(c), found.customer(e, c), str(reason), datetime.fromisoformat(since))
        for e, c, reason, since in rows
    ]


def letters_pdf_bytes(paths: StorePaths, scope: Scope, queue_ids: Sequence[int], *, now: datetime) -> bytes:
    """The selected letters in one PDF, each from a new page (letters of other states refused)."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    with operations.session(paths) as con:
        for queue_id in queue_ids:
            item = read_item(con, queue_id)
            if item is None or not _in_scope(scope, item.entity_id, item.customer_id) or item.channel != "letter":
                raise NotInScope(NOT_FOUND)
    out = io.BytesIO()
    letters_pdf([letter_for_queue_row(paths, q, now=now) for q in queue_ids], out)
    return out.getvalue()


def mark_printed(paths: StorePaths, scope: Scope, versions: Mapping[int, int], *, now: datetime) -> PrintResult:
    """Each selected letter (queue id → version the screen showed) becomes `printed`, checked on its own."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    printed: list[int] = []
    refused: dict[int, str] = {}
    with operations.session(paths) as con:
        for queue_id, version in versions.items():
            with operations.transaction(con):
                item = read_item(con, queue_id)
                if item is None or not _in_scope(scope, item.entity_id, item.customer_id):
                    refused[queue_id] = NOT_FOUND
                    continue
                if item.version != version:
                    refused[queue_id] = str(_stale(item))
                    continue
                if item.state != "to_print":
                    refused[queue_id] = f"Ce courrier est {item.state_label} : plus rien à décider."
                    continue
                con.execute(
                    "UPDATE reminder_queue SET state = 'printed', decided_by = ?, decided_at = ?, updated_at = ?,"
                    " version = version + 1 WHERE queue_id = ?",
                    (scope.email, now.isoformat(), now.isoformat(), queue_id),
                )
                # a printed letter is the level given: the next level counted from it starts now
                con.execute(
                    "UPDATE reminder_invoice_levels SET state = 'sent', sent_at = ? WHERE queue_id = ? AND state = 'queued'",
                    (now.isoformat(), queue_id),
                )
                printed.append(queue_id)
    return PrintResult(tuple(printed), refused)


def _stale(item: QueueItem) -> StaleQueueItem:
    who = f", par {item.decided_by}" if item.decided_by else ""
    return StaleQueueItem(
        f"Cette relance a été modifiée entre-temps (état actuel : {item.state_label}{who}) : "
        "rechargez la file avant de décider.",
        item,
    )


# --- sent ---------------------------------------------------------------------------------------


def sent_messages(paths: StorePaths, scope: Scope, *, today: date, limit: int = SENT_LIMIT) -> list[SentRow]:
    """The last automatic messages in scope, newest first, with their delivery status in French."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    labels = level_labels(paths)
    with operations.session(paths) as con:
        rows = con.execute(
            "SELECT m.message_id, coalesce(m.sent_at, m.created_at), m.entity_id, m.customer_id, m.subject, m.state,"
            " m.delivery_status, q.plan_id, q.code,"
            " (SELECT group_concat(address, ', ') FROM message_recipients r WHERE r.message_id = m.message_id"
            "  AND r.kind = 'to'), q.queue_id"
            " FROM messages m LEFT JOIN reminder_queue q ON q.queue_id ="
            "  (SELECT min(queue_id) FROM reminder_queue WHERE message_id = m.message_id)"
            " WHERE m.kind = 'automatic' ORDER BY coalesce(m.sent_at, m.created_at) DESC, m.message_id DESC"
        ).fetchall()
    rows = [r for r in rows if _in_scope(scope, r[2], r[3])][:limit]
    found = names(paths, scope, today=today)
    return [
        SentRow(
            message_id=int(r[0]),
            queue_id=int(r[10]) if r[10] is not None else None,
            sent_at=datetime.fromisoformat(r[1]),
            customer=found.customer(r[2], r[3]),
            level=labels.get((r[7], r[8]), r[8] or ""),
            subject=r[4],
            to=r[9] or "",
            status=delivery_label(r[5], r[6]),
        )
        for r in rows
    ]


def delivery_label(state: str, delivery_status: str | None) -> str:
    """What came back if anything did, else the message's state, in French (the history's words)."""
    if delivery_status:
        return history.DELIVERY_LABELS.get(delivery_status, delivery_status)
    return history.STATE_LABELS.get(state, state)


# --- plans: the levels editor -------------------------------------------------------------------


def level_rows(plan: Plan) -> list[dict[str, Any]]:
    """The plan's ladder as the editor's rows (French labels for anchor, channel and tone)."""
    return [
        {
            "Position": lv.position,
            "Code": lv.code,
            "Libellé": lv.label,
            "Ancrage": ANCHOR_LABELS[lv.anchor],
            "Décalage (jours)": lv.offset_days,
            "Canal": CHANNEL_LABELS[lv.channel],
            "Ton": TONE_LABELS[lv.tone],
            "À valider": lv.needs_validation,
            "Copie au chargé": lv.cc_account_manager,
            "Montant minimum": str(lv.min_open_amount).replace(".", ","),
            "Pénalités": lv.penalty_block,
            "Délai de paiement (jours)": lv.payment_deadline_days,
        }
        for lv in plan.levels
    ]


def _reverse(labels: Mapping[str, str], value: Any, what: str, problems: list[str]) -> str:
    text = str(value or "").strip()
    for code, label in labels.items():
        if text in (code, label):
            return code
    problems.append(f"{what} inconnu « {text} »")
    return text


def _int(value: Any, what: str, problems: list[str], *, optional: bool = False) -> int | None:
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        if optional:
            return None
        problems.append(f"{what} manquant")
        return 0
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        problems.append(f"{what} invalide « {value} »")
        return 0
    if number != int(number):
        problems.append(f"{what} doit être un nombre entier de jours")
    return int(number)


def _shipped(code: str, tone: str) -> dict[str, LevelTemplate]:
    """The shipped templates a new level starts from (none for an unknown tone: the save says so)."""
    if code == "agreement_before" or code.startswith("agreement_missed"):
        name = "agreement_before" if code == "agreement_before" else "agreement_missed"
    elif tone == "agreement":
        name = "agreement_missed"
    elif tone in TONE_LABELS:
        name = tone
    else:
        return {}
    return plans_mod.default_template(name)


def levels_from_rows(
    rows: Sequence[Mapping[str, Any]], templates: Mapping[str, Mapping[str, LevelTemplate]]
) -> tuple[Level, ...]:
    """The editor's rows back into levels, sorted by position; `templates` by level code (a new
    code takes the shipped template of its tone). PlanInvalid (French) for what cannot be read."""
    problems: list[str] = []
    levels = []
    for index, row in enumerate(rows, start=1):
        where = f"ligne {index}"
        code = str(row.get("Code") or "").strip()
        tone = _reverse(TONE_LABELS, row.get("Ton"), f"{where} : ton", problems)
        amount_text = str(row.get("Montant minimum") if row.get("Montant minimum") is not None else "0")
        try:
            amount = plans_mod.parse_amount(amount_text or "0")
        except PlanInvalid as exc:
            problems.extend(f"{where} : {p}" for p in exc.problems)
            amount = Decimal(0)
        chosen = templates.get(code) or _shipped(code, tone)
        levels.append(
            Level(
                position=_int(row.get("Position"), f"{where} : position", problems) or 0,
                code=code,
                label=str(row.get("Libellé") or ""),
                anchor=_reverse(ANCHOR_LABELS, row.get("Ancrage"), f"{where} : ancrage", problems),
                offset_days=_int(row.get("Décalage (jours)"), f"{where} : décalage", problems) or 0,
                tone=tone,
                channel=_reverse(CHANNEL_LABELS, row.get("Canal"), f"{where} : canal", problems),
                needs_validation=bool(row.get("À valider")),
                cc_account_manager=bool(row.get("Copie au chargé")),
                min_open_amount=amount,
                penalty_block=bool(row.get("Pénalités")),
                payment_deadline_days=_int(
                    row.get("Délai de paiement (jours)"), f"{where} : délai de paiement", problems, optional=True
                ),
                templates=dict(chosen),
            )
        )
    if problems:
        raise PlanInvalid(problems)
    return tuple(sorted(levels, key=lambda lv: lv.position))


def with_template(plan: Plan, code: str, language: str, template: LevelTemplate) -> Plan:
    """The plan with one level's template in one language replaced."""
    levels = tuple(
        replace(lv, templates={**lv.templates, language: template}) if lv.code == code else lv for lv in plan.levels
    )
    return replace(plan, levels=levels)


def copy_plan(plan: Plan, plan_id: str, label: str) -> Plan:
    """A new plan (not stored yet) with the same ladder and templates."""
    plan_id = plan_id.strip()
    if not plans_mod.CODE_PATTERN.fullmatch(plan_id):
        raise PlanInvalid([f"identifiant « {plan_id} » : seulement a-z, 0-9 et _"])
    if not label.strip():
        raise PlanInvalid(["le nouveau plan demande un libellé"])
    return replace(plan, plan_id=plan_id, label=label.strip(), version=0, updated_at=None, updated_by=None)


def save_plan(paths: StorePaths, scope: Scope, plan: Plan, *, expected_version: int, now: datetime) -> Plan:
    """`plans.save_plan` for an admin: PlanInvalid or PlanChanged (French), nothing written."""
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    with operations.session(paths) as con:
        return plans_mod.save_plan(con, plan, expected_version=expected_version, by=scope.email, now=now)


# --- plans per customer -------------------------------------------------------------------------


def customer_plans(
    paths: StorePaths, scope: Scope, *, today: date, search: str = "", limit: int = 50
) -> list[CustomerPlan]:
    """Customers in scope whose name contains `search` (case-insensitive), with their plan."""
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    try:
        with read_session(paths, scope, today=today) as duck:
            rows = duck.execute(
                "SELECT entity_id, customer_id, customer_name, billing_language, country_alpha2 FROM scoped_customers"
                " WHERE strpos(lower(customer_name), lower(?)) > 0 ORDER BY customer_name, entity_id, customer_id"
                " LIMIT ?",
                [search.strip(), limit],
            ).fetchall()
    except StoreNotPublished:
        return []
    with operations.session(paths) as con:
        chosen = plans_mod.overrides(con)
    return [
        CustomerPlan(
            entity_id=str(e), customer_id=int(c), name=str(n),
            default_plan=plans_mod.default_plan_id(lang, country),
            chosen=chosen.get((str(e), int(c))), overridden=(str(e), int(c)) in chosen,
        )
        for e, c, n, lang, country in rows
    ]  # fmt: skip


def assign_plan(
    paths: StorePaths, scope: Scope, entity_id: str, customer_id: int, plan_id: str | None, *, now: datetime
) -> None:
    """Put the customer on `plan_id` (None: no automatic reminders)."""
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    if not _in_scope(scope, entity_id, customer_id):
        raise NotInScope(NOT_FOUND)
    with operations.session(paths) as con:
        plans_mod.set_customer_plan(con, entity_id, customer_id, plan_id, by=scope.email, now=now)


def default_plan_again(paths: StorePaths, scope: Scope, entity_id: str, customer_id: int) -> None:
    """Back to the default plan for the customer's language and country."""
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    with operations.session(paths) as con:
        plans_mod.reset_customer_plan(con, entity_id, customer_id)


# --- penalty rates and settings -----------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    period_start: date
    ecb_rate: Decimal
    source: str
    updated_at: datetime
    updated_by: str | None


def rates(paths: StorePaths) -> list[RateRow]:
    """The stored half-year ECB rates, newest first."""
    with operations.session(paths) as con:
        rows = con.execute(
            "SELECT period_start, ecb_rate, source, updated_at, updated_by FROM penalty_rates ORDER BY period_start DESC"
        ).fetchall()
    return [RateRow(date.fromisoformat(r[0]), Decimal(r[1]), r[2], datetime.fromisoformat(r[3]), r[4]) for r in rows]


def set_rate(paths: StorePaths, scope: Scope, period: date, rate: str, *, source: str, now: datetime) -> None:
    """An admin's rate for a half-year (ValueError, French, when it is not one)."""
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    with operations.session(paths) as con:
        penalties.set_rate(con, period, rate, source=source, by=scope.email, now=now)


@dataclass(frozen=True)
class EntityLetterhead:
    entity_id: str
    name: str
    letterhead: Letterhead


def entity_letterheads(paths: StorePaths, scope: Scope, *, today: date) -> list[EntityLetterhead]:
    """Each entity in scope with its letterhead (empty when none was entered); none before the
    first sync has published the entities."""
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    try:
        with read_session(paths, scope, today=today) as con:
            entities = con.execute("SELECT entity_id, name FROM scoped_entities ORDER BY name, entity_id").fetchall()
    except StoreNotPublished:
        return []
    with operations.session(paths) as con:
        known = letterheads_mod.load_letterheads(con)
    return [EntityLetterhead(str(e), str(n or e), known.get(str(e), Letterhead(str(e)))) for e, n in entities]


def save_letterhead(
    paths: StorePaths, scope: Scope, entity_id: str, *, address: str, place: str, contact: str, now: datetime
) -> Letterhead:
    """An admin's letterhead for an entity (LetterheadInvalid, French, when it does not fit a letter)."""
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    letterhead = letterheads_mod.validated(entity_id, address, place, contact)
    with operations.session(paths) as con:
        letterheads_mod.save_letterhead(con, letterhead, by=scope.email, now=now)
    return letterhead


def load_settings(paths: StorePaths) -> ReminderSettings:
    with operations.session(paths) as con:
        return settings_mod.load_settings(con)


def save_settings(paths: StorePaths, scope: Scope, settings: ReminderSettings, *, now: datetime) -> None:
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    with operations.session(paths) as con:
        settings_mod.save_settings(con, settings, by=scope.email, now=now)


def install_default_plans(paths: StorePaths, scope: Scope, *, now: datetime) -> bool:
    """The five shipped plans, on a store that never had them (plans.seed_default_plans)."""
    require(scope.role, Action.MANAGE_REMINDER_PLANS)
    with operations.session(paths) as con:
        return plans_mod.seed_default_plans(con, now=now)


def load_plans(paths: StorePaths) -> dict[str, Plan]:
    with operations.session(paths) as con:
        return plans_mod.load_plans(con)
