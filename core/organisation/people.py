"""Users: create (with a one-time password), rename, change role or agency, deactivate, reactivate,
reset a password. Agency managers and account managers are users with those roles.

The last active admin can be neither demoted nor deactivated (checked inside the write
transaction, so two admins acting at once cannot both pass). Deactivation ends every session
of the user at once: their open tabs are signed out at the next page run.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from core.access.accounts import end_sessions, issue_one_time_password
from core.access.permissions import Action, Role, require, role_label
from core.organisation.agencies import agency_name
from core.organisation.changes import InvalidChange, record
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
AGENCY_ROLES = frozenset({Role.AGENCY_MANAGER})
"""Roles that need an agency (an agency manager sees their agency's customers)."""


@dataclass(frozen=True)
class User:
    email: str
    full_name: str
    role: str
    agency_id: str | None
    agency_name: str | None
    active: bool
    customers: int
    """How many customers the user follows as an account manager."""

    @property
    def role_label(self) -> str:
        return role_label(self.role)


def list_users(paths: StorePaths, scope: Scope) -> list[User]:
    require(scope.role, Action.MANAGE_USERS)
    with operations.session(paths) as ops:
        rows = ops.execute(
            """
            SELECT u.email, u.full_name, u.role, u.agency_id, a.name, u.active,
                   (SELECT count(*) FROM customer_managers AS m WHERE m.email = u.email)
            FROM users AS u LEFT JOIN agencies AS a ON a.agency_id = u.agency_id
            ORDER BY u.active DESC, u.full_name
            """
        ).fetchall()
    return [User(r[0], r[1], r[2], r[3], r[4], bool(r[5]), int(r[6])) for r in rows]


def create_user(
    paths: StorePaths,
    scope: Scope,
    *,
    email: str,
    full_name: str,
    role: str,
    agency_id: str | None,
    now: datetime,
) -> str:
    """Create an active user; returns their one-time password (to hand over, never stored)."""
    require(scope.role, Action.MANAGE_USERS)
    email = _clean_email(email)
    full_name = _clean_name(full_name)
    role = _role(role)
    with operations.session(paths) as ops:
        with operations.transaction(ops):
            used = ops.execute("SELECT full_name FROM users WHERE lower(email) = ?", (email,)).fetchone()
            if used is not None:
                raise InvalidChange(f"L'adresse {email} est déjà utilisée ({used[0]}).")
            agency = _agency_for(ops, role, agency_id)
            ops.execute(
                "INSERT INTO users (email, full_name, role, agency_id, active) VALUES (?, ?, ?, ?, 1)",
                (email, full_name, role, agency_id or None),
            )
            where = f", agence {agency}" if agency else ""
            record(ops, scope, now, "user_created", email, f"{full_name} ({email}) créé : {role_label(role)}{where}.")
            return issue_one_time_password(ops, email, now=now)  # the user, the password, the history: one transaction


def rename_user(paths: StorePaths, scope: Scope, email: str, full_name: str, *, now: datetime) -> None:
    require(scope.role, Action.MANAGE_USERS)
    full_name = _clean_name(full_name)
    with operations.session(paths) as ops, operations.transaction(ops):
        before = _user(ops, email)
        if before[1] == full_name:
            return
        ops.execute("UPDATE users SET full_name = ? WHERE email = ?", (full_name, before[0]))
        record(ops, scope, now, "user_renamed", before[0], f"« {before[1]} » renommé « {full_name} ».")


def change_role(paths: StorePaths, scope: Scope, email: str, role: str, *, now: datetime) -> None:
    require(scope.role, Action.MANAGE_USERS)
    role = _role(role)
    with operations.session(paths) as ops, operations.transaction(ops):
        account, name, before, agency_id, active = _user(ops, email)
        if before == role:
            return
        if before == Role.ADMIN and active:
            _refuse_last_admin(ops, account, name, "changer le rôle de")
        _agency_for(ops, role, agency_id)
        ops.execute("UPDATE users SET role = ? WHERE email = ?", (role, account))
        record(ops, scope, now, "role_changed", account, f"{name} : {role_label(before)} → {role_label(role)}.")


def change_agency(paths: StorePaths, scope: Scope, email: str, agency_id: str | None, *, now: datetime) -> None:
    require(scope.role, Action.MANAGE_USERS)
    agency_id = agency_id or None
    with operations.session(paths) as ops, operations.transaction(ops):
        account, name, role, before, _ = _user(ops, email)
        if before == agency_id:
            return
        after = _agency_for(ops, role, agency_id)
        was = agency_name(ops, before) if before else "aucune"
        ops.execute("UPDATE users SET agency_id = ? WHERE email = ?", (agency_id, account))
        record(ops, scope, now, "user_agency_changed", account, f"{name} : agence {was} → {after or 'aucune'}.")


def deactivate(paths: StorePaths, scope: Scope, email: str, *, now: datetime) -> None:
    """Deactivate a user and end every session they have open (every tab, at its next run)."""
    require(scope.role, Action.MANAGE_USERS)
    with operations.session(paths) as ops:
        with operations.transaction(ops):
            account, name, role, _, active = _user(ops, email)
            if not active:
                return
            if account.lower() == scope.email.lower():
                raise InvalidChange("Vous ne pouvez pas désactiver votre propre compte.")
            if role == Role.ADMIN:
                _refuse_last_admin(ops, account, name, "désactiver")
            ops.execute("UPDATE users SET active = 0 WHERE email = ?", (account,))
            record(ops, scope, now, "user_deactivated", account, f"{name} ({account}) désactivé.")
            # Sessions of an inactive user already resolve to nobody (core.access.accounts.session_user);
            # deleting them makes it so even if the user is reactivated before they expire.
            end_sessions(ops, account)


def reactivate(paths: StorePaths, scope: Scope, email: str, *, now: datetime) -> None:
    require(scope.role, Action.MANAGE_USERS)
    with operations.session(paths) as ops, operations.transaction(ops):
        account, name, _, _, active = _user(ops, email)
        if active:
            return
        ops.execute("UPDATE users SET active = 1 WHERE email = ?", (account,))
        record(ops, scope, now, "user_reactivated", account, f"{name} ({account}) réactivé.")


def reset_password(paths: StorePaths, scope: Scope, email: str, *, now: datetime) -> str:
    """A new one-time password for the user (their sessions end); returns it, to hand over."""
    require(scope.role, Action.MANAGE_USERS)
    with operations.session(paths) as ops, operations.transaction(ops):
        account, name, _, _, _ = _user(ops, email)
        record(ops, scope, now, "password_reset", account, f"Mot de passe à usage unique donné à {name}.")
        return issue_one_time_password(ops, account, now=now)


def _user(ops: sqlite3.Connection, email: str) -> tuple[str, str, str, str | None, bool]:
    row = ops.execute(
        "SELECT email, full_name, role, agency_id, active FROM users WHERE lower(email) = lower(?)", (email.strip(),)
    ).fetchone()
    if row is None:
        raise InvalidChange(f"Aucun utilisateur « {email} ».")
    return str(row[0]), str(row[1]), str(row[2]), row[3], bool(row[4])


def _refuse_last_admin(ops: sqlite3.Connection, account: str, name: str, verb: str) -> None:
    others = ops.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND email <> ?", (account,)
    ).fetchone()[0]
    if not others:
        raise InvalidChange(
            f"Impossible de {verb} {name} : c'est le dernier administrateur actif. Nommez d'abord un autre administrateur."
        )


def _agency_for(ops: sqlite3.Connection, role: str, agency_id: str | None) -> str | None:
    """The agency's name (None without one); refuses an unknown agency or a missing required one."""
    if agency_id:
        return agency_name(ops, agency_id)
    if role in AGENCY_ROLES:
        raise InvalidChange(f"Un {role_label(role).lower()} doit être rattaché à une agence.")
    return None


def _clean_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.fullmatch(email):
        raise InvalidChange(f"Adresse e-mail invalide : « {email} ».")
    return email


def _clean_name(full_name: str) -> str:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise InvalidChange("Le nom est vide.")
    return full_name


def _role(role: str) -> str:
    if role not in set(Role):
        raise InvalidChange(f"Rôle inconnu « {role} ».")
    return str(role)
