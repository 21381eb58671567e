"""Sign-in through the company's identity provider (OpenID Connect, `st.login`): who is it?

Streamlit signs in anyone the provider vouches for and never checks the token's age
(STACK-NOTES), so Encours decides here: a verified e-mail of an active user, signed in at
the provider less than a session's lifetime ago. Everyone else gets a French refusal.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.access.accounts import SignInRefused
from core.config import AccessSettings


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
