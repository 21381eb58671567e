"""Who follows which customer: customer ↔ account-manager assignments and the customer's agency.

A customer may have several account managers; exactly one of them is primary whenever it has
any (the first added becomes primary; when the primary leaves, the next one by e-mail takes
over). A sales rep's scope is their assignments, read again at every page run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from core.access.permissions import Action, Role, require, role_label
from core.organisation.agencies import agency_name
from core.organisation.changes import InvalidChange, record
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

MANAGER_ROLES = frozenset({Role.SALES_REP, Role.AGENCY_MANAGER})
"""Who may be a customer's account manager."""


@dataclass(frozen=True)
class Customer:
    entity_id: str
    entity_name: str
    customer_id: int
    name: str
    reference: str | None
    agency_name: str | None


@dataclass(frozen=True)
class Manager:
    email: str
    full_name: str
    is_primary: bool
    active: bool


_FIND = """
SELECT entity_id, coalesce(entity_name, entity_id), customer_id, customer_name, reference, agency_name
FROM scoped_customers
WHERE $text = ''
   OR customer_name ILIKE '%' || $text || '%'
   OR coalesce(reference, '') ILIKE '%' || $text || '%'
   OR CAST(customer_id AS VARCHAR) = $text
ORDER BY customer_name, entity_id, customer_id
LIMIT $limit
"""


def find_customers(paths: StorePaths, scope: Scope, text: str, *, today: date, limit: int = 50) -> list[Customer]:
    """Customers whose name or reference contains `text`, or whose Pennylane id is `text`."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    with read_session(paths, scope, today=today) as con:
        rows = con.execute(_FIND, {"text": text.strip(), "limit": limit}).fetchall()
    return [Customer(str(r[0]), str(r[1]), int(r[2]), str(r[3]), r[4], r[5]) for r in rows]


def managers_of(paths: StorePaths, scope: Scope, entity_id: str, customer_id: int) -> list[Manager]:
    """The customer's account managers, primary first."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    with operations.session(paths) as ops:
        rows = ops.execute(
            "SELECT m.email, coalesce(u.full_name, m.email), m.is_primary, coalesce(u.active, 0)"
            " FROM customer_managers AS m LEFT JOIN users AS u ON u.email = m.email"
            " WHERE m.entity_id = ? AND m.customer_id = ? ORDER BY m.is_primary DESC, m.email",
            (entity_id, customer_id),
        ).fetchall()
    return [Manager(str(r[0]), str(r[1]), bool(r[2]), bool(r[3])) for r in rows]


def account_managers(paths: StorePaths, scope: Scope) -> list[tuple[str, str]]:
    """(e-mail, name) of the active users who may follow customers."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    with operations.session(paths) as ops:
        rows = ops.execute("SELECT email, full_name, role FROM users WHERE active = 1 ORDER BY full_name").fetchall()
    return [(str(e), str(n)) for e, n, r in rows if r in MANAGER_ROLES]


def add_assignment(
    paths: StorePaths, scope: Scope, entity_id: str, customer_id: int, email: str, *, now: datetime
) -> None:
    require(scope.role, Action.MANAGE_ORGANISATION)
    with operations.session(paths) as ops, operations.transaction(ops):
        account, name = manager(ops, email)
        if not insert(ops, scope, now, entity_id, customer_id, account, name):
            raise InvalidChange(f"{name} suit déjà ce client.")
        ensure_primary(ops, scope, now, entity_id, customer_id)


def remove_assignment(
    paths: StorePaths, scope: Scope, entity_id: str, customer_id: int, email: str, *, now: datetime
) -> None:
    require(scope.role, Action.MANAGE_ORGANISATION)
    with operations.session(paths) as ops, operations.transaction(ops):
        if not delete(ops, scope, now, entity_id, customer_id, email):
            raise InvalidChange(f"{email} ne suit pas ce client.")
        ensure_primary(ops, scope, now, entity_id, customer_id)


def set_primary(
    paths: StorePaths, scope: Scope, entity_id: str, customer_id: int, email: str, *, now: datetime
) -> None:
    require(scope.role, Action.MANAGE_ORGANISATION)
    with operations.session(paths) as ops, operations.transaction(ops):
        row = ops.execute(
            "SELECT is_primary FROM customer_managers WHERE entity_id = ? AND customer_id = ? AND email = ?",
            (entity_id, customer_id, email),
        ).fetchone()
        if row is None:
            raise InvalidChange(f"{email} ne suit pas ce client : ajoutez-le d'abord.")
        if row[0]:
            return
        _make_primary(ops, scope, now, entity_id, customer_id, email)


def set_customer_agency(
    paths: StorePaths, scope: Scope, entity_id: str, customer_id: int, agency_id: str, *, now: datetime
) -> None:
    """Attach a customer to an agency (its agency manager then sees it)."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    with operations.session(paths) as ops, operations.transaction(ops):
        name = agency_name(ops, agency_id)
        before = ops.execute(
            "SELECT agency_id FROM customer_accounts WHERE entity_id = ? AND customer_id = ?", (entity_id, customer_id)
        ).fetchone()
        if before is not None and before[0] == agency_id:
            return
        ops.execute(
            "INSERT INTO customer_accounts (entity_id, customer_id, agency_id) VALUES (?, ?, ?)"
            " ON CONFLICT (entity_id, customer_id) DO UPDATE SET agency_id = excluded.agency_id",
            (entity_id, customer_id, agency_id),
        )
        was = agency_name(ops, before[0]) if before is not None else "aucune"
        record(ops, scope, now, "customer_agency_set", subject(entity_id, customer_id), f"Agence {was} → {name}.")


# The steps below run inside a caller's transaction; the import uses them too.


def manager(ops: sqlite3.Connection, email: str) -> tuple[str, str]:
    """(stored e-mail, name) of an active user who may follow customers; InvalidChange otherwise."""
    row = ops.execute(
        "SELECT email, full_name, role, active FROM users WHERE lower(email) = lower(?)", (email.strip(),)
    ).fetchone()
    if row is None:
        raise InvalidChange(f"e-mail inconnu : aucun utilisateur « {email.strip()} »")
    if not row[3]:
        raise InvalidChange(f"{row[1]} ({row[0]}) est désactivé")
    if row[2] not in MANAGER_ROLES:
        raise InvalidChange(f"{row[1]} ({row[0]}) n'est pas chargé de clientèle (rôle {role_label(row[2])})")
    return str(row[0]), str(row[1])


def insert(
    ops: sqlite3.Connection, scope: Scope, now: datetime, entity_id: str, customer_id: int, email: str, name: str
) -> bool:
    """Add one assignment (not primary) and its history row; False when it already existed."""
    cur = ops.execute(
        "INSERT INTO customer_managers (entity_id, customer_id, email, is_primary) VALUES (?, ?, ?, 0)"
        " ON CONFLICT (entity_id, customer_id, email) DO NOTHING",
        (entity_id, customer_id, email),
    )
    if not cur.rowcount:
        return False
    record(ops, scope, now, "assignment_added", subject(entity_id, customer_id), f"{name} ({email}) ajouté.")
    return True


def delete(ops: sqlite3.Connection, scope: Scope, now: datetime, entity_id: str, customer_id: int, email: str) -> bool:
    """Remove one assignment and write its history row; False when there was none."""
    cur = ops.execute(
        "DELETE FROM customer_managers WHERE entity_id = ? AND customer_id = ? AND email = ?",
        (entity_id, customer_id, email),
    )
    if not cur.rowcount:
        return False
    record(ops, scope, now, "assignment_removed", subject(entity_id, customer_id), f"{email} retiré.")
    return True


def ensure_primary(ops: sqlite3.Connection, scope: Scope, now: datetime, entity_id: str, customer_id: int) -> None:
    """A customer with account managers has one primary: the first by e-mail when none is."""
    rows = ops.execute(
        "SELECT email, is_primary FROM customer_managers WHERE entity_id = ? AND customer_id = ? ORDER BY email",
        (entity_id, customer_id),
    ).fetchall()
    if rows and not any(p for _, p in rows):
        _make_primary(ops, scope, now, entity_id, customer_id, str(rows[0][0]))


def _make_primary(
    ops: sqlite3.Connection, scope: Scope, now: datetime, entity_id: str, customer_id: int, email: str
) -> None:
    ops.execute(
        "UPDATE customer_managers SET is_primary = (email = ?) WHERE entity_id = ? AND customer_id = ?",
        (email, entity_id, customer_id),
    )
    record(ops, scope, now, "primary_set", subject(entity_id, customer_id), f"{email} devient chargé principal.")


def subject(entity_id: str, customer_id: int) -> str:
    return f"{entity_id}/{customer_id}"
