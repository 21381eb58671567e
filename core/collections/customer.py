"""The customer view's data: every invoice of the customer, open and overdue totals, DSO (the
`dso_countback` macro over the customer's own sales, docs/metrics.md), account managers, promises
and the complete history. None when the customer is not in the user's scope."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.addresses import postal_lines
from core.cache import snapshot_cached
from core.collections import history, promises, workflow
from core.collections.followups import dispute_reasons, in_scope
from core.collections.history import HistoryEntry
from core.collections.invoice import STATUS_LABELS
from core.collections.promises import Promise
from core.metrics import dso
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

_CUSTOMER_SQL = """
SELECT entity_id, entity_name, customer_id, customer_name, emails, billing_language, agency_name,
       billing_street, billing_postal_code, billing_city, country_alpha2
FROM scoped_customers WHERE entity_id = ? AND customer_id = ?
"""
_MANAGERS_SQL = """
SELECT m.email, coalesce(u.full_name, m.email), m.is_primary
FROM customer_managers AS m LEFT JOIN users AS u ON u.email = m.email
WHERE m.entity_id = ? AND m.customer_id = ?
ORDER BY NOT m.is_primary, m.email
"""
_INVOICES_SQL = """
SELECT invoice_id, invoice_number, issue_date, due_date, expected_date, amount_eur, open_amount_eur, status,
       internal_status, days_late
FROM scoped_invoices WHERE entity_id = $entity AND customer_id = $customer
ORDER BY issue_date DESC, invoice_id DESC
"""
# Receivables and net sales (amount net of credit notes, receivables only: docs/metrics.md) of
# the three months before today, into the same macro as the dashboard's DSO.
_TOTALS_SQL = """
WITH mine AS (SELECT * FROM scoped_invoices WHERE entity_id = $entity AND customer_id = $customer),
sums AS (
    SELECT coalesce(sum(open_amount_eur) FILTER (WHERE status IN ('not_due', 'overdue')), 0) AS open_total,
           coalesce(sum(open_amount_eur) FILTER (WHERE status = 'overdue'), 0)             AS overdue_total,
           sum(amount_eur - credited_amount_eur) FILTER (WHERE status IN ('not_due', 'overdue', 'paid')
               AND issue_date > $s1_after AND issue_date <= $s1_until)                     AS s1,
           sum(amount_eur - credited_amount_eur) FILTER (WHERE status IN ('not_due', 'overdue', 'paid')
               AND issue_date > $s2_after AND issue_date <= $s2_until)                     AS s2,
           sum(amount_eur - credited_amount_eur) FILTER (WHERE status IN ('not_due', 'overdue', 'paid')
               AND issue_date > $s3_after AND issue_date <= $s3_until)                     AS s3
    FROM mine
)
SELECT open_total, overdue_total, dso_countback(open_total, s1, s2, s3, $d1, $d2, $d3),
       coalesce(s1, 0) + coalesce(s2, 0) + coalesce(s3, 0)
FROM sums
"""


@dataclass(frozen=True)
class Manager:
    email: str
    name: str
    primary: bool


@dataclass(frozen=True)
class CustomerInvoice:
    invoice_id: int
    invoice_number: str | None
    issue_date: date | None
    due_date: date | None
    expected_date: date | None
    amount: Decimal
    open_amount: Decimal
    status: str
    internal_status: str
    days_late: int | None
    promise_not_kept: bool

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def internal_label(self) -> str:
        return workflow.label(self.internal_status)


@dataclass(frozen=True)
class CustomerView:
    entity_id: str
    entity_name: str | None
    customer_id: int
    name: str | None
    emails: tuple[str, ...]
    billing_language: str | None
    agency_name: str | None
    managers: tuple[Manager, ...]
    address_lines: tuple[str, ...]
    """The billing address in Pennylane, as a letter's window shows it (core.addresses)."""
    invoices: tuple[CustomerInvoice, ...]
    open_total: Decimal
    overdue_total: Decimal
    dso: Decimal
    dso_capped: bool
    promises: tuple[Promise, ...]
    history: tuple[HistoryEntry, ...]

    @property
    def promises_not_kept(self) -> tuple[Promise, ...]:
        return tuple(p for p in self.promises if p.not_kept)


@snapshot_cached(maxsize=64)
def customer_view(
    paths: StorePaths, scope: Scope, entity_id: str, customer_id: int, *, today: date, grace_days: int
) -> CustomerView | None:
    """The customer as the user may see it, or None (unknown, or outside their scope)."""
    if not in_scope(scope, entity_id, customer_id):
        return None
    with operations.session(paths) as ops:
        reasons = dispute_reasons(ops, active_only=False)
        promise_rows = promises.read_rows(ops, entity_id=entity_id, customer_id=customer_id)
        with read_session(paths, scope, today=today) as con:
            row = next(iter(con.execute(_CUSTOMER_SQL, [entity_id, customer_id]).fetchall()), None)
            if row is None:
                return None
            managers = tuple(
                Manager(email, name, bool(primary))
                for email, name, primary in con.execute(_MANAGERS_SQL, [entity_id, customer_id]).fetchall()
            )
            key = {"entity": entity_id, "customer": customer_id}
            invoice_rows = con.execute(_INVOICES_SQL, key).fetchall()
            totals = con.execute(_TOTALS_SQL, {**key, **dso.sales_params(today)}).fetchall()[0]
            found = tuple(promises.evaluate(con, promise_rows, today=today, grace_days=grace_days))
        numbers = {int(r[0]): r[1] for r in invoice_rows}
        entries = history.read_entries(ops, entity_id, customer_id, numbers=numbers, reasons=reasons, promises=found)
    not_kept = {p.invoice_id for p in found if p.not_kept}
    invoices = tuple(
        CustomerInvoice(
            invoice_id=int(r[0]), invoice_number=r[1], issue_date=r[2], due_date=r[3], expected_date=r[4],
            amount=r[5], open_amount=r[6], status=r[7], internal_status=r[8], days_late=r[9],
            promise_not_kept=int(r[0]) in not_kept,
        )
        for r in invoice_rows
    )  # fmt: skip
    open_total, overdue_total, days, sales = totals
    return CustomerView(
        entity_id=row[0], entity_name=row[1], customer_id=int(row[2]), name=row[3],
        emails=tuple(row[4] or ()), billing_language=row[5], agency_name=row[6], managers=managers,
        address_lines=postal_lines(*row[7:11]),
        invoices=invoices, open_total=Decimal(open_total), overdue_total=Decimal(overdue_total),
        dso=Decimal(str(round(days or 0, 1))), dso_capped=open_total > 0 and open_total > max(sales, 0),
        promises=found, history=history.merge(entries),
    )  # fmt: skip


def customer_history(
    view: CustomerView, *, kinds: Iterable[str] | None = None, extra: Iterable[HistoryEntry] = ()
) -> tuple[HistoryEntry, ...]:
    """The customer's history, newest first, only `kinds` when given; `extra` adds entries kept
    elsewhere (the messages sent, from the mail module)."""
    return history.merge(view.history, extra, kinds=kinds)
