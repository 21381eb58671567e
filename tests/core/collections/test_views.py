"""The invoice detail and the customer view: what they show, 'collected' after a sync marks the
invoice paid, an agreement date moving the dashboard's expected week, and the scope (a sales rep
can neither open nor write to an invoice or customer outside their portfolio, by id)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from core.access.permissions import Role
from core.collections import history, workflow
from core.collections.customer import customer_history, customer_view
from core.collections.errors import NotInScope, RefusedTransition
from core.collections.followups import PromiseInput, add_note, change_status, log_call, record_promise
from core.collections.history import HistoryEntry
from core.collections.invoice import invoice_detail
from core.collections.workflow import StatusChange
from core.dashboard.figures import dashboard
from core.dashboard.filters import default_filters
from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.scope import everything
from tests.core.collections.conftest import NOW, person
from tests.support import records as r
from tests.support.cash_book import TODAY

D = Decimal
AGREED = StatusChange(
    workflow.PAYMENT_AGREEMENT, comment="accord au téléphone", fields={"agreement_date": date(2026, 12, 10)}
)


def test_the_invoice_detail_shows_pennylane_data_and_the_workspace(paths):
    claire = person(paths, Role.ACCOUNTING)
    change_status(paths, claire, "alpha", 105, AGREED, version=0, now=NOW, today=TODAY)
    add_note(paths, claire, "alpha", 2, "Le client attend son virement", invoice_id=105, version=1,
             now=NOW + timedelta(minutes=1), today=TODAY)  # fmt: skip
    log_call(paths, claire, "alpha", 2, contact="M. Morel", outcome="promised", note="paiera le 10",
             invoice_id=105, version=2, now=NOW + timedelta(minutes=2), today=TODAY,
             promise=PromiseInput("800", date(2026, 12, 10)))  # fmt: skip
    detail = invoice_detail(paths, claire, "alpha", 105, today=TODAY, grace_days=3)
    assert (detail.invoice_number, detail.customer_name, detail.amount, detail.open_amount) == (
        "F-2026-000105", "Transports Morel", D("800.00"), D("800.00"),
    )  # fmt: skip
    assert (detail.status_label, detail.due_date, detail.expected_date) == (
        "En retard",
        date(2026, 11, 20),
        date(2026, 12, 10),
    )
    assert (detail.followup.label, detail.followup.agreement_date, detail.version) == (
        "Accord de paiement",
        date(2026, 12, 10),
        3,
    )
    assert [e.kind for e in detail.history] == ["call", "promise", "note", "status"]  # newest first
    status = detail.entries("status")[0]
    assert status.title == "Émise → Accord de paiement"
    assert status.detail == "date de paiement convenue : 10/12/2026 · accord au téléphone"
    assert detail.entries("call")[0].title == "Appel à M. Morel : Promesse de paiement"
    assert [(p.amount, p.state, p.source) for p in detail.promises] == [(D("800.00"), "pending", "call")]


def test_collected_appears_once_a_sync_marks_the_invoice_paid(paths, tmp_path):
    claire = person(paths, Role.ACCOUNTING)
    change_status(paths, claire, "alpha", 105, AGREED, version=0, now=NOW, today=TODAY)
    record_promise(paths, claire, "alpha", 105, PromiseInput("800", date(2026, 12, 10), "email"), version=1,
                   now=NOW, today=TODAY)  # fmt: skip
    assert invoice_detail(paths, claire, "alpha", 105, today=TODAY, grace_days=3).followup.status == "payment_agreement"

    paid = r.write_entity(
        tmp_path / "next-sync", "alpha",
        customers=[r.customer(1), r.customer(2, name="Transports Morel"), r.customer(3, name="Garage Petit")],
        invoices=[r.invoice(105, 2, "800.00", date="2026-11-01", deadline="2026-11-20", remaining="0.00", status="paid")],
        lines=[
            r.line(1, account=9002, entry=50105, date="2026-11-01", debit="800.00", lettered=[1, 2]),
            r.line(2, account=9002, entry=70002, date="2026-12-09", credit="800.00", lettered=[1, 2]),
        ],
    )  # fmt: skip
    publish_batches(paths, [batch_from_directory(paid, "alpha", "Alpha SAS")],
                    now=datetime(2026, 12, 10, 6, 0, tzinfo=UTC), source="files")  # fmt: skip
    today = date(2026, 12, 10)
    detail = invoice_detail(paths, claire, "alpha", 105, today=today, grace_days=3)
    assert (detail.status, detail.followup.status, detail.followup.label) == ("paid", "collected", "Encaissée")
    assert [p.state for p in detail.promises] == ["kept"]  # 800 paid on 09/12, promised for 10/12
    with pytest.raises(RefusedTransition, match="réglée dans Pennylane"):
        change_status(paths, claire, "alpha", 105, StatusChange(workflow.REMINDED), version=2, now=NOW, today=today)


def test_an_agreement_date_moves_the_expected_week_on_the_dashboard_at_the_next_read(paths):
    def weeks():
        board = dashboard(paths, everything(), default_filters(TODAY), today=TODAY)
        return {w.label: w.expected for w in board.weeks if w.expected}

    assert weeks()["S47 2026"] == D("800.00")  # 105 due Fri 20/11
    change_status(paths, person(paths, Role.TREASURY), "alpha", 105, AGREED, version=0, now=NOW, today=TODAY)
    after = weeks()
    assert after["S50 2026"] == D("800.00") and "S47 2026" not in after


def test_the_customer_view(paths):
    claire = person(paths, Role.ACCOUNTING)
    change_status(paths, claire, "alpha", 105, AGREED, version=0, now=NOW, today=TODAY)
    add_note(paths, claire, "alpha", 2, "Nouveau comptable chez le client", now=NOW + timedelta(hours=1), today=TODAY)
    view = customer_view(paths, claire, "alpha", 2, today=TODAY, grace_days=3)
    assert view.name == "Transports Morel"
    assert [i.invoice_id for i in view.invoices] == [105, 104, 103]  # newest first
    # open: 103 300 + 105 800, both overdue; DSO: 1 100 = sales of 02/10–02/11 (103 net 300, 105 800),
    # none in the last month: 30 days (02/11–02/12) + 31 days (02/10–02/11)
    assert (view.open_total, view.overdue_total, view.dso, view.dso_capped) == (
        D("1100.00"),
        D("1100.00"),
        D("61.0"),
        False,
    )
    assert [(m.name, m.primary) for m in view.managers] == [("Bob Rep", True), ("Rita Rep", False)]
    assert [e.kind for e in view.history] == ["note", "status"]
    assert [e.kind for e in customer_history(view, kinds=["status"])] == ["status"]
    message = HistoryEntry(NOW + timedelta(hours=2), history.MESSAGE, "compta@verdier.example", "Relance")
    assert [e.kind for e in customer_history(view, extra=[message])] == ["message", "note", "status"]


def test_a_sales_rep_cannot_open_or_write_outside_the_portfolio(paths):
    bob = person(paths, Role.SALES_REP)  # customers 2 and 3; 109 and 101 belong to customer 1
    assert invoice_detail(paths, bob, "alpha", 109, today=TODAY, grace_days=3) is None
    assert customer_view(paths, bob, "alpha", 1, today=TODAY, grace_days=3) is None
    assert invoice_detail(paths, bob, "alpha", 105, today=TODAY, grace_days=3) is not None
    for write in (
        lambda: add_note(paths, bob, "alpha", 1, "x", now=NOW, today=TODAY),
        lambda: add_note(paths, bob, "alpha", 1, "x", invoice_id=109, version=0, now=NOW, today=TODAY),
        lambda: add_note(paths, bob, "alpha", 2, "x", invoice_id=109, version=0, now=NOW, today=TODAY),  # wrong pair
        lambda: log_call(paths, bob, "alpha", 1, contact="A", outcome="no_answer", now=NOW, today=TODAY),
    ):
        with pytest.raises(NotInScope, match="hors de votre périmètre"):
            write()
    # an accountant may, but not on an invoice that does not exist
    with pytest.raises(NotInScope):
        record_promise(paths, person(paths, Role.ACCOUNTING), "alpha", 999, PromiseInput("1", TODAY), version=0,
                       now=NOW, today=TODAY)  # fmt: skip
    assert invoice_detail(paths, person(paths, Role.ADMIN), "alpha", 109, today=TODAY, grace_days=3).history == ()
