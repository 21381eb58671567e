"""The reminder queue: every message the engine decides is written here before anything leaves,
and every level it gives an invoice is recorded once (`reminder_invoice_levels`, whose primary
key refuses a second: two runs at once cannot give the same level twice).

Queueing is one transaction per message. A person's decisions on a waiting message (approve,
skip, postpone, edit) check the role, the scope and the version the screen showed; a stale
version is refused with the current state, nothing written.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.access.permissions import Action, Forbidden, require
from core.collections.errors import NotInScope
from core.formatting import moment
from core.mail.message import header_text, is_address
from core.reminders.model import DueReminder
from core.reminders.settings import ReminderSettings
from core.reminders.window import in_window, next_opening
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths

WAITING = ("needs_validation", "ready")
STATE_LABELS = {
    "needs_validation": "à valider",
    "ready": "prête",
    "sending": "envoi en cours ou interrompu",
    "sent": "envoyée",
    "failed": "échec",
    "skipped": "écartée",
    "cancelled": "annulée",
    "to_print": "courrier à imprimer",
    "printed": "courrier imprimé",
}
NOT_FOUND = "Relance introuvable, ou hors de votre périmètre."


class QueueError(Exception):
    """A decision refused; the message is French, for the screen."""


class StaleQueueItem(QueueError):
    """Someone decided on this message since the screen showed it; `current` is how it is now."""

    def __init__(self, message: str, current: QueueItem) -> None:
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class Composed:
    """A message as rendered for one DueReminder (R1's templates; a parameter here)."""

    subject: str
    body: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueReport:
    queued: tuple[int, ...] = ()  # queue ids written
    dropped_lines: int = 0  # invoices whose level was already given (another run)
    empty: int = 0  # messages not queued: every line already given
    dry_run: bool = False


@dataclass(frozen=True)
class QueuedInvoice:
    invoice_id: int
    code: str
    cycle: str
    amount_due: Decimal
    days_late: int


@dataclass(frozen=True)
class QueueItem:
    queue_id: int
    entity_id: str
    customer_id: int
    plan_id: str
    code: str
    channel: str
    language: str
    state: str
    scheduled_for: datetime
    reason: str | None
    subject: str
    body: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    total_due: Decimal
    message_id: int | None
    dry_run: bool
    created_at: datetime
    updated_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    version: int
    invoices: tuple[QueuedInvoice, ...] = ()
    waiting_reason: str = ""  # French, filled by pending(): why it has not left yet

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class BulkResult:
    approved: tuple[int, ...] = ()
    refused: Mapping[int, str] = field(default_factory=dict)  # queue id → French reason


# --- queueing -------------------------------------------------------------------------------------


def queue_due(
    con: sqlite3.Connection,
    due: Sequence[DueReminder],
    *,
    compose: Callable[[DueReminder], Composed],
    settings: ReminderSettings,
    now: datetime,
    dry_run: bool = False,
) -> QueueReport:
    """Record each due reminder, one transaction per message (see the module docstring).

    A line whose level is already given (by a concurrent or earlier run) is left out of its
    message, which is then rendered for the lines left; a message with none is not queued.
    A dry run writes its rows marked dry_run=1 and records no level."""
    dry_run = dry_run or settings.dry_run
    queued: list[int] = []
    dropped = empty = 0
    for reminder in due:
        with operations.transaction(con):
            kept = tuple(line for line in reminder.lines if _level_free(con, reminder.plan_id, line))
            dropped += len(reminder.lines) - len(kept)
            if not kept:
                empty += 1
                continue
            if len(kept) != len(reminder.lines):
                reminder = replace(reminder, lines=kept, total_due=sum((x.amount_due for x in kept), Decimal(0)))
            queued.append(_insert(con, reminder, compose(reminder), settings=settings, now=now, dry_run=dry_run))
    return QueueReport(tuple(queued), dropped, empty, dry_run)


def _level_free(con: sqlite3.Connection, plan_id: str, line: Any) -> bool:
    row = con.execute(
        "SELECT state FROM reminder_invoice_levels WHERE entity_id = ? AND invoice_id = ? AND plan_id = ?"
        " AND code = ? AND cycle = ?",
        (line.entity_id, line.invoice_id, plan_id, line.code, line.cycle),
    ).fetchone()
    return row is None or row[0] == "released"


def _insert(
    con: sqlite3.Connection,
    reminder: DueReminder,
    composed: Composed,
    *,
    settings: ReminderSettings,
    now: datetime,
    dry_run: bool,
) -> int:
    if reminder.channel == "letter":
        state = "to_print"
    else:
        state = "needs_validation" if reminder.needs_validation else "ready"
    scheduled = next_opening(max(now, reminder.due_since), settings)
    cur = con.execute(
        "INSERT INTO reminder_queue (entity_id, customer_id, plan_id, code, channel, language, state, scheduled_for,"
        " subject, body, to_addresses, cc_addresses, total_due, dry_run, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            reminder.entity_id, reminder.customer_id, reminder.plan_id, reminder.code, reminder.channel,
            reminder.language, state, scheduled.isoformat(), composed.subject, composed.body,
            json.dumps(list(composed.to)), json.dumps(list(composed.cc)), str(reminder.total_due),
            int(dry_run), now.isoformat(), now.isoformat(),
        ),
    )  # fmt: skip
    queue_id = int(cur.lastrowid or 0)
    con.executemany(
        "INSERT INTO reminder_queue_invoices (queue_id, entity_id, invoice_id, code, cycle, amount_due, days_late)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (queue_id, x.entity_id, x.invoice_id, x.code, x.cycle, str(x.amount_due), x.days_late)
            for x in reminder.lines
        ],
    )
    if not dry_run:
        con.executemany(
            "INSERT INTO reminder_invoice_levels (entity_id, invoice_id, plan_id, code, cycle, queue_id, state, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)"
            " ON CONFLICT (entity_id, invoice_id, plan_id, code, cycle) DO UPDATE SET queue_id = excluded.queue_id,"
            " state = 'queued', decided_at = excluded.decided_at, sent_at = NULL WHERE state = 'released'",
            [(x.entity_id, x.invoice_id, reminder.plan_id, x.code, x.cycle, queue_id, now.isoformat()) for x in reminder.lines],
        )  # fmt: skip
    return queue_id


# --- reading --------------------------------------------------------------------------------------

_COLUMNS = (
    "queue_id, entity_id, customer_id, plan_id, code, channel, language, state, scheduled_for, reason, subject,"
    " body, to_addresses, cc_addresses, total_due, message_id, dry_run, created_at, updated_at, decided_by,"
    " decided_at, version"
)
_ONE = "SELECT " + _COLUMNS + " FROM reminder_queue WHERE queue_id = ?"  # noqa: S608 - constants
_PENDING = (
    "SELECT " + _COLUMNS + " FROM reminder_queue WHERE state IN ('needs_validation', 'ready') AND dry_run = ?"  # noqa: S608
    " ORDER BY scheduled_for, queue_id"
)


def _item(con: sqlite3.Connection, row: Sequence[Any]) -> QueueItem:
    invoices = tuple(
        QueuedInvoice(int(r[0]), r[1], r[2], Decimal(r[3]), int(r[4]))
        for r in con.execute(
            "SELECT invoice_id, code, cycle, amount_due, days_late FROM reminder_queue_invoices WHERE queue_id = ?"
            " ORDER BY invoice_id",
            (row[0],),
        ).fetchall()
    )
    return QueueItem(
        queue_id=int(row[0]), entity_id=row[1], customer_id=int(row[2]), plan_id=row[3], code=row[4],
        channel=row[5], language=row[6], state=row[7], scheduled_for=datetime.fromisoformat(row[8]),
        reason=row[9], subject=row[10], body=row[11], to=tuple(json.loads(row[12])), cc=tuple(json.loads(row[13])),
        total_due=Decimal(row[14]), message_id=row[15], dry_run=bool(row[16]),
        created_at=datetime.fromisoformat(row[17]), updated_at=datetime.fromisoformat(row[18]), decided_by=row[19],
        decided_at=datetime.fromisoformat(row[20]) if row[20] else None, version=int(row[21]), invoices=invoices,
    )  # fmt: skip


def read_item(con: sqlite3.Connection, queue_id: int) -> QueueItem | None:
    row = con.execute(_ONE, (int(queue_id),)).fetchone()
    return _item(con, row) if row else None


def _in_scope(scope: Scope, entity_id: str, customer_id: int) -> bool:
    return scope.customers is None or (entity_id, int(customer_id)) in scope.customers


def pending(
    paths: StorePaths,
    scope: Scope,
    *,
    now: datetime,
    settings: ReminderSettings,
    last_sync: Callable[[str], datetime | None] | None = None,
    dry_run: bool = False,
) -> list[QueueItem]:
    """Messages waiting for a person or for their window, in the user's scope, each with the
    French reason it waits (`waiting_reason`)."""
    with operations.session(paths) as con:
        rows = con.execute(_PENDING, (int(dry_run),)).fetchall()
        items = [_item(con, r) for r in rows if _in_scope(scope, r[1], r[2])]
    ages: dict[str, datetime | None] = {}
    out = []
    for item in items:
        if last_sync is not None and item.entity_id not in ages:
            ages[item.entity_id] = last_sync(item.entity_id)
        out.append(replace(item, waiting_reason=waiting_reason(item, now=now, settings=settings, synced=ages.get(item.entity_id), checked=last_sync is not None)))  # fmt: skip
    return out


def waiting_reason(
    item: QueueItem, *, now: datetime, settings: ReminderSettings, synced: datetime | None, checked: bool
) -> str:
    """Why a waiting message has not left yet, in French."""
    if item.state == "needs_validation":
        return "À valider : ce niveau de relance attend l'accord d'un chargé de recouvrement."
    if item.scheduled_for > now:
        return f"Partira à l'ouverture de la fenêtre d'envoi, le {moment(item.scheduled_for)}."
    if not in_window(now, settings):
        return f"Hors fenêtre d'envoi : partira le {moment(next_opening(now, settings))}."
    if checked and (synced is None or now - synced > settings.max_sync_age):
        return stale_reason(item.entity_id, now=now, synced=synced)
    return item.reason or "Partira au prochain envoi."


def stale_reason(entity_id: str, *, now: datetime, synced: datetime | None) -> str:
    if synced is None:
        return f"Aucune synchronisation Pennylane réussie de {entity_id} : envoi suspendu."
    return f"Dernière synchronisation Pennylane de {entity_id} il y a {_age(now - synced)} : envoi suspendu."


def _age(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d}" if rest else f"{hours} h"
    return f"{hours // 24} jours"


# --- a person's decisions -------------------------------------------------------------------------


def _decide(
    paths: StorePaths,
    scope: Scope,
    queue_id: int,
    *,
    version: int,
    now: datetime,
    allowed: tuple[str, ...],
    change: Callable[[sqlite3.Connection, QueueItem], Mapping[str, Any]],
) -> QueueItem:
    """Check role, scope, version and state, then apply `change` (column → value) in one transaction."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    with operations.session(paths) as con, operations.transaction(con):
        current = read_item(con, queue_id)
        if current is None or not _in_scope(scope, current.entity_id, current.customer_id):
            raise NotInScope(NOT_FOUND)
        if current.version != version:
            raise StaleQueueItem(
                f"Cette relance a été modifiée entre-temps (état actuel : {current.state_label}"
                + (f", par {current.decided_by}" if current.decided_by else "")
                + ") : rechargez la file avant de décider.",
                current,
            )
        if current.state not in allowed or current.dry_run:
            raise QueueError(f"Cette relance est {current.state_label} : plus rien à décider.")
        values = dict(change(con, current))
        values.update(updated_at=now.isoformat(), decided_by=scope.email, decided_at=now.isoformat())
        names = sorted(values)  # whitelisted: the keys come from this module's callers only
        assignments = ", ".join(f"{n} = ?" for n in names)
        con.execute(
            "UPDATE reminder_queue SET " + assignments + ", version = version + 1 WHERE queue_id = ?",  # noqa: S608
            [values[n] for n in names] + [queue_id],
        )
        updated = read_item(con, queue_id)
    assert updated is not None
    return updated


def approve(paths: StorePaths, scope: Scope, queue_id: int, *, version: int, now: datetime) -> QueueItem:
    """A message waiting for validation may leave at its window."""
    return _decide(
        paths, scope, queue_id, version=version, now=now, allowed=("needs_validation",),
        change=lambda con, item: {"state": "ready", "reason": None},
    )  # fmt: skip


def skip(paths: StorePaths, scope: Scope, queue_id: int, *, version: int, now: datetime) -> QueueItem:
    """A person says no: the message never leaves, and its levels stay given (not re-proposed)."""

    def change(con: sqlite3.Connection, item: QueueItem) -> Mapping[str, Any]:
        con.execute(
            "UPDATE reminder_invoice_levels SET state = 'skipped', decided_at = ? WHERE queue_id = ? AND state = 'queued'",
            (now.isoformat(), queue_id),
        )
        return {"state": "skipped", "reason": f"Écartée par {scope.full_name or scope.email}."}

    return _decide(paths, scope, queue_id, version=version, now=now, allowed=WAITING, change=change)


def postpone(
    paths: StorePaths,
    scope: Scope,
    queue_id: int,
    until: datetime,
    *,
    version: int,
    now: datetime,
    settings: ReminderSettings,
) -> QueueItem:
    """Not before `until` (then the next window opening)."""
    if until.tzinfo is None or until <= now:
        raise QueueError("Choisissez une date de report future.")
    when = next_opening(until, settings)
    return _decide(
        paths, scope, queue_id, version=version, now=now, allowed=WAITING,
        change=lambda con, item: {"scheduled_for": when.isoformat(), "reason": f"Reportée au {moment(when)}."},
    )  # fmt: skip


def edit(
    paths: StorePaths,
    scope: Scope,
    queue_id: int,
    *,
    subject: str,
    body: str,
    to: Sequence[str],
    cc: Sequence[str] = (),
    version: int,
    now: datetime,
) -> QueueItem:
    """Change the text or the recipients of a waiting message (checked first)."""
    to = tuple(dict.fromkeys(a.strip() for a in to if a.strip()))
    cc = tuple(dict.fromkeys(a.strip() for a in cc if a.strip() and a.strip() not in to))
    if not to:
        raise QueueError("Indiquez au moins un destinataire.")
    wrong = [a for a in (*to, *cc) if not is_address(a)]
    if wrong:
        raise QueueError(f"Adresse e-mail invalide : {', '.join(header_text(a)[:80] for a in wrong)}.")
    if not header_text(subject):
        raise QueueError("L'objet du message est vide.")
    if not body.strip():
        raise QueueError("Le message est vide.")
    values = {"subject": header_text(subject), "body": body, "to_addresses": json.dumps(list(to)),
              "cc_addresses": json.dumps(list(cc))}  # fmt: skip
    return _decide(paths, scope, queue_id, version=version, now=now, allowed=WAITING, change=lambda con, item: values)


def bulk_approve(paths: StorePaths, scope: Scope, versions: Mapping[int, int], *, now: datetime) -> BulkResult:
    """Approve each selected message (queue id → the version the screen showed), each checked on
    its own: what was approved, and what was refused with why."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    approved: list[int] = []
    refused: dict[int, str] = {}
    for queue_id, version in versions.items():
        try:
            approve(paths, scope, queue_id, version=version, now=now)
        except (QueueError, NotInScope, Forbidden) as exc:
            refused[queue_id] = str(exc)
        else:
            approved.append(queue_id)
    return BulkResult(tuple(approved), refused)


RESENDABLE = ("sent", "failed")


def resend(
    paths: StorePaths,
    scope: Scope,
    queue_ids: Sequence[int],
    *,
    now: datetime,
    settings: ReminderSettings,
    to: Sequence[str] | None = None,
) -> BulkResult:
    """Send selected e-mail reminders again (a corrected address, a customer who never got it):
    for each, a new message with the same text and invoices, ready at the next window, saying
    which one it repeats. The invoices' levels stay those of the first message: a resend is a
    person's decision, not a new step of the ladder; it is still re-checked (paid, disputed…)
    and sent to valid addresses only. `to` replaces the recipients of every selected message."""
    require(scope.role, Action.VALIDATE_REMINDERS)
    recipients = tuple(dict.fromkeys(a.strip() for a in to if a.strip())) if to is not None else None
    if recipients is not None:
        wrong = [a for a in recipients if not is_address(a)]
        if wrong or not recipients:
            raise QueueError(f"Adresse e-mail invalide : {', '.join(header_text(a)[:80] for a in wrong)}." if wrong
                             else "Indiquez au moins un destinataire.")  # fmt: skip
    done: list[int] = []
    refused: dict[int, str] = {}
    when = next_opening(now, settings)
    who = scope.full_name or scope.email
    with operations.session(paths) as con:
        for queue_id in queue_ids:
            with operations.transaction(con):
                item = read_item(con, queue_id)
                if item is None or not _in_scope(scope, item.entity_id, item.customer_id):
                    refused[queue_id] = NOT_FOUND
                    continue
                if item.channel != "email" or item.state not in RESENDABLE or item.dry_run:
                    refused[queue_id] = f"Cette relance est {item.state_label} : elle ne se renvoie pas."
                    continue
                cur = con.execute(
                    "INSERT INTO reminder_queue (entity_id, customer_id, plan_id, code, channel, language, state,"
                    " scheduled_for, reason, subject, body, to_addresses, cc_addresses, total_due, created_at,"
                    " updated_at, decided_by, decided_at)"
                    " SELECT entity_id, customer_id, plan_id, code, channel, language, 'ready', ?, ?, subject, body,"
                    " ?, cc_addresses, total_due, ?, ?, ?, ? FROM reminder_queue WHERE queue_id = ?",
                    (
                        when.isoformat(), f"Renvoi de la relance n° {queue_id} demandé par {who}.",
                        json.dumps(list(recipients if recipients is not None else item.to)),
                        now.isoformat(), now.isoformat(), scope.email, now.isoformat(), queue_id,
                    ),
                )  # fmt: skip
                copy = int(cur.lastrowid or 0)
                con.execute(
                    "INSERT INTO reminder_queue_invoices (queue_id, entity_id, invoice_id, code, cycle, amount_due,"
                    " days_late) SELECT ?, entity_id, invoice_id, code, cycle, amount_due, days_late"
                    " FROM reminder_queue_invoices WHERE queue_id = ?",
                    (copy, queue_id),
                )
                done.append(copy)
    return BulkResult(tuple(done), refused)
