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


RITA = {
    "iss": "http://127.0.0.1:9400",
    "sub": "rita",
    "nonce": "n-1",
    "email": "rep.a@verdier.example",
    "email_verified": True,
    "auth_time": FRESH,
    "iat": FRESH,
}


def _sessions(paths):
    with operations.session(paths) as ops:
        return ops.execute("SELECT email, method FROM user_sessions").fetchall()


def test_a_provider_sign_in_opens_an_encours_session_that_the_next_runs_use(tmp_path):
    paths = seeded_store(tmp_path)
    first = signin.signed_in(paths, None, RITA, now=NOW, policy=POLICY)
    assert first is not None and first.email == "rep.a@verdier.example"
    assert _sessions(paths) == [("rep.a@verdier.example", "oidc")]
    # The tab's next run (or a reload, through the cookie) finds the session: no second one.
    again = signin.signed_in(paths, first.token, RITA, now=NOW, policy=POLICY)
    assert again == first and len(_sessions(paths)) == 1


def test_once_its_session_has_ended_the_same_provider_sign_in_cannot_open_another(tmp_path):
    """Another tab keeps st.user after sign-out: its claims alone must not sign it in again."""
    paths = seeded_store(tmp_path)
    first = signin.signed_in(paths, None, RITA, now=NOW, policy=POLICY)
    assert first is not None
    signin.sign_out(paths, first.token)
    for token in (first.token, None):
        with pytest.raises(SignInRefused, match="session Encours est terminée"):
            signin.signed_in(paths, token, RITA, now=NOW, policy=POLICY)
    assert _sessions(paths) == []
    # A new sign-in at the provider (a new time and nonce) is a new key: it gets in.
    renewed = {**RITA, "nonce": "n-2", "auth_time": FRESH + 60, "iat": FRESH + 60}
    assert signin.signed_in(paths, None, renewed, now=NOW, policy=POLICY) is not None


def test_an_idle_provider_session_ends_like_a_password_one(tmp_path):
    paths = seeded_store(tmp_path)
    first = signin.signed_in(paths, None, RITA, now=NOW, policy=POLICY)
    assert first is not None
    later = NOW + POLICY.idle_timeout + timedelta(minutes=1)  # still within the provider sign-in's lifetime
    with pytest.raises(SignInRefused, match="session Encours est terminée"):
        signin.signed_in(paths, first.token, RITA, now=later, policy=POLICY)


def test_deactivation_ends_a_provider_session_and_refuses_the_same_claims(tmp_path):
    paths = seeded_store(tmp_path)
    first = signin.signed_in(paths, None, RITA, now=NOW, policy=POLICY)
    assert first is not None
    with operations.session(paths) as ops:
        ops.execute("UPDATE users SET active = 0 WHERE email = 'rep.a@verdier.example'")
    with pytest.raises(SignInRefused, match="n'a pas accès"):
        signin.signed_in(paths, first.token, RITA, now=NOW, policy=POLICY)


def test_a_refused_identity_leaves_no_session_and_no_sign_in_behind(tmp_path):
    paths = seeded_store(tmp_path)
    stranger = {**RITA, "sub": "x", "email": "intrus@ailleurs.example"}
    with pytest.raises(SignInRefused, match="n'a pas accès à Encours"):
        signin.signed_in(paths, None, stranger, now=NOW, policy=POLICY)
    with operations.session(paths) as ops:
        assert ops.execute("SELECT count(*) FROM oidc_sign_ins").fetchone()[0] == 0
    assert _sessions(paths) == []


def test_claims_without_a_sign_in_time_open_no_session(tmp_path):
    paths = seeded_store(tmp_path)
    timeless = {k: v for k, v in RITA.items() if k not in ("auth_time", "iat")}
    with pytest.raises(SignInRefused, match="l'heure de connexion"):
        signin.signed_in(paths, None, timeless, now=NOW, policy=POLICY)


def test_sign_ins_older_than_a_session_are_forgotten(tmp_path):
    """Their keys are purged; such claims are refused as expired anyway."""
    paths = seeded_store(tmp_path)
    assert signin.signed_in(paths, None, RITA, now=NOW, policy=POLICY) is not None
    much_later = NOW + POLICY.session_ttl + timedelta(minutes=1)
    other = {**RITA, "sub": "bob", "email": "rep.b@verdier.example", "auth_time": int(much_later.timestamp())}
    assert signin.signed_in(paths, None, other, now=much_later, policy=POLICY) is not None
    with operations.session(paths) as ops:
        assert [r[0] for r in ops.execute("SELECT email FROM oidc_sign_ins")] == ["rep.b@verdier.example"]
    with pytest.raises(SignInRefused, match="a expiré"):
        signin.signed_in(paths, None, RITA, now=much_later, policy=POLICY)
