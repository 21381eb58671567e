"""The invoice detail page's data: Pennylane's view of the invoice (amounts, dates, status,
e-invoicing status), its internal status with its fields and version, its history, notes, calls
and promises. None when the invoice does not exist in the user's scope (by URL or id alike)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from core.cache import snapshot_cached
from core.collections import history, promises
from core.collections.followups import dispute_reasons, in_scope, read_followup
from core.collections.history import HistoryEntry
from core.collections.promises import Promise
from core.collections.workflow import FollowUp
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

STATUS_LABELS = {
    "draft": "Brouillon",
    "credit_note": "Avoir",
    "archived": "Archivée",
    "cancelled": "Annulée",
    "paid": "Payée",
    "overdue": "En retard",
    "not_due": "Non échue",
}

_INVOICE_SQL = """
SELECT entity_id, entity_name, invoice_id, invoice_number, label, customer_id, customer_name,
       issue_date, due_date, expected_date, currency, amount_eur, tax_eur, paid_amount_eur,
       credited_amount_eur, open_amount_eur, last_payment_date, status, pennylane_status,
       e_invoicing_status, days_late, internal_status, primary_manager_name
FROM scoped_invoices WHERE entity_id = ? AND invoice_id = ?
"""


@dataclass(frozen=True)
class InvoiceDetail:
    entity_id: str
    entity_name: str | None
    invoice_id: int
    invoice_number: str | None
    label: str | None
    customer_id: int
    customer_name: str | None
    issue_date: date | None
    due_date: date | None
    expected_date: date | None
    currency: str | None
    amount: Decimal
    tax: Decimal | None
    paid: Decimal
    credited: Decimal
    open_amount: Decimal
    last_payment_date: date | None
    status: str
    pennylane_status: str | None
    e_invoicing_status: str | None
    days_late: int | None
    manager_name: str | None
    followup: FollowUp
    """Status as the invoices view shows it (`collected` once paid) and the stored fields and version."""
    dispute_reason_label: str | None
    history: tuple[HistoryEntry, ...]
    promises: tuple[Promise, ...]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def version(self) -> int:
        return self.followup.version

    @property
    def promise_not_kept(self) -> bool:
        return any(p.not_kept for p in self.promises)

    def entries(self, kind: str) -> tuple[HistoryEntry, ...]:
        return tuple(e for e in self.history if e.kind == kind)


@snapshot_cached(maxsize=64)
def invoice_detail(
    paths: StorePaths, scope: Scope, entity_id: str, invoice_id: int, *, today: date, grace_days: int
) -> InvoiceDetail | None:
    """The invoice as the user may see it, or None (unknown, or outside their scope)."""
    with operations.session(paths) as ops:
        stored = read_followup(ops, entity_id, invoice_id)
        reasons = dispute_reasons(ops, active_only=False)
        promise_rows = promises.read_rows(ops, entity_id=entity_id, invoice_id=invoice_id)
        with read_session(paths, scope, today=today) as con:
            row = next(iter(con.execute(_INVOICE_SQL, [entity_id, invoice_id]).fetchall()), None)
            if row is None or not in_scope(scope, row[0], int(row[5])):
                return None
            found = tuple(promises.evaluate(con, promise_rows, today=today, grace_days=grace_days))
        entries = history.read_entries(
            ops, entity_id, int(row[5]), invoice_id=invoice_id, numbers={invoice_id: row[3]}, reasons=reasons,
            promises=found,
        )  # fmt: skip
    followup = replace(stored, status=row[21])
    return InvoiceDetail(
        entity_id=row[0], entity_name=row[1], invoice_id=int(row[2]), invoice_number=row[3], label=row[4],
        customer_id=int(row[5]), customer_name=row[6], issue_date=row[7], due_date=row[8], expected_date=row[9],
        currency=row[10], amount=row[11], tax=row[12], paid=row[13], credited=row[14], open_amount=row[15],
        last_payment_date=row[16], status=row[17], pennylane_status=row[18], e_invoicing_status=row[19],
        days_late=row[20], manager_name=row[22], followup=followup,
        dispute_reason_label=reasons.get(stored.dispute_reason or "") if stored.dispute_reason else None,
        history=history.merge(entries), promises=found,
    )  # fmt: skip


def key_from_address(entity: str | None, identifier: str | None) -> tuple[str, int] | None:
    """(entity_id, id) from a page's query parameters, None when either is missing or not a number."""
    if not entity or not identifier or not identifier.strip().isdigit():
        return None
    return entity.strip(), int(identifier.strip())
