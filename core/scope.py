"""Who may see which customers: the one scope filter every query and export goes through.

Which customers a role sees is core.access.permissions.VISIBILITY: admin, management,
accounting and treasury see every customer; an agency manager the customers of their agency;
a sales rep the customers they are assigned to (their portfolio).
Pages never filter rows themselves: they pass a Scope to core functions, and
core.store.reading applies it once, in the database session.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from core.access.permissions import VISIBILITY, Action, Role, Visibility, allows
from core.store import operations
from core.store.paths import StorePaths


class UnknownUser(LookupError):
    """No active user with that e-mail."""


@dataclass(frozen=True)
class Scope:
    """The customers one user may see. `customers is None` means all of them."""

    email: str
    role: str
    full_name: str = ""
    agency_id: str | None = None
    customers: frozenset[tuple[str, int]] | None = None

    @property
    def sees_everything(self) -> bool:
        return self.customers is None

    def allows(self, action: Action) -> bool:
        """Whether this user's role may take `action` (core.access.permissions)."""
        return allows(self.role, action)


def scope_for(ops: sqlite3.Connection, email: str) -> Scope:
    """Build the scope of an active user from the operational store (live hierarchy)."""
    row = ops.execute(
        "SELECT email, full_name, role, agency_id FROM users WHERE lower(email) = lower(?) AND active = 1", (email,)
    ).fetchone()
    if row is None:
        raise UnknownUser(f"Aucun utilisateur actif « {email} ».")
    email, full_name, role, agency_id = row
    visibility = VISIBILITY.get(Role(role)) if role in set(Role) else None
    if visibility is Visibility.ALL:
        return Scope(email=email, role=role, full_name=full_name, agency_id=agency_id)
    if visibility is Visibility.AGENCY:
        rows = ops.execute("SELECT entity_id, customer_id FROM customer_accounts WHERE agency_id = ?", (agency_id,))
    elif visibility is Visibility.PORTFOLIO:
        rows = ops.execute("SELECT entity_id, customer_id FROM customer_managers WHERE email = ?", (email,))
    else:
        raise UnknownUser(f"Rôle inconnu « {role} » pour {email}.")
    return Scope(
        email=email,
        role=role,
        full_name=full_name,
        agency_id=agency_id,
        customers=frozenset((str(e), int(c)) for e, c in rows.fetchall()),
    )


def everything(email: str = "systeme", role: str = "admin") -> Scope:
    """The unrestricted scope, for jobs acting on behalf of the whole organisation."""
    return Scope(email=email, role=role)


def scope_of(paths: StorePaths, email: str) -> Scope:
    """`scope_for` against the operational store at `paths`; raises UnknownUser."""
    with operations.session(paths) as ops:
        return scope_for(ops, email)
