"""Local accounts: sign-in with a password, lockout, one-time passwords, server-side sessions.

The browser keeps only an opaque random token (in a cookie); the operational store keeps its
SHA-256 with an expiry. Every page run resolves the token here, so signing out, changing a
password or deactivating a user ends every open tab at its next page run. Messages are French
and the same for an unknown e-mail and a wrong password (and so is the time they take).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.access.passwords import check_policy, hash_password, needs_rehash, one_time_password, verify_password
from core.access.permissions import Role
from core.config import AccessSettings
from core.formatting import moment
from core.store.operations import transaction

WRONG_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
DEFAULT_POLICY = AccessSettings()


class SignInRefused(PermissionError):
    """Sign-in refused; str(exc) is the French message to show."""


@dataclass(frozen=True)
class SignedIn:
    email: str
    must_change_password: bool


_ACCOUNT = """
SELECT u.email, u.active, c.password_hash, c.failed_attempts, c.locked_until, c.must_change
FROM users AS u LEFT JOIN user_credentials AS c ON c.email = u.email
WHERE lower(u.email) = lower(?)
"""


def authenticate(
    ops: sqlite3.Connection, email: str, password: str, *, now: datetime, policy: AccessSettings = DEFAULT_POLICY
) -> SignedIn:
    """Check a password; count failures and lock the account after `policy.max_failures`."""
    row = ops.execute(_ACCOUNT, (email.strip(),)).fetchone()
    known = row is not None and bool(row[1]) and row[2] is not None
    locked_until = _parse(row[4]) if known and row is not None else None
    matches = verify_password(row[2] if known and row is not None else None, password)  # always one argon2 check
    if not known or row is None:
        raise SignInRefused(WRONG_CREDENTIALS)
    account = str(row[0])
    if locked_until is not None and locked_until > now:
        raise SignInRefused(_locked_message(locked_until))
    if not matches:
        failures = int(row[3] or 0) + 1
        lock = now + policy.lockout if failures >= policy.max_failures else None
        with transaction(ops, revision=False):
            ops.execute(
                "UPDATE user_credentials SET failed_attempts = ?, locked_until = ? WHERE email = ?",
                (0 if lock else failures, lock.isoformat() if lock else None, account),
            )
        raise SignInRefused(_locked_message(lock) if lock else WRONG_CREDENTIALS)
    with transaction(ops, revision=False):
        ops.execute("UPDATE user_credentials SET failed_attempts = 0, locked_until = NULL WHERE email = ?", (account,))
        if needs_rehash(str(row[2])):
            ops.execute(
                "UPDATE user_credentials SET password_hash = ? WHERE email = ?", (hash_password(password), account)
            )
    return SignedIn(email=account, must_change_password=bool(row[5]))


def set_one_time_password(ops: sqlite3.Connection, email: str, *, now: datetime) -> str:
    """Give an account a one-time password (creation or reset by an admin); ends its sessions."""
    with transaction(ops, revision=False):
        return issue_one_time_password(ops, email, now=now)


def issue_one_time_password(ops: sqlite3.Connection, email: str, *, now: datetime) -> str:
    """`set_one_time_password` inside the caller's transaction (an admin's change and its history)."""
    password = one_time_password()
    ops.execute(
        """
        INSERT INTO user_credentials (email, password_hash, must_change, failed_attempts, locked_until, changed_at)
        VALUES (?, ?, 1, 0, NULL, ?)
        ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash, must_change = 1,
            failed_attempts = 0, locked_until = NULL, changed_at = excluded.changed_at
        """,
        (email, hash_password(password), now.isoformat()),
    )
    end_sessions(ops, email)
    return password


def change_password(ops: sqlite3.Connection, email: str, current: str, new: str, *, now: datetime) -> None:
    """The user's own change (required after a one-time password); ends all their sessions."""
    row = ops.execute("SELECT password_hash FROM user_credentials WHERE email = ?", (email,)).fetchone()
    if not verify_password(row[0] if row else None, current):
        raise SignInRefused("Le mot de passe actuel est incorrect.")
    if new == current:
        raise SignInRefused("Le nouveau mot de passe doit être différent de l'actuel.")
    check_policy(new, email=email)
    with transaction(ops, revision=False):
        ops.execute(
            "UPDATE user_credentials SET password_hash = ?, must_change = 0, changed_at = ? WHERE email = ?",
            (hash_password(new), now.isoformat(), email),
        )
        ops.execute("DELETE FROM user_sessions WHERE email = ?", (email,))


def open_session(
    ops: sqlite3.Connection, email: str, method: str, *, now: datetime, policy: AccessSettings = DEFAULT_POLICY
) -> str:
    """A new session; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with transaction(ops, revision=False):
        ops.execute(
            "INSERT INTO user_sessions (token_hash, email, method, created_at, expires_at, last_seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (_digest(token), email, method, now.isoformat(), (now + policy.session_ttl).isoformat(), now.isoformat()),
        )
    return token


SEEN_EVERY = timedelta(minutes=1)
"""last_seen_at is written at most this often: a page run is not a write."""


def session_user(
    ops: sqlite3.Connection, token: str | None, *, now: datetime, policy: AccessSettings = DEFAULT_POLICY
) -> str | None:
    """The e-mail of the active user this token signs in, or None (expired, idle, revoked, unknown)."""
    if not token:
        return None
    row = ops.execute(
        "SELECT s.email, s.expires_at, s.last_seen_at FROM user_sessions AS s"
        " JOIN users AS u ON u.email = s.email AND u.active = 1 WHERE s.token_hash = ?",
        (_digest(token),),
    ).fetchone()
    if row is None:
        return None
    expires_at, last_seen = _parse(row[1]), _parse(row[2])
    if expires_at is None or last_seen is None or expires_at <= now or last_seen + policy.idle_timeout <= now:
        close_session(ops, token)
        return None
    if now - last_seen >= SEEN_EVERY:
        with transaction(ops, revision=False):
            ops.execute(
                "UPDATE user_sessions SET last_seen_at = ? WHERE token_hash = ?", (now.isoformat(), _digest(token))
            )
    return str(row[0])


def close_session(ops: sqlite3.Connection, token: str | None) -> None:
    if token:
        with transaction(ops, revision=False):
            ops.execute("DELETE FROM user_sessions WHERE token_hash = ?", (_digest(token),))


def close_all_sessions(ops: sqlite3.Connection, email: str) -> None:
    with transaction(ops, revision=False):
        end_sessions(ops, email)


def end_sessions(ops: sqlite3.Connection, email: str) -> None:
    """Delete every session of `email`, inside the caller's transaction."""
    ops.execute("DELETE FROM user_sessions WHERE email = ?", (email,))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _locked_message(until: datetime) -> str:
    return f"Trop d'essais infructueux : compte verrouillé jusqu'au {moment(until)}."


def one_user_per_role(ops: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(role, e-mail, full name): the first active user of each role, in the table's role order.

    The demo company's sign-in page offers to try Encours as each of them.
    """
    rows = ops.execute("SELECT role, email, full_name FROM users WHERE active = 1 ORDER BY full_name").fetchall()
    first: dict[str, tuple[str, str, str]] = {}
    for role, email, name in rows:
        first.setdefault(str(role), (str(role), str(email), str(name)))
    return [first[r.value] for r in Role if r.value in first]
