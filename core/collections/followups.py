"""The collectors' writes on an invoice: a status change (with its fields), a note, a call
(with an optional promise), a promise.

Each write is one operational transaction holding the change and, for a status change, its
audit row (`invoice_status_changes`); each carries the version of the follow-up it was based on
and is refused with `StaleWrite` (the current state attached, nothing written) when someone
else wrote since. Scope: the invoice is looked up in the user's scoped views first, and its
customer checked against the scope, so a write by URL or id outside the portfolio is refused
like an unknown invoice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from core.access.permissions import Action, require
from core.collections import workflow
from core.collections.errors import NotInScope, RefusedTransition, StaleWrite
from core.collections.workflow import FollowUp, StatusChange
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

CALL_OUTCOMES = {
    "promised": "Promesse de paiement",
    "disputed": "Contestation",
    "no_answer": "Pas de réponse",
    "wrong_number": "Mauvais numéro",
    "other": "Autre",
}
PROMISE_SOURCES = {"call": "Appel", "email": "E-mail", "other": "Autre"}
NOT_FOUND = "Facture introuvable, ou hors de votre périmètre."
CUSTOMER_NOT_FOUND = "Client introuvable, ou hors de votre périmètre."


@dataclass(frozen=True)
class InvoiceRef:
    """What a write needs to know of the invoice, from the scoped views."""

    entity_id: str
    invoice_id: int
    customer_id: int
    paid: bool
    open_amount: Decimal


@dataclass(frozen=True)
class PromiseInput:
    amount: Decimal | str
    promised_for: date
    source: str = "call"


_REF_SQL = """
SELECT entity_id, invoice_id, customer_id, status = 'paid', open_amount_eur
FROM scoped_invoices WHERE entity_id = ? AND invoice_id = ?
"""
_CUSTOMER_SQL = "SELECT count(*) FROM scoped_customers WHERE entity_id = ? AND customer_id = ?"


def invoice_ref(paths: StorePaths, scope: Scope, entity_id: str, invoice_id: int, *, today: date) -> InvoiceRef:
    """The invoice as the user may see it; NotInScope when it does not exist for them."""
    with read_session(paths, scope, today=today) as con:
        row = next(iter(con.execute(_REF_SQL, [entity_id, invoice_id]).fetchall()), None)
    if row is None or not in_scope(scope, row[0], int(row[2])):
        raise NotInScope(NOT_FOUND)
    return InvoiceRef(row[0], int(row[1]), int(row[2]), bool(row[3]), Decimal(row[4] or 0))


def check_customer(paths: StorePaths, scope: Scope, entity_id: str, customer_id: int, *, today: date) -> None:
    """NotInScope unless the customer exists in the user's scope."""
    if not in_scope(scope, entity_id, customer_id):
        raise NotInScope(CUSTOMER_NOT_FOUND)
    with read_session(paths, scope, today=today) as con:
        row = next(iter(con.execute(_CUSTOMER_SQL, [entity_id, customer_id]).fetchall()), None)
    if not row or not row[0]:
        raise NotInScope(CUSTOMER_NOT_FOUND)


def in_scope(scope: Scope, entity_id: str, customer_id: int) -> bool:
    """The write-side check of the scope (reads are restricted by the read session)."""
    return scope.customers is None or (entity_id, customer_id) in scope.customers


_FOLLOWUP_SQL = """
SELECT internal_status, agreement_date, dispute_reason, dispute_expected_end, on_hold_until, legal_date,
       version, updated_at, updated_by
FROM invoice_followups WHERE entity_id = ? AND invoice_id = ?
"""


def read_followup(ops: sqlite3.Connection, entity_id: str, invoice_id: int) -> FollowUp:
    row = ops.execute(_FOLLOWUP_SQL, (entity_id, invoice_id)).fetchone()
    if row is None:
        return FollowUp()
    return FollowUp(
        status=row[0],
        agreement_date=_day(row[1]),
        dispute_reason=row[2],
        dispute_expected_end=_day(row[3]),
        on_hold_until=_day(row[4]),
        legal_date=_day(row[5]),
        version=int(row[6]),
        updated_at=datetime.fromisoformat(row[7]) if row[7] else None,
        updated_by=row[8],
    )


def dispute_reasons(ops: sqlite3.Connection, *, active_only: bool = True) -> dict[str, str]:
    """reason_id → French label, in the list's order."""
    rows = ops.execute("SELECT reason_id, label, active FROM dispute_reasons ORDER BY position, reason_id").fetchall()
    return {r[0]: r[1] for r in rows if r[2] or not active_only}


def change_status(
    paths: StorePaths,
    scope: Scope,
    entity_id: str,
    invoice_id: int,
    change: StatusChange,
    *,
    version: int,
    now: datetime,
    today: date,
) -> FollowUp:
    """Move the invoice to `change.to` (Forbidden, RefusedTransition, StaleWrite, NotInScope)."""
    require(scope.role, workflow.ACTION_FOR.get(change.to, Action.SET_INTERNAL_STATUS))
    ref = invoice_ref(paths, scope, entity_id, invoice_id, today=today)
    with operations.session(paths) as ops, operations.transaction(ops):
        current = _current(ops, ref, version)
        fields = workflow.check(
            scope.role, current.status, change, today=today, reasons=frozenset(dispute_reasons(ops))
        )
        new_version = _write_followup(ops, ref, change.to, fields, current, scope.email, now)
        ops.execute(
            "INSERT INTO invoice_status_changes (entity_id, invoice_id, customer_id, changed_at, changed_by, "
            "from_status, to_status, comment, fields_json, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ref.entity_id, ref.invoice_id, ref.customer_id, now.isoformat(), scope.email, current.status,
                change.to, change.comment.strip(), _json({k: v for k, v in fields.items() if v is not None}),
                new_version,
            ),
        )  # fmt: skip
        return read_followup(ops, ref.entity_id, ref.invoice_id)


def add_note(
    paths: StorePaths,
    scope: Scope,
    entity_id: str,
    customer_id: int,
    body: str,
    *,
    now: datetime,
    today: date,
    invoice_id: int | None = None,
    version: int | None = None,
) -> int:
    """A note on a customer, or on one of its invoices (then `version` is required). Its id."""
    require(scope.role, Action.ADD_NOTE)
    if not body.strip():
        raise RefusedTransition("La note est vide.")
    ref = _target(paths, scope, entity_id, customer_id, invoice_id, today=today)
    with operations.session(paths) as ops, operations.transaction(ops):
        if ref is not None:
            _touch(ops, ref, version, scope.email, now)
        cur = ops.execute(
            "INSERT INTO collection_notes (entity_id, customer_id, invoice_id, written_at, written_by, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (entity_id, customer_id, invoice_id, now.isoformat(), scope.email, body.strip()),
        )
        return int(cur.lastrowid or 0)


def log_call(
    paths: StorePaths,
    scope: Scope,
    entity_id: str,
    customer_id: int,
    *,
    contact: str,
    outcome: str,
    note: str = "",
    now: datetime,
    today: date,
    invoice_id: int | None = None,
    version: int | None = None,
    promise: PromiseInput | None = None,
) -> int:
    """A call (and the promise it brought, on the invoice), in one transaction. The call's id."""
    require(scope.role, Action.LOG_CALL)
    if promise is not None:
        require(scope.role, Action.RECORD_PROMISE)
        if invoice_id is None:
            raise RefusedTransition("Une promesse de paiement porte sur une facture : ouvrez la facture.")
    if outcome not in CALL_OUTCOMES:
        raise RefusedTransition("Choisissez l'issue de l'appel dans la liste.")
    if not contact.strip():
        raise RefusedTransition("Indiquez la personne appelée.")
    ref = _target(paths, scope, entity_id, customer_id, invoice_id, today=today)
    with operations.session(paths) as ops, operations.transaction(ops):
        if ref is not None:
            _touch(ops, ref, version, scope.email, now)
        cur = ops.execute(
            "INSERT INTO collection_calls (entity_id, customer_id, invoice_id, called_at, called_by, contact, outcome, "
            "note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (entity_id, customer_id, invoice_id, now.isoformat(), scope.email, contact.strip(), outcome, note.strip()),
        )
        call_id = int(cur.lastrowid or 0)
        if promise is not None and ref is not None:
            _insert_promise(ops, ref, promise, scope.email, now, today, call_id=call_id)
        return call_id


def record_promise(
    paths: StorePaths,
    scope: Scope,
    entity_id: str,
    invoice_id: int,
    promise: PromiseInput,
    *,
    version: int,
    now: datetime,
    today: date,
) -> int:
    """A payment promise on the invoice (from a call, an e-mail…). Its id."""
    require(scope.role, Action.RECORD_PROMISE)
    ref = invoice_ref(paths, scope, entity_id, invoice_id, today=today)
    with operations.session(paths) as ops, operations.transaction(ops):
        _touch(ops, ref, version, scope.email, now)
        return _insert_promise(ops, ref, promise, scope.email, now, today, call_id=None)


def _target(
    paths: StorePaths, scope: Scope, entity_id: str, customer_id: int, invoice_id: int | None, *, today: date
) -> InvoiceRef | None:
    if invoice_id is None:
        check_customer(paths, scope, entity_id, customer_id, today=today)
        return None
    ref = invoice_ref(paths, scope, entity_id, invoice_id, today=today)
    if ref.customer_id != customer_id:
        raise NotInScope(NOT_FOUND)
    return ref


def _current(ops: sqlite3.Connection, ref: InvoiceRef, version: int | None) -> FollowUp:
    """The follow-up now, `collected` when Pennylane has the invoice paid; StaleWrite if it moved."""
    current = read_followup(ops, ref.entity_id, ref.invoice_id)
    if ref.paid:
        current = replace(current, status=workflow.COLLECTED)
    if version is None or version != current.version:
        who = f" par {current.updated_by}" if current.updated_by else ""
        raise StaleWrite(
            f"La facture a changé depuis que vous l'avez ouverte (modifiée{who}) : rien n'a été enregistré. "
            f"Voici son état actuel ({current.label}) ; refaites votre saisie si elle est toujours utile.",
            current,
        )
    return current


def _touch(ops: sqlite3.Connection, ref: InvoiceRef, version: int | None, email: str, now: datetime) -> int:
    """Check the version and move it on without changing the status (a note, a call, a promise)."""
    current = _current(ops, ref, version)
    stored = read_followup(ops, ref.entity_id, ref.invoice_id)
    fields = {k: getattr(stored, k) for k in workflow.ALL_FIELDS}
    return _write_followup(ops, ref, stored.status, fields, current, email, now)


def _write_followup(
    ops: sqlite3.Connection,
    ref: InvoiceRef,
    status: str,
    fields: dict[str, Any],
    current: FollowUp,
    email: str,
    now: datetime,
) -> int:
    new_version = current.version + 1
    values = [fields.get(k) for k in workflow.ALL_FIELDS]
    ops.execute(
        """
        INSERT INTO invoice_followups (entity_id, invoice_id, customer_id, internal_status, agreement_date,
                                       dispute_reason, dispute_expected_end, on_hold_until, legal_date,
                                       version, updated_at, updated_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (entity_id, invoice_id) DO UPDATE SET
            customer_id = excluded.customer_id, internal_status = excluded.internal_status,
            agreement_date = excluded.agreement_date, dispute_reason = excluded.dispute_reason,
            dispute_expected_end = excluded.dispute_expected_end, on_hold_until = excluded.on_hold_until,
            legal_date = excluded.legal_date, version = excluded.version,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by
        """,
        (
            ref.entity_id, ref.invoice_id, ref.customer_id, status,
            *(v.isoformat() if isinstance(v, date) else v for v in values),
            new_version, now.isoformat(), email,
        ),
    )  # fmt: skip
    return new_version


def _insert_promise(
    ops: sqlite3.Connection,
    ref: InvoiceRef,
    promise: PromiseInput,
    email: str,
    now: datetime,
    today: date,
    *,
    call_id: int | None,
) -> int:
    amount = _amount(promise.amount)
    if promise.source not in PROMISE_SOURCES:
        raise RefusedTransition("Choisissez l'origine de la promesse (appel, e-mail, autre).")
    if promise.promised_for < today:
        raise RefusedTransition("La date promise ne peut pas être passée.")
    cur = ops.execute(
        "INSERT INTO payment_promises (entity_id, customer_id, invoice_id, amount_eur, promised_for, source, call_id, "
        "created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ref.entity_id, ref.customer_id, ref.invoice_id, str(amount), promise.promised_for.isoformat(),
            promise.source, call_id, now.isoformat(), email,
        ),
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def _amount(value: Decimal | str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", ".").rstrip("€").strip())
    except InvalidOperation:
        raise RefusedTransition(f"Montant promis illisible : « {value} ».") from None
    if not amount.is_finite() or amount <= 0:
        raise RefusedTransition("Le montant promis doit être positif.")
    return amount.quantize(Decimal("0.01"))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _json(fields: dict[str, Any]) -> str:
    return json.dumps({k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()}, ensure_ascii=False)


def dispute_reason_labels(paths: StorePaths) -> dict[str, str]:
    """The active dispute reasons (id → French label), for the dispute form."""
    with operations.session(paths) as ops:
        return dispute_reasons(ops)


def mark_reminded(
    paths: StorePaths, scope: Scope, entity_id: str, invoice_ids: Iterable[int], *, now: datetime, today: date
) -> tuple[int, ...]:
    """After a reminder left: each invoice still "issued" moves to "reminded", in its own
    transaction on the version it has then (the send is what the user acted on, not a page they
    may have left open). Invoices in another status keep it. Returns the invoices moved."""
    if workflow.REMINDED not in workflow.allowed_targets(scope.role, workflow.ISSUED):
        return ()
    moved = []
    for invoice_id in invoice_ids:
        ref = invoice_ref(paths, scope, entity_id, invoice_id, today=today)
        with operations.session(paths) as ops:
            current = read_followup(ops, ref.entity_id, ref.invoice_id)
        if ref.paid or current.status != workflow.ISSUED:
            continue
        change = StatusChange(workflow.REMINDED, comment="Relance envoyée par e-mail")
        try:
            change_status(paths, scope, entity_id, invoice_id, change, version=current.version, now=now, today=today)
        except StaleWrite:
            continue  # someone moved it meanwhile: their status stands
        moved.append(invoice_id)
    return tuple(moved)
