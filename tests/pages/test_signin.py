"""Signing in (AppTest through app.py): nothing before sign-in, "try as" only in the demo,
local accounts with a first-time password change, lockout, sign-out and deactivation that end
every open tab, and the menu and page refusals the permission table decides."""

import pytest

from core.access.accounts import set_one_time_password
from core.store import operations
from tests.support.apptest import TOKEN_KEY, app_on
from tests.support.stores import NOW, seeded_store

REP = "rep.a@verdier.example"
NEW = "Un mot de passe bien long 2026"


@pytest.fixture
def paths(tmp_path):
    return seeded_store(tmp_path)


def _otp(paths, email=REP):
    with operations.session(paths) as ops:
        return set_one_time_password(ops, email, now=NOW)


def _sign_in(at, email, password):
    at.text_input(key="signin.email").input(email)
    at.text_input(key="signin.password").input(password)
    at.button[0].click()  # the form's submit button
    return at.run()


def _signed_in_as(at):
    return [c.value for c in at.sidebar.caption if c.value.startswith("Connecté")]


def test_an_unsigned_visitor_sees_only_the_sign_in_page(paths, monkeypatch):
    at = app_on(monkeypatch, paths, as_user=None).run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Connexion à Encours"]
    assert not at.metric and not at.dataframe and not _signed_in_as(at)
    assert "Alpha SAS" not in " ".join(m.value for m in at.markdown)


def test_the_demo_offers_to_try_each_role_in_one_click(paths, monkeypatch):
    at = app_on(monkeypatch, paths, as_user=None).run()
    tries = {b.key: b.label for b in at.button if b.key and b.key.startswith("signin.demo.")}
    assert set(tries) == {"signin.demo.admin", "signin.demo.agency_manager", "signin.demo.sales_rep"}
    at.button(key="signin.demo.sales_rep").click().run()
    assert not at.exception
    assert _signed_in_as(at) == ["Connecté : Bob Rep — Chargé de clientèle"]  # the first rep by name
    assert {m.label: m.value for m in at.metric}["Clients"] == "2"  # Bob Rep's portfolio: customers 2 and 3


def test_a_first_sign_in_asks_for_a_new_password_then_enters(paths, monkeypatch):
    otp = _otp(paths)
    at = _sign_in(app_on(monkeypatch, paths, as_user=None).run(), REP, otp)
    assert not at.exception and not at.metric
    assert any("Première connexion" in i.value for i in at.info)
    at.text_input(key="signin.current").input(otp)
    at.text_input(key="signin.new").input(NEW)
    at.text_input(key="signin.again").input(NEW)
    at.button[0].click().run()
    assert not at.exception
    assert "Rita Rep" in _signed_in_as(at)[0]
    assert {m.label: m.value for m in at.metric}["Clients"] == "2"


def test_a_wrong_password_is_refused_without_saying_whether_the_account_exists(paths, monkeypatch):
    _otp(paths)
    wrong = _sign_in(app_on(monkeypatch, paths, as_user=None).run(), REP, "pas le bon")
    unknown = _sign_in(app_on(monkeypatch, paths, as_user=None).run(), "inconnu@verdier.example", "pas le bon")
    assert (
        [e.value for e in wrong.error]
        == [e.value for e in unknown.error]
        == ["Adresse e-mail ou mot de passe incorrect."]
    )
    assert not wrong.metric and not unknown.metric


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(paths, monkeypatch):
    otp = _otp(paths)
    at = app_on(monkeypatch, paths, as_user=None).run()
    for _ in range(5):
        at = _sign_in(at, REP, "pas le bon")
    assert any("verrouillé" in e.value for e in at.error)
    at = _sign_in(at, REP, otp)
    assert any("verrouillé" in e.value for e in at.error)
    assert not at.metric and not any("Première connexion" in i.value for i in at.info)


def test_sign_out_ends_the_session_in_every_open_tab(paths, monkeypatch):
    first = app_on(monkeypatch, paths, as_user=REP).run()
    second = app_on(monkeypatch, paths, as_user=None)
    second.session_state[TOKEN_KEY] = first.session_state[TOKEN_KEY]  # the same browser, another tab
    second.run()
    assert _signed_in_as(second)
    first.sidebar.button(key="signin.logout").click().run()
    assert [t.value for t in first.title] == ["Connexion à Encours"]
    second.run()
    assert [t.value for t in second.title] == ["Connexion à Encours"] and not second.metric


def test_deactivating_a_user_signs_them_out_at_their_next_page_run(paths, monkeypatch):
    at = app_on(monkeypatch, paths, as_user=REP).run()
    assert at.metric
    with operations.session(paths) as ops:
        ops.execute("UPDATE users SET active = 0 WHERE email = ?", (REP,))
    at.run()
    assert [t.value for t in at.title] == ["Connexion à Encours"] and not at.metric


def test_a_forged_session_token_signs_nobody_in(paths, monkeypatch):
    at = app_on(monkeypatch, paths, as_user=None)
    at.session_state[TOKEN_KEY] = "invente-de-toutes-pieces"
    at.run()
    assert [t.value for t in at.title] == ["Connexion à Encours"] and not at.metric
