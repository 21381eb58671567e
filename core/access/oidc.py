"""Sign-in through the company's identity provider (OpenID Connect, `st.login`): who is it?

Streamlit signs in anyone the provider vouches for and never checks the token's age
(STACK-NOTES), so Encours decides here: a verified e-mail of an active user, signed in at
the provider less than a session's lifetime ago. Everyone else gets a French refusal.
Whoever is let in gets an Encours session like a password sign-in (core.access.accounts), so
sign-out, expiry, inactivity and deactivation end it the same way, in every open tab.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.access.accounts import SignInRefused, open_session
from core.config import AccessSettings
from core.store.operations import transaction

ENDED = "Votre session Encours est terminée : reconnectez-vous avec le compte de l'entreprise."


def account_for(ops: sqlite3.Connection, claims: Mapping[str, Any], *, now: datetime, policy: AccessSettings) -> str:
    """The e-mail of the Encours user these ID-token claims sign in; raises SignInRefused."""
    email = str(claims.get("email") or "").strip()
    if not email:
        raise SignInRefused(
            "Votre fournisseur d'identité n'a pas transmis d'adresse e-mail : Encours ne peut vous reconnaître."
        )
    if claims.get("email_verified") is False:
        raise SignInRefused(f"L'adresse {email} n'est pas vérifiée par votre fournisseur d'identité.")
    auth_time = claims.get("auth_time") or claims.get("iat")
    if isinstance(auth_time, int | float) and now - datetime.fromtimestamp(auth_time, UTC) > policy.session_ttl:
        raise SignInRefused("Votre connexion a expiré : reconnectez-vous.")
    row = ops.execute("SELECT email FROM users WHERE lower(email) = lower(?) AND active = 1", (email,)).fetchone()
    if row is None:
        raise SignInRefused(f"Le compte {email} n'a pas accès à Encours : demandez à un administrateur de l'ajouter.")
    return str(row[0])


def open_session_for(
    ops: sqlite3.Connection, claims: Mapping[str, Any], *, now: datetime, policy: AccessSettings
) -> tuple[str, str]:
    """(e-mail, session token): the Encours session this provider sign-in opens; raises SignInRefused.

    A sign-in opens one session, once. Streamlit keeps the provider's identity (`st.user`) in
    every tab that was open, until that tab reconnects, even after `st.logout()` in another
    one; were the identity enough, such a tab would open a new session at its next page run
    and outlive the sign-out. So once this sign-in's session has ended (sign-out, expiry,
    inactivity, deactivation), the same claims are refused and the person goes back to the
    provider, whose new sign-in is a new key.
    """
    email = account_for(ops, claims, now=now, policy=policy)
    key = sign_in_key(claims)
    with transaction(ops, revision=False):
        ops.execute("DELETE FROM oidc_sign_ins WHERE opened_at < ?", ((now - policy.session_ttl).isoformat(),))
        fresh = ops.execute(
            "INSERT OR IGNORE INTO oidc_sign_ins (sign_in_key, email, opened_at) VALUES (?, ?, ?)",
            (key, email, now.isoformat()),
        ).rowcount
    if not fresh:
        raise SignInRefused(ENDED)
    return email, open_session(ops, email, "oidc", now=now, policy=policy)


def sign_in_key(claims: Mapping[str, Any]) -> str:
    """What identifies one sign-in at the provider: issuer, subject, when, and the request's nonce."""
    when = claims.get("auth_time") or claims.get("iat")
    if not isinstance(when, int | float):
        raise SignInRefused(
            "Votre fournisseur d'identité n'a pas transmis l'heure de connexion : Encours ne peut ouvrir de session."
        )
    parts = [str(claims.get("iss") or ""), str(claims.get("sub") or ""), str(int(when)), str(claims.get("nonce") or "")]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()
