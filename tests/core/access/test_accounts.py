"""Local accounts on a real operational store: hashes only, lockout, one-time passwords, sessions
that sign-out, a password change and deactivation end at once."""

import logging
import sqlite3
import time
from datetime import timedelta

import pytest

from core.access.accounts import (
    WRONG_CREDENTIALS,
    SignInRefused,
    authenticate,
    change_password,
    close_session,
    open_session,
    session_user,
    set_one_time_password,
)
from core.access.passwords import WeakPassword
from core.config import AccessSettings
from core.store import operations
from tests.support.stores import NOW, seeded_store

REP = "rep.a@verdier.example"
NEW = "Un mot de passe bien long 2026"


@pytest.fixture
def ops(tmp_path):
    paths = seeded_store(tmp_path)
    with operations.session(paths) as con:
        yield con


@pytest.fixture
def otp(ops):
    return set_one_time_password(ops, REP, now=NOW)


def test_only_an_argon2id_hash_is_stored(ops, otp, caplog):
    caplog.set_level(logging.DEBUG)
    authenticate(ops, REP, otp, now=NOW)
    (stored,) = ops.execute("SELECT password_hash FROM user_credentials WHERE email = ?", (REP,)).fetchone()
    assert stored.startswith("$argon2id$") and otp not in stored
    dump = "\n".join(ops.iterdump())
    assert otp not in dump and otp not in caplog.text


def test_a_one_time_password_signs_in_and_must_be_changed(ops, otp):
    signed = authenticate(ops, REP, otp, now=NOW)
    assert signed.email == REP and signed.must_change_password
    change_password(ops, REP, otp, NEW, now=NOW)
    again = authenticate(ops, REP, NEW, now=NOW)
    assert not again.must_change_password
    with pytest.raises(SignInRefused, match="incorrect"):
        authenticate(ops, REP, otp, now=NOW)


def test_a_weak_new_password_is_refused_in_french(ops, otp):
    with pytest.raises(WeakPassword, match="au moins 12 caractères"):
        change_password(ops, REP, otp, "court", now=NOW)
    with pytest.raises(WeakPassword, match="identifiant"):
        change_password(ops, REP, otp, "rep.a-est-mon-mot-de-passe", now=NOW)


def test_unknown_address_and_wrong_password_get_the_same_message(ops, otp):
    with pytest.raises(SignInRefused) as unknown:
        authenticate(ops, "personne@verdier.example", otp, now=NOW)
    with pytest.raises(SignInRefused) as wrong:
        authenticate(ops, REP, "pas le bon mot de passe", now=NOW)
    assert str(unknown.value) == str(wrong.value) == WRONG_CREDENTIALS


@pytest.mark.serial
def test_unknown_address_and_wrong_password_take_comparable_time(ops, otp):
    def timed(email):
        started = time.perf_counter()
        with pytest.raises(SignInRefused):
            authenticate(ops, email, "pas le bon mot de passe", now=NOW)
        return time.perf_counter() - started

    timed("personne@verdier.example")  # the dummy hash is made once, on first use
    unknown = min(timed("personne@verdier.example") for _ in range(3))
    wrong = min(timed(REP) for _ in range(3))
    assert 0.5 < unknown / wrong < 2  # both are one argon2 verification, not "instant" vs "slow"


def test_five_failures_lock_the_account_even_for_the_right_password(ops, otp):
    for _ in range(4):
        with pytest.raises(SignInRefused, match="incorrect"):
            authenticate(ops, REP, "mauvais", now=NOW)
    with pytest.raises(SignInRefused, match="verrouillé"):
        authenticate(ops, REP, "mauvais", now=NOW)
    with pytest.raises(SignInRefused, match="verrouillé"):
        authenticate(ops, REP, otp, now=NOW + timedelta(minutes=14))
    assert authenticate(ops, REP, otp, now=NOW + timedelta(minutes=16)).email == REP


def test_the_lockout_follows_the_policy(ops, otp):
    policy = AccessSettings(max_failures=2, lockout_minutes=1)
    with pytest.raises(SignInRefused, match="incorrect"):
        authenticate(ops, REP, "mauvais", now=NOW, policy=policy)
    with pytest.raises(SignInRefused, match="verrouillé"):
        authenticate(ops, REP, "mauvais", now=NOW, policy=policy)
    assert authenticate(ops, REP, otp, now=NOW + timedelta(minutes=2), policy=policy)


def test_a_deactivated_user_cannot_sign_in(ops, otp):
    ops.execute("UPDATE users SET active = 0 WHERE email = ?", (REP,))
    with pytest.raises(SignInRefused, match="incorrect"):
        authenticate(ops, REP, otp, now=NOW)


def test_a_session_lasts_until_sign_out_and_only_its_hash_is_stored(ops, otp):
    token = open_session(ops, REP, "password", now=NOW)
    assert session_user(ops, token, now=NOW + timedelta(minutes=5)) == REP
    assert not ops.execute("SELECT 1 FROM user_sessions WHERE token_hash = ?", (token,)).fetchone()
    close_session(ops, token)
    assert session_user(ops, token, now=NOW + timedelta(minutes=6)) is None


def test_sessions_expire_and_idle_out(ops, otp):
    policy = AccessSettings(session_hours=8, idle_minutes=60)
    token = open_session(ops, REP, "password", now=NOW, policy=policy)
    assert session_user(ops, token, now=NOW + timedelta(minutes=50), policy=policy) == REP
    assert session_user(ops, token, now=NOW + timedelta(hours=1, minutes=45), policy=policy) == REP
    assert session_user(ops, token, now=NOW + timedelta(hours=3), policy=policy) is None  # idle 75 min
    token = open_session(ops, REP, "password", now=NOW, policy=policy)
    for minutes in range(30, 8 * 60, 30):
        assert session_user(ops, token, now=NOW + timedelta(minutes=minutes), policy=policy) == REP
    assert session_user(ops, token, now=NOW + timedelta(hours=8), policy=policy) is None  # absolute expiry


def test_a_password_change_or_deactivation_ends_every_open_session(ops, otp):
    tabs = [open_session(ops, REP, "password", now=NOW) for _ in range(2)]
    change_password(ops, REP, otp, NEW, now=NOW)
    assert [session_user(ops, t, now=NOW) for t in tabs] == [None, None]
    tabs = [open_session(ops, REP, "password", now=NOW) for _ in range(2)]
    ops.execute("UPDATE users SET active = 0 WHERE email = ?", (REP,))
    assert [session_user(ops, t, now=NOW) for t in tabs] == [None, None]


def test_a_garbage_or_missing_cookie_signs_nobody_in(ops):
    assert session_user(ops, None, now=NOW) is None
    assert session_user(ops, "", now=NOW) is None
    assert session_user(ops, "'; DROP TABLE users; --", now=NOW) is None
    assert ops.execute("SELECT count(*) FROM users").fetchone()[0] > 0


def test_the_management_role_exists_in_the_store(ops):
    ops.execute(
        "INSERT INTO users (email, full_name, role, agency_id, active) VALUES ('dg@verdier.example', 'D G', 'management', NULL, 1)"
    )
    with pytest.raises(sqlite3.IntegrityError):
        ops.execute("INSERT INTO users (email, full_name, role) VALUES ('x@verdier.example', 'X', 'stagiaire')")
