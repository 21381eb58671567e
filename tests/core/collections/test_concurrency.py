"""Two people on the same invoice: each write carries the version it was based on; the second
is refused with the current state, and nothing is overwritten."""

from __future__ import annotations

from datetime import date

import pytest

from core.access.permissions import Role
from core.collections import workflow
from core.collections.errors import StaleWrite
from core.collections.followups import add_note, change_status
from core.collections.invoice import invoice_detail
from core.collections.workflow import StatusChange
from tests.core.collections.conftest import NOW, person
from tests.support.cash_book import TODAY


def test_the_second_writer_is_refused_with_the_current_state(paths):
    claire, admin = person(paths, Role.ACCOUNTING), person(paths, Role.ADMIN)
    seen_by_claire = invoice_detail(paths, claire, "alpha", 105, today=TODAY, grace_days=3)
    seen_by_admin = invoice_detail(paths, admin, "alpha", 105, today=TODAY, grace_days=3)
    assert seen_by_claire.version == seen_by_admin.version == 0

    agreed = StatusChange(workflow.PAYMENT_AGREEMENT, fields={"agreement_date": date(2026, 12, 10)})
    change_status(paths, claire, "alpha", 105, agreed, version=seen_by_claire.version, now=NOW, today=TODAY)

    dispute = StatusChange(
        workflow.DISPUTED, fields={"dispute_reason": "price", "dispute_expected_end": date(2026, 12, 20)}
    )
    with pytest.raises(StaleWrite) as stale:
        change_status(paths, admin, "alpha", 105, dispute, version=seen_by_admin.version, now=NOW, today=TODAY)
    assert stale.value.current.status == workflow.PAYMENT_AGREEMENT
    assert stale.value.current.agreement_date == date(2026, 12, 10)
    assert "compta@verdier.example" in str(stale.value) and "rien n'a été enregistré" in str(stale.value)

    now = invoice_detail(paths, admin, "alpha", 105, today=TODAY, grace_days=3)
    assert (now.followup.status, now.followup.agreement_date, now.version) == (
        "payment_agreement",
        date(2026, 12, 10),
        1,
    )
    assert len(now.entries("status")) == 1  # the refused write left no audit row


def test_a_note_on_a_stale_version_is_refused_too(paths):
    claire, admin = person(paths, Role.ACCOUNTING), person(paths, Role.ADMIN)
    add_note(paths, claire, "alpha", 2, "Client rappelé", invoice_id=105, version=0, now=NOW, today=TODAY)
    with pytest.raises(StaleWrite):
        add_note(paths, admin, "alpha", 2, "Autre note", invoice_id=105, version=0, now=NOW, today=TODAY)
    notes = invoice_detail(paths, admin, "alpha", 105, today=TODAY, grace_days=3).entries("note")
    assert [n.detail for n in notes] == ["Client rappelé"]
