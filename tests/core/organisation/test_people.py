"""Users as an admin manages them: creation with a one-time password, role and agency changes,
deactivation (every session ends), the last admin protected, every change in the history."""

import re
from datetime import timedelta

import pytest

from core.access.accounts import authenticate, open_session, session_user
from core.organisation import people
from core.organisation.changes import InvalidChange, history
from core.scope import UnknownUser, scope_of
from tests.core.organisation.conftest import ADMIN, DIRECTOR, REP_A, changes
from tests.support.stores import NOW


def test_a_new_user_signs_in_with_the_one_time_password_and_must_change_it(paths, admin):
    password = people.create_user(
        paths, admin, email=" Claire.Roux@Verdier.example ", full_name="Claire Roux", role="sales_rep",
        agency_id="lyon", now=NOW,
    )  # fmt: skip
    from core.store import operations

    with operations.session(paths) as ops:
        signed = authenticate(ops, "claire.roux@verdier.example", password, now=NOW)
    assert signed.must_change_password
    assert scope_of(paths, "claire.roux@verdier.example").customers == frozenset()
    assert changes(paths)[-1] == (
        ADMIN,
        "user_created",
        "claire.roux@verdier.example",
        "Claire Roux (claire.roux@verdier.example) créé : Chargé de clientèle, agence Agence Lyon.",
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "REP.A@verdier.example"}, "déjà utilisée (Rita Rep)"),
        ({"email": "pas-une-adresse"}, "Adresse e-mail invalide"),
        ({"agency_id": "marseille"}, "Agence inconnue « marseille »"),
        ({"role": "agency_manager", "agency_id": None}, "doit être rattaché à une agence"),
        ({"role": "stagiaire"}, "Rôle inconnu"),
        ({"full_name": "  "}, "Le nom est vide"),
    ],
)
def test_an_invalid_user_is_refused_in_french_and_nothing_is_written(paths, admin, fields, message):
    before = people.list_users(paths, admin)
    values = {"email": "new@verdier.example", "full_name": "Nouveau", "role": "sales_rep", "agency_id": "paris"}
    with pytest.raises(InvalidChange, match=re.escape(message)):
        people.create_user(paths, admin, **{**values, **fields}, now=NOW)
    assert people.list_users(paths, admin) == before
    assert changes(paths) == []


def test_role_agency_and_name_changes_are_recorded(paths, admin):
    people.change_role(paths, admin, REP_A, "agency_manager", now=NOW)
    people.change_agency(paths, admin, REP_A, "lyon", now=NOW + timedelta(minutes=1))
    people.rename_user(paths, admin, REP_A, "Rita Durand", now=NOW + timedelta(minutes=2))
    rita = scope_of(paths, REP_A)
    assert (rita.role, rita.agency_id, rita.full_name) == ("agency_manager", "lyon", "Rita Durand")
    assert changes(paths) == [
        (ADMIN, "role_changed", REP_A, "Rita Rep : Chargé de clientèle → Directeur d'agence."),
        (ADMIN, "user_agency_changed", REP_A, "Rita Rep : agence Agence Paris → Agence Lyon."),
        (ADMIN, "user_renamed", REP_A, "« Rita Rep » renommé « Rita Durand »."),
    ]
    assert [c.changed_at for c in history(paths, admin)][0] == NOW + timedelta(minutes=2)  # latest first


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(paths, admin):
    with pytest.raises(InvalidChange, match="dernier administrateur actif"):
        people.change_role(paths, admin, ADMIN, "accounting", now=NOW)
    people.change_role(paths, admin, DIRECTOR, "admin", now=NOW)
    other = scope_of(paths, DIRECTOR)
    with pytest.raises(InvalidChange, match="propre compte"):
        people.deactivate(paths, admin, ADMIN, now=NOW)
    people.deactivate(paths, other, ADMIN, now=NOW)  # two admins: one may go
    with pytest.raises(InvalidChange, match="dernier administrateur actif"):
        people.change_role(paths, other, DIRECTOR, "management", now=NOW)
    assert scope_of(paths, DIRECTOR).role == "admin"


def test_deactivation_ends_every_open_session_and_the_scope_at_once(paths, admin):
    from core.store import operations

    with operations.session(paths) as ops:
        tabs = [open_session(ops, REP_A, "password", now=NOW) for _ in range(2)]
        assert all(session_user(ops, t, now=NOW) == REP_A for t in tabs)
    people.deactivate(paths, admin, REP_A, now=NOW)
    with operations.session(paths) as ops:
        assert [session_user(ops, t, now=NOW) for t in tabs] == [None, None]
        assert ops.execute("SELECT count(*) FROM user_sessions WHERE email = ?", (REP_A,)).fetchone()[0] == 0
    with pytest.raises(UnknownUser):
        scope_of(paths, REP_A)
    people.reactivate(paths, admin, REP_A, now=NOW)
    with operations.session(paths) as ops:
        assert [session_user(ops, t, now=NOW) for t in tabs] == [None, None]  # reactivation reopens nothing
    assert [k for _, k, _, _ in changes(paths)] == ["user_deactivated", "user_reactivated"]


def test_a_password_reset_gives_a_new_one_time_password_and_ends_sessions(paths, admin):
    from core.store import operations

    with operations.session(paths) as ops:
        tab = open_session(ops, REP_A, "password", now=NOW)
    password = people.reset_password(paths, admin, REP_A, now=NOW)
    with operations.session(paths) as ops:
        assert session_user(ops, tab, now=NOW) is None
        assert authenticate(ops, REP_A, password, now=NOW).must_change_password
    assert changes(paths) == [(ADMIN, "password_reset", REP_A, "Mot de passe à usage unique donné à Rita Rep.")]
    assert password not in str(changes(paths))
