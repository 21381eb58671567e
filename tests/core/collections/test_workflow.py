"""The workflow of an invoice's internal status: every allowed and refused move, per role, and
the audit row each write leaves (who, when, from, to, comment, fields)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from core.access.permissions import Forbidden, Role, allows
from core.collections import workflow
from core.collections.errors import RefusedTransition
from core.collections.followups import change_status, read_followup
from core.collections.workflow import StatusChange
from core.store import operations
from tests.core.collections.conftest import NOW, person
from tests.support.cash_book import TODAY

IN_TEN_DAYS = TODAY + timedelta(days=10)
FIELDS = {
    workflow.ISSUED: {},
    workflow.REMINDED: {},
    workflow.PAYMENT_AGREEMENT: {"agreement_date": IN_TEN_DAYS},
    workflow.DISPUTED: {"dispute_reason": "price", "dispute_expected_end": IN_TEN_DAYS},
    workflow.ON_HOLD: {"on_hold_until": IN_TEN_DAYS},
    workflow.LEGAL: {"legal_date": TODAY},
}


def _put(paths, invoice_id: int, status: str) -> int:
    """Bring invoice to `status` as an admin (through the workflow's own path); its version."""
    admin = person(paths, Role.ADMIN)
    with operations.session(paths) as ops:
        version = read_followup(ops, "alpha", invoice_id).version
    path = {
        workflow.ISSUED: [],
        workflow.REMINDED: [workflow.REMINDED],
        workflow.PAYMENT_AGREEMENT: [workflow.PAYMENT_AGREEMENT],
        workflow.DISPUTED: [workflow.DISPUTED],
        workflow.ON_HOLD: [workflow.ON_HOLD],
        workflow.LEGAL: [workflow.LEGAL],
    }[status]
    for to in path:
        version = change_status(
            paths,
            admin,
            "alpha",
            invoice_id,
            StatusChange(to, fields=FIELDS[to]),
            version=version,
            now=NOW,
            today=TODAY,
        ).version
    return version


def _audit(paths, invoice_id: int) -> list[tuple]:
    with operations.session(paths) as ops:
        return ops.execute(
            "SELECT changed_by, changed_at, from_status, to_status, comment, fields_json, version "
            "FROM invoice_status_changes WHERE invoice_id = ? ORDER BY change_id",
            (invoice_id,),
        ).fetchall()


MOVES = [(f, t) for f in workflow.TRANSITIONS if f != workflow.COLLECTED for t in workflow.ACTION_FOR]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("start", "to"), MOVES, ids=lambda v: str(v))
def test_every_move_per_role_is_allowed_or_refused_as_the_tables_say(paths, role, start, to):
    version = _put(paths, 105, start)
    before = len(_audit(paths, 105))
    user = person(paths, role)
    change = StatusChange(to, comment="au téléphone", fields=FIELDS[to])
    may = allows(role, workflow.ACTION_FOR[to])
    valid = to in workflow.TRANSITIONS[start]
    if not may:
        with pytest.raises(Forbidden, match="ne permet pas"):
            change_status(paths, user, "alpha", 105, change, version=version, now=NOW, today=TODAY)
    elif not valid:
        with pytest.raises(RefusedTransition) as refused:
            change_status(paths, user, "alpha", 105, change, version=version, now=NOW, today=TODAY)
        assert any(w in str(refused.value) for w in ("impossible", "déjà", "contentieux"))
    else:
        after = change_status(paths, user, "alpha", 105, change, version=version, now=NOW, today=TODAY)
        assert after.status == to and after.version == version + 1
        audit = _audit(paths, 105)
        assert len(audit) == before + 1
        who, at, was, now_status, comment, fields, v = audit[-1]
        assert (who, at, was, now_status, comment, v) == (
            user.email,
            NOW.isoformat(),
            start,
            to,
            "au téléphone",
            version + 1,
        )
        assert json.loads(fields) == {k: (v.isoformat() if isinstance(v, date) else v) for k, v in FIELDS[to].items()}
        return
    assert len(_audit(paths, 105)) == before  # a refusal writes nothing
    with operations.session(paths) as ops:
        assert read_followup(ops, "alpha", 105).version == version


def test_the_roles_that_may_move_an_invoice(paths):
    # accounting and admin may do everything; treasury only agreements; the others nothing
    assert workflow.allowed_targets("accounting", workflow.ISSUED) == (
        "reminded", "payment_agreement", "disputed", "on_hold", "legal",
    )  # fmt: skip
    assert workflow.allowed_targets("treasury", workflow.REMINDED) == ("payment_agreement",)
    assert workflow.allowed_targets("sales_rep", workflow.ISSUED) == ()
    assert workflow.allowed_targets("management", workflow.ISSUED) == ()


@pytest.mark.parametrize(
    ("to", "fields", "message"),
    [
        (workflow.PAYMENT_AGREEMENT, {}, "date de paiement convenue"),
        (workflow.PAYMENT_AGREEMENT, {"agreement_date": TODAY - timedelta(days=1)}, "ne peut pas être passée"),
        (workflow.DISPUTED, {"dispute_expected_end": IN_TEN_DAYS}, "motif du litige"),
        (workflow.DISPUTED, {"dispute_reason": "made_up", "dispute_expected_end": IN_TEN_DAYS}, "motif du litige"),
        (workflow.DISPUTED, {"dispute_reason": "price"}, "litige devrait être réglé"),
        (workflow.ON_HOLD, {"on_hold_until": TODAY}, "après aujourd'hui"),
        (workflow.LEGAL, {"legal_date": TODAY + timedelta(days=1)}, "ne peut pas être future"),
        (workflow.COLLECTED, {}, "ne se pose pas à la main"),
    ],
)
def test_missing_or_wrong_fields_are_refused_in_french(paths, to, fields, message):
    with pytest.raises(RefusedTransition, match=message):
        change_status(
            paths, person(paths, Role.ACCOUNTING), "alpha", 105, StatusChange(to, fields=fields),
            version=0, now=NOW, today=TODAY,
        )  # fmt: skip
    assert _audit(paths, 105) == []


def test_a_move_keeps_only_the_new_status_fields(paths):
    version = _put(paths, 105, workflow.PAYMENT_AGREEMENT)
    user = person(paths, Role.ACCOUNTING)
    change = StatusChange(workflow.DISPUTED, fields=FIELDS[workflow.DISPUTED])
    after = change_status(paths, user, "alpha", 105, change, version=version, now=NOW, today=TODAY)
    assert (after.agreement_date, after.dispute_reason, after.dispute_expected_end) == (None, "price", IN_TEN_DAYS)


def test_the_audit_trail_cannot_be_edited_or_deleted(paths):
    _put(paths, 105, workflow.REMINDED)
    with operations.session(paths) as ops:
        with pytest.raises(sqlite3.IntegrityError, match="ne se modifie pas"):
            ops.execute("UPDATE invoice_status_changes SET to_status = 'legal'")
        with pytest.raises(sqlite3.IntegrityError, match="ne se supprime pas"):
            ops.execute("DELETE FROM invoice_status_changes")
