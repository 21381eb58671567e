"""Promises with a pinned clock, on invoice 109 (customer 1: 400 due Mon 30/11; 150 paid Tue 01/12).
Grace 3 days: a promise for D counts payments dated from its day to D + 3."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from core.access.permissions import Role
from core.collections.customer import customer_view
from core.collections.followups import PromiseInput, read_followup, record_promise
from core.collections.invoice import invoice_detail
from core.collections.promises import BROKEN, KEPT, PARTLY_KEPT, PENDING, broken_promises
from core.formatting import PARIS
from core.store import operations
from tests.core.collections.conftest import person

GRACE = 3


def _promise(paths, amount: str, promised_for: date, made_on: date) -> int:
    user = person(paths, Role.ACCOUNTING)
    with operations.session(paths) as ops:
        version = read_followup(ops, "alpha", 109).version
    now = datetime(made_on.year, made_on.month, made_on.day, 9, 0, tzinfo=PARIS)
    return record_promise(
        paths, user, "alpha", 109, PromiseInput(amount, promised_for, "call"), version=version, now=now, today=made_on
    )


def _states(paths, today: date) -> dict[int, str]:
    detail = invoice_detail(paths, person(paths, Role.ACCOUNTING), "alpha", 109, today=today, grace_days=GRACE)
    return {p.promise_id: p.state for p in detail.promises}


def test_kept_partly_kept_broken_and_pending(paths):
    kept = _promise(paths, "150,00", date(2026, 12, 1), made_on=date(2026, 11, 27))  # 150 came on 01/12
    partly = _promise(paths, "400", date(2026, 11, 30), made_on=date(2026, 11, 27))  # 150 of 400 by 03/12
    broken = _promise(paths, "100", date(2026, 11, 20), made_on=date(2026, 11, 18))  # nothing by 23/11
    assert _states(paths, date(2026, 12, 2)) == {
        kept: KEPT,
        partly: PENDING,
        broken: BROKEN,
    }  # 400's grace runs to 03/12
    assert _states(paths, date(2026, 12, 4)) == {kept: KEPT, partly: PARTLY_KEPT, broken: BROKEN}


def test_a_payment_before_the_promise_does_not_keep_it(paths):
    late = _promise(paths, "150", date(2026, 12, 5), made_on=date(2026, 12, 2))  # the 150 of 01/12 came before
    assert _states(paths, date(2026, 12, 9)) == {late: BROKEN}


def test_broken_promises_are_flagged_on_the_invoice_the_customer_and_the_list(paths):
    broken = _promise(paths, "100", date(2026, 11, 20), made_on=date(2026, 11, 18))
    today = date(2026, 12, 2)
    accounting = person(paths, Role.ACCOUNTING)
    assert invoice_detail(paths, accounting, "alpha", 109, today=today, grace_days=GRACE).promise_not_kept
    view = customer_view(paths, accounting, "alpha", 1, today=today, grace_days=GRACE)
    assert [p.promise_id for p in view.promises_not_kept] == [broken]
    assert [i.promise_not_kept for i in view.invoices if i.invoice_id == 109] == [True]
    listed = broken_promises(paths, accounting, today=today, grace_days=GRACE)
    assert [(p.promise_id, p.state_label, p.shortfall) for p in listed] == [
        (broken, "Promesse non tenue", Decimal("100.00"))
    ]
    # Bob's portfolio (customers 2, 3) does not hold invoice 109
    assert broken_promises(paths, person(paths, Role.SALES_REP), today=today, grace_days=GRACE) == ()


def test_a_longer_grace_gives_a_promise_more_time(paths):
    partly = _promise(paths, "400", date(2026, 11, 30), made_on=date(2026, 11, 27))
    detail = invoice_detail(paths, person(paths, Role.ADMIN), "alpha", 109, today=date(2026, 12, 4), grace_days=10)
    assert [(p.promise_id, p.state) for p in detail.promises] == [(partly, PENDING)]
