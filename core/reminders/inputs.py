"""The engine's inputs, read from the stores: open invoices from the published snapshot (with the
collectors' live statuses overlaid, core.store.reading), what each invoice was already given,
the plans, each customer's plan and language, and who is away (out-of-office replies).

The scheduler is not a user: it reads every customer (a scope that sees everything).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.formatting import PARIS
from core.mail.templates import language_of
from core.reminders import penalties
from core.reminders.engine import CustomerPlan, GivenLevel, OpenInvoice
from core.reminders.plans import Plan, default_plan_id, load_plans, overrides
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

SCHEDULER_SCOPE = Scope(email="systeme", role="admin", full_name="Relances automatiques")
"""Every customer: the scheduler reminds all of them, whoever looks after them."""

_INVOICES_SQL = """
SELECT i.entity_id, i.invoice_id, i.invoice_number, i.customer_id, i.issue_date, i.due_date,
       i.amount_eur - coalesce(i.credited_amount_eur, 0), i.open_amount_eur, i.internal_status, i.agreement_date,
       TRY_CAST(f.on_hold_until AS DATE), i.status = 'paid', i.is_credit_note, i.status = 'draft'
FROM scoped_invoices AS i
LEFT JOIN invoice_followups AS f USING (entity_id, invoice_id)
WHERE i.status IN ('not_due', 'overdue') AND i.due_date IS NOT NULL
ORDER BY i.entity_id, i.invoice_id
"""
_CUSTOMERS_SQL = """
SELECT entity_id, customer_id, customer_name, entity_name, emails, billing_language, country_alpha2, customer_type,
       primary_manager_name, account_manager_emails
FROM scoped_customers ORDER BY entity_id, customer_id
"""
_HISTORY_SQL = "SELECT entity_id, invoice_id, plan_id, code, cycle, state, sent_at FROM reminder_invoice_levels"
_AWAY_SQL = """
SELECT m.entity_id, m.customer_id, max(e.return_date)
FROM mailbox_events AS e JOIN messages AS m ON m.message_id = e.message_id
WHERE e.kind = 'auto_reply' AND e.return_date IS NOT NULL
GROUP BY m.entity_id, m.customer_id
"""


@dataclass(frozen=True)
class CustomerContact:
    """Who a customer's reminder goes to and how it is signed (for the queue and the rendering)."""

    entity_id: str
    customer_id: int
    name: str
    entity_name: str
    emails: tuple[str, ...]
    billing_language: str | None
    country: str | None
    b2b: bool  # a company (the €40 indemnity applies); individuals are consumers
    manager_name: str
    manager_emails: tuple[str, ...]


@dataclass(frozen=True)
class EngineInputs:
    invoices: tuple[OpenInvoice, ...]
    history: tuple[GivenLevel, ...]
    plans: dict[str, Plan]
    customers: dict[tuple[str, int], CustomerPlan]
    contacts: dict[tuple[str, int], CustomerContact]
    rates: dict[date, Decimal]


def engine_inputs(paths: StorePaths, *, now: datetime) -> EngineInputs:
    """Everything `engine.due_reminders` needs at `now`, plus the contacts and rates to render."""
    today = now.astimezone(PARIS).date()
    with operations.session(paths) as ops:
        ops.execute("BEGIN")  # one consistent read of the operational store
        try:
            plans = load_plans(ops)
            chosen = overrides(ops)
            history = tuple(_given(row) for row in ops.execute(_HISTORY_SQL))
            away = {(r[0], int(r[1])): date.fromisoformat(r[2][:10]) for r in ops.execute(_AWAY_SQL) if r[2]}
            rates = penalties.rates_from(ops)
        finally:
            ops.execute("COMMIT")
    with read_session(paths, SCHEDULER_SCOPE, today=today) as con:
        invoice_rows = con.execute(_INVOICES_SQL).fetchall()
        customer_rows = con.execute(_CUSTOMERS_SQL).fetchall()
    invoices = tuple(_invoice(row) for row in invoice_rows)
    contacts: dict[tuple[str, int], CustomerContact] = {}
    customers: dict[tuple[str, int], CustomerPlan] = {}
    for row in customer_rows:
        contact = _contact(row)
        key = (contact.entity_id, contact.customer_id)
        contacts[key] = contact
        plan_id = chosen[key] if key in chosen else default_plan_id(contact.billing_language, contact.country)
        plan = plans.get(plan_id) if plan_id else None
        language = language_of(contact.billing_language) if contact.billing_language else None
        customers[key] = CustomerPlan(
            plan_id=plan_id,
            language=language or (plan.language if plan else "fr"),
            away_until=away.get(key),
        )
    return EngineInputs(invoices, history, plans, customers, contacts, rates)


def _given(row: tuple) -> GivenLevel:  # type: ignore[type-arg]
    return GivenLevel(
        entity_id=row[0], invoice_id=int(row[1]), plan_id=row[2], code=row[3], cycle=row[4], state=row[5],
        sent_at=datetime.fromisoformat(row[6]) if row[6] else None,
    )  # fmt: skip


def _invoice(row: tuple) -> OpenInvoice:  # type: ignore[type-arg]
    return OpenInvoice(
        entity_id=row[0], invoice_id=int(row[1]), number=row[2], customer_id=int(row[3]), issue_date=row[4],
        due_date=row[5], amount=Decimal(row[6] or 0), open_amount=Decimal(row[7] or 0),
        internal_status=row[8] or "issued", agreement_date=row[9], on_hold_until=row[10], paid=bool(row[11]),
        is_credit_note=bool(row[12]), draft=bool(row[13]),
    )  # fmt: skip


def _contact(row: tuple) -> CustomerContact:  # type: ignore[type-arg]
    return CustomerContact(
        entity_id=row[0], customer_id=int(row[1]), name=row[2] or "", entity_name=row[3] or row[0],
        emails=tuple(e for e in (row[4] or ()) if e), billing_language=row[5], country=row[6],
        b2b=penalties.is_business(row[7]), manager_name=row[8] or "",
        manager_emails=tuple(e for e in (row[9] or ()) if e),
    )  # fmt: skip
