"""What the sign-in page does, each step one call against the operational store at `paths`.

The page (ui/signin.py) holds no connection: it passes what the person typed or clicked and
gets back a session token to keep, or a SignInRefused whose message it shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.access.accounts import (
    SignInRefused,
    authenticate,
    change_password,
    close_session,
    one_user_per_role,
    open_session,
    session_user,
)
from core.access.oidc import open_session_for
from core.config import AccessSettings
from core.store import operations
from core.store.paths import StorePaths


@dataclass(frozen=True)
class Signed:
    """Who this tab is, and the session token it keeps (a new one when a provider sign-in opened it)."""

    email: str
    token: str


def signed_in(
    paths: StorePaths,
    token: str | None,
    claims: Mapping[str, Any] | None,
    *,
    now: datetime,
    policy: AccessSettings,
) -> Signed | None:
    """Who this tab is: its session token first, else the identity provider's claims (OIDC),
    which open a session the first time; None when nobody is signed in. Raises SignInRefused
    when the provider vouches for someone Encours does not let in, or for a sign-in whose
    session has ended."""
    with operations.session(paths) as ops:
        email = session_user(ops, token, now=now, policy=policy)
        if email is not None and token:
            return Signed(email, token)
        if claims:
            email, opened = open_session_for(ops, claims, now=now, policy=policy)
            return Signed(email, opened)
    return None


def with_password(paths: StorePaths, email: str, password: str, *, now: datetime, policy: AccessSettings) -> str | None:
    """A session token, or None when the one-time password must be changed first."""
    with operations.session(paths) as ops:
        signed = authenticate(ops, email, password, now=now, policy=policy)
        if signed.must_change_password:
            return None
        return open_session(ops, signed.email, "password", now=now, policy=policy)


def first_password(
    paths: StorePaths, email: str, current: str, new: str, *, now: datetime, policy: AccessSettings
) -> str:
    """Replace the one-time password and open a session (raises SignInRefused or WeakPassword)."""
    with operations.session(paths) as ops:
        change_password(ops, email, current, new, now=now)
        return open_session(ops, email, "password", now=now, policy=policy)


def as_demo_user(paths: StorePaths, email: str, *, now: datetime, policy: AccessSettings) -> str:
    """Demo company only: a session for one of the profiles `demo_profiles` offers."""
    with operations.session(paths) as ops:
        if email not in {e for _, e, _ in one_user_per_role(ops)}:
            raise SignInRefused("Ce profil de démonstration n'existe pas.")
        return open_session(ops, email, "demo", now=now, policy=policy)


def demo_profiles(paths: StorePaths) -> list[tuple[str, str, str]]:
    with operations.session(paths) as ops:
        return one_user_per_role(ops)


def sign_out(paths: StorePaths, token: str | None) -> None:
    with operations.session(paths) as ops:
        close_session(ops, token)
