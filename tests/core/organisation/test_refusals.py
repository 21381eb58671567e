"""Only an admin changes the organisation: every other role is refused, in French, and nothing moves."""

import pytest

from core.access.permissions import Forbidden, Role
from core.organisation import agencies, imports, people, portfolios
from core.organisation.changes import history
from core.scope import Scope
from tests.core.organisation.conftest import REP_A, REP_B, assignments, changes
from tests.support.stores import NOW

TODAY = NOW.date()
CSV = "Identifiant Pennylane;E-mail du chargé\n3;rep.a@verdier.example\n".encode("cp1252")

CALLS = {
    "list_users": lambda p, s: people.list_users(p, s),
    "create_user": lambda p, s: people.create_user(
        p, s, email="x@verdier.example", full_name="X", role="admin", agency_id=None, now=NOW
    ),
    "change_role": lambda p, s: people.change_role(p, s, REP_B, "agency_manager", now=NOW),
    "change_agency": lambda p, s: people.change_agency(p, s, REP_A, "lyon", now=NOW),
    "rename_user": lambda p, s: people.rename_user(p, s, REP_A, "X", now=NOW),
    "deactivate": lambda p, s: people.deactivate(p, s, REP_A, now=NOW),
    "reactivate": lambda p, s: people.reactivate(p, s, REP_A, now=NOW),
    "reset_password": lambda p, s: people.reset_password(p, s, REP_A, now=NOW),
    "list_agencies": lambda p, s: agencies.list_agencies(p, s),
    "entities": lambda p, s: agencies.entities(p, s, today=TODAY),
    "add_agency": lambda p, s: agencies.add_agency(p, s, name="Nice", entity_id="alpha", now=NOW),
    "rename_agency": lambda p, s: agencies.rename_agency(p, s, "paris", "Paris Nord", now=NOW),
    "find_customers": lambda p, s: portfolios.find_customers(p, s, "", today=TODAY),
    "managers_of": lambda p, s: portfolios.managers_of(p, s, "alpha", 1),
    "account_managers": lambda p, s: portfolios.account_managers(p, s),
    "add_assignment": lambda p, s: portfolios.add_assignment(p, s, "alpha", 3, REP_A, now=NOW),
    "remove_assignment": lambda p, s: portfolios.remove_assignment(p, s, "alpha", 1, REP_A, now=NOW),
    "set_primary": lambda p, s: portfolios.set_primary(p, s, "alpha", 2, REP_A, now=NOW),
    "set_customer_agency": lambda p, s: portfolios.set_customer_agency(p, s, "alpha", 1, "lyon", now=NOW),
    "import_preview": lambda p, s: imports.preview(p, s, "f.csv", CSV, today=TODAY),
    "history": lambda p, s: history(p, s),
}


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_every_other_role_is_refused_every_organisation_call(paths, admin, role):
    before = (assignments(paths), people.list_users(paths, admin), agencies.list_agencies(paths, admin))
    acting = Scope(email="someone@verdier.example", role=role, customers=None)  # even one who sees everything
    for name, call in CALLS.items():
        with pytest.raises(Forbidden, match="Votre profil .* ne permet pas"):
            call(paths, acting)
        assert name
    plan = imports.preview(paths, admin, "f.csv", CSV, today=TODAY)
    with pytest.raises(Forbidden):
        imports.apply(paths, acting, plan, now=NOW)
    assert (assignments(paths), people.list_users(paths, admin), agencies.list_agencies(paths, admin)) == before
    assert changes(paths) == []


def test_an_admin_may_make_every_call(paths, admin):
    for call in CALLS.values():
        call(paths, admin)
