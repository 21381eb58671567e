"""The permission table: every role × every action, allowed and refused, and the doc that shows it."""

import pytest

from core.access.permissions import (
    PERMISSIONS,
    Action,
    Forbidden,
    Role,
    allows,
    permissions_table,
    require,
)
from tests.conftest import ROOT

A = Action
READ = {A.VIEW_HOME, A.VIEW_DASHBOARD, A.VIEW_LISTS, A.EXPORT}
COLLECT = {
    A.SET_INTERNAL_STATUS, A.SET_AGREEMENT_DATE, A.RECORD_DISPUTE, A.RECORD_PROMISE,
    A.ADD_NOTE, A.LOG_CALL, A.SEND_MANUAL_REMINDER, A.VALIDATE_REMINDERS,
}  # fmt: skip
# Written out independently of the module: what the client asked for, role by role.
EXPECTED = {
    Role.ADMIN: set(Action),
    Role.MANAGEMENT: READ | {A.VIEW_DATA_QUALITY},
    Role.ACCOUNTING: READ | COLLECT | {A.VIEW_DATA_QUALITY},
    Role.TREASURY: READ | {A.SET_AGREEMENT_DATE, A.VIEW_DATA_QUALITY},
    Role.AGENCY_MANAGER: READ | {A.ADD_NOTE, A.LOG_CALL},
    Role.SALES_REP: READ | {A.ADD_NOTE, A.LOG_CALL},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_every_role_and_action(role: Role, action: Action) -> None:
    expected = action in EXPECTED[role]
    assert allows(role, action) is expected
    if expected:
        require(role, action)
    else:
        with pytest.raises(Forbidden, match="ne permet pas"):
            require(role, action)


def test_only_admins_manage_people_and_settings() -> None:
    managers = {r for r in Role if allows(r, A.MANAGE_USERS) or allows(r, A.MANAGE_ORGANISATION)}
    assert managers == {Role.ADMIN}


def test_read_only_roles_change_nothing() -> None:
    assert not (PERMISSIONS[Role.MANAGEMENT] & COLLECT)
    assert PERMISSIONS[Role.TREASURY] & COLLECT == {A.SET_AGREEMENT_DATE}


def test_an_unknown_role_may_do_nothing() -> None:
    assert not any(allows("stagiaire", a) for a in Action)
    with pytest.raises(Forbidden, match="stagiaire"):
        require("stagiaire", A.VIEW_HOME)


def test_docs_roles_shows_the_table_the_code_applies() -> None:
    doc = (ROOT / "docs" / "roles.md").read_text(encoding="utf-8")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in doc.split("## What each role may do", 1)[1].splitlines()
        if line.startswith("| ")
    ]
    assert rows == permissions_table()
