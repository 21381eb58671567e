"""Password hashing for local accounts: argon2id (argon2-cffi), never the password itself.

Checking an unknown e-mail costs the same as checking a wrong password (a dummy hash is
verified), so response time does not tell whether an account exists.
"""

from __future__ import annotations

import functools
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
_hasher = PasswordHasher()  # argon2id, the library's current recommended parameters
_ALPHABET = string.ascii_letters + string.digits


class WeakPassword(ValueError):
    """The new password does not meet the policy; the message says why, in French."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; an absent hash costs a full verification too."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def one_time_password() -> str:
    """A random first password an admin hands over; it must be changed at first sign-in."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(4))


def check_policy(password: str, *, email: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères.")
    if email and email.split("@", 1)[0].lower() in password.lower():
        raise WeakPassword("Le mot de passe ne doit pas contenir votre identifiant.")
    if len(set(password)) < 5:
        raise WeakPassword("Le mot de passe est trop répétitif.")


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))
