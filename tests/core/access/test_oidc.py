"""Who the identity provider's claims sign in: a verified e-mail of an active user, recently."""

from datetime import timedelta

import pytest

from core.access import signin
from core.access.accounts import SignInRefused
from core.access.oidc import account_for
from core.config import AccessSettings
from core.store import operations
from tests.support.stores import NOW, seeded_store

POLICY = AccessSettings(session_hours=12)
FRESH = int((NOW - timedelta(minutes=5)).timestamp())


@pytest.fixture
def ops(tmp_path):
    with operations.session(seeded_store(tmp_path)) as con:
        yield con


def test_a_verified_known_address_signs_in_whatever_its_case(ops):
    claims = {"email": "Rep.A@Verdier.example", "email_verified": True, "auth_time": FRESH}
    assert account_for(ops, claims, now=NOW, policy=POLICY) == "rep.a@verdier.example"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"email": "inconnu@ailleurs.example", "email_verified": True, "auth_time": FRESH}, "n'a pas accès à Encours"),
        ({"email": "rep.a@verdier.example", "email_verified": False, "auth_time": FRESH}, "n'est pas vérifiée"),
        ({"sub": "123", "auth_time": FRESH}, "pas transmis d'adresse"),
        (
            {"email": "rep.a@verdier.example", "email_verified": True, "auth_time": FRESH - 13 * 3600},
            "a expiré",
        ),
    ],
)
def test_everyone_else_gets_a_french_refusal(ops, claims, message):
    with pytest.raises(SignInRefused, match=message):
        account_for(ops, claims, now=NOW, policy=POLICY)


def test_a_deactivated_user_is_refused_even_by_the_provider(ops):
    ops.execute("UPDATE users SET active = 0 WHERE email = 'rep.a@verdier.example'")
    with pytest.raises(SignInRefused, match="n'a pas accès"):
        account_for(ops, {"email": "rep.a@verdier.example", "email_verified": True}, now=NOW, policy=POLICY)


def test_try_as_only_offers_the_demo_profiles(tmp_path):
    paths = seeded_store(tmp_path)
    offered = {email for _, email, _ in signin.demo_profiles(paths)}
    assert "admin@verdier.example" in offered and "rep.a@verdier.example" not in offered  # one per role
    with pytest.raises(SignInRefused):
        signin.as_demo_user(paths, "rep.a@verdier.example", now=NOW, policy=POLICY)
