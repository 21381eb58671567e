"""Who follows which customer: changes show in a sales rep's scope at the next page run, without a
sync; one primary manager per customer; every change in the history."""

import pytest

from core.organisation import people, portfolios
from core.organisation.changes import InvalidChange
from core.scope import scope_of
from core.store.reading import read_session
from tests.core.organisation.conftest import ADMIN, DIRECTOR, REP_A, REP_B, assignments, changes
from tests.support.stores import NOW

TODAY = NOW.date()


def _visible_names(paths, email):
    with read_session(paths, scope_of(paths, email), today=TODAY) as con:
        return sorted(n for (n,) in con.execute("SELECT customer_name FROM scoped_customers").fetchall())


def test_a_new_assignment_is_in_the_reps_scope_at_the_next_page_run(paths, admin):
    assert ("alpha", 3) not in scope_of(paths, REP_A).customers
    before = _visible_names(paths, REP_A)
    portfolios.add_assignment(paths, admin, "alpha", 3, REP_A, now=NOW)
    assert ("alpha", 3) in scope_of(paths, REP_A).customers
    assert _visible_names(paths, REP_A) == sorted([*before, "Garage Petit"])  # live overlay, no sync
    portfolios.remove_assignment(paths, admin, "alpha", 3, REP_A, now=NOW)
    assert ("alpha", 3) not in scope_of(paths, REP_A).customers
    assert changes(paths) == [
        (ADMIN, "assignment_added", "alpha/3", "Rita Rep (rep.a@verdier.example) ajouté."),
        (ADMIN, "assignment_removed", "alpha/3", "rep.a@verdier.example retiré."),
    ]


def test_a_customer_has_one_primary_manager_whenever_it_has_any(paths, admin):
    portfolios.add_assignment(paths, admin, "beta", 20, REP_B, now=NOW)
    portfolios.add_assignment(paths, admin, "beta", 20, REP_A, now=NOW)
    primary = {m.email: m.is_primary for m in portfolios.managers_of(paths, admin, "beta", 20)}
    assert primary == {REP_B: True, REP_A: False}  # the first one added
    portfolios.set_primary(paths, admin, "beta", 20, REP_A, now=NOW)
    assert [m.email for m in portfolios.managers_of(paths, admin, "beta", 20)] == [REP_A, REP_B]  # primary first
    portfolios.remove_assignment(paths, admin, "beta", 20, REP_A, now=NOW)
    assert [(m.email, m.is_primary) for m in portfolios.managers_of(paths, admin, "beta", 20)] == [(REP_B, True)]
    kinds = [k for _, k, s, _ in changes(paths) if s == "beta/20"]
    assert kinds == [
        "assignment_added",
        "primary_set",
        "assignment_added",
        "primary_set",
        "assignment_removed",
        "primary_set",
    ]


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@verdier.example", "e-mail inconnu : aucun utilisateur « nobody@verdier.example »"),
        (ADMIN, "n'est pas chargé de clientèle"),
        (REP_A, "suit déjà ce client"),
    ],
)
def test_an_assignment_to_someone_who_cannot_follow_the_customer_is_refused(paths, admin, email, message):
    before = assignments(paths)
    with pytest.raises(InvalidChange, match=message):
        portfolios.add_assignment(paths, admin, "alpha", 1, email, now=NOW)
    assert assignments(paths) == before and changes(paths) == []


def test_an_inactive_user_cannot_be_assigned(paths, admin):
    people.deactivate(paths, admin, REP_B, now=NOW)
    with pytest.raises(InvalidChange, match="Bob Rep .* est désactivé"):
        portfolios.add_assignment(paths, admin, "alpha", 1, REP_B, now=NOW)
    assert REP_B not in [e for e, _ in portfolios.account_managers(paths, admin)]


def test_a_customer_moved_to_an_agency_is_seen_by_its_manager(paths, admin):
    assert ("alpha", 3) not in scope_of(paths, DIRECTOR).customers
    portfolios.set_customer_agency(paths, admin, "alpha", 3, "paris", now=NOW)
    assert ("alpha", 3) in scope_of(paths, DIRECTOR).customers
    assert changes(paths) == [(ADMIN, "customer_agency_set", "alpha/3", "Agence Agence Lyon → Agence Paris.")]


def test_customers_are_found_by_name_reference_or_pennylane_id(paths, admin):
    def found(text):
        return [(c.entity_id, c.customer_id) for c in portfolios.find_customers(paths, admin, text, today=TODAY)]

    assert found("café") == [("beta", 21), ("beta", 22)]
    assert found("c2") == [("alpha", 2)]
    assert found("20") == [("beta", 20)]
    assert found("lefèvre") == [("alpha", 1), ("beta", 20)]
