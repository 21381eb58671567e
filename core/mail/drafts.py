"""A manual reminder's draft: some open invoices of one customer, the recipients Pennylane
knows for that customer, the account manager who may be copied, and a subject and body from
the template of the customer's billing language — everything the collector edits before sending.

Read through `core.store.reading.read_session`: the scope is applied there, so an invoice of a
customer outside the user's portfolio is "not found", exactly like an invoice that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core import formatting
from core.access.permissions import Action, require
from core.config import MailSettings
from core.mail import templates
from core.mail.message import is_address
from core.scope import Scope
from core.store.paths import StorePaths
from core.store.reading import read_session

OPEN_STATUSES = ("not_due", "overdue")


class ReminderRefused(ValueError):
    """This reminder cannot be drafted or sent as asked; the message is French, for the screen."""


@dataclass(frozen=True)
class Sender:
    """Who sends: the signed-in collector (signature, Reply-To) through the configured From address."""

    name: str
    email: str
    from_address: str

    @classmethod
    def of(cls, scope: Scope, mail: MailSettings) -> Sender:
        return cls(name=scope.full_name or scope.email, email=scope.email, from_address=mail.mail_from)


@dataclass(frozen=True)
class DraftInvoice:
    invoice_id: int
    number: str
    issue_date: date
    due_date: date
    amount_due: Decimal
    days_late: int


@dataclass(frozen=True)
class Draft:
    entity_id: str
    entity_name: str
    customer_id: int
    customer_name: str
    language: str  # fr | en (templates.language_of)
    invoices: tuple[DraftInvoice, ...]
    to: tuple[str, ...]
    """The customer's usable Pennylane e-mails (editable)."""
    invalid_emails: tuple[str, ...]
    """What Pennylane holds for the customer that is not an address ("compta@", "a@b.example;c@…")."""
    account_manager_email: str | None
    account_manager_name: str | None
    cc: tuple[str, ...]
    """Copies: empty in the draft; the form adds the account manager when asked."""
    subject: str
    body: str
    sender: Sender

    @property
    def total_due(self) -> Decimal:
        return sum((i.amount_due for i in self.invoices), Decimal(0))

    @property
    def invoice_ids(self) -> tuple[int, ...]:
        return tuple(i.invoice_id for i in self.invoices)


NOT_FOUND = "Facture introuvable ou hors de votre périmètre : {ids}."

_INVOICES = """
SELECT invoice_id, invoice_number, customer_id, issue_date, due_date, open_amount_eur, days_late, status, entity_name
FROM scoped_invoices
WHERE entity_id = ? AND list_contains(?::BIGINT[], invoice_id)
ORDER BY due_date, invoice_id
"""
_CUSTOMER = """
SELECT customer_name, emails, billing_language, primary_manager_email, primary_manager_name, entity_name
FROM scoped_customers WHERE entity_id = ? AND customer_id = ?
"""


def draft_reminder(
    paths: StorePaths, scope: Scope, entity_id: str, invoice_ids: Iterable[int], today: date, sender: Sender
) -> Draft:
    """The draft of a reminder for `invoice_ids` (all of one customer, all still open).

    Raises Forbidden (the role may not send reminders) or ReminderRefused (French message).
    """
    require(scope.role, Action.SEND_MANUAL_REMINDER)
    wanted = sorted({int(i) for i in invoice_ids})
    if not wanted:
        raise ReminderRefused("Choisissez au moins une facture à relancer.")
    with read_session(paths, scope, today=today) as con:
        rows = con.execute(_INVOICES, [entity_id, wanted]).fetchall()
        missing = sorted(set(wanted) - {int(r[0]) for r in rows})
        if missing:
            raise ReminderRefused(NOT_FOUND.format(ids=", ".join(str(i) for i in missing)))
        customers = {int(r[2]) for r in rows}
        if len(customers) > 1:
            raise ReminderRefused("Une relance concerne un seul client : choisissez des factures du même client.")
        customer_id = customers.pop()
        customer = con.execute(_CUSTOMER, [entity_id, customer_id]).fetchone()
    if customer is None:  # the invoices view only holds customers of the scope: cannot happen, but never guess
        raise ReminderRefused(NOT_FOUND.format(ids=", ".join(str(i) for i in wanted)))
    settled = [str(r[1] or r[0]) for r in rows if r[7] not in OPEN_STATUSES or not r[5] or Decimal(r[5]) <= 0]
    if settled:
        raise ReminderRefused(
            f"Rien à relancer : la facture {', '.join(settled)} n'a plus de montant dû (réglée, avoir ou annulée)."
        )
    name, emails, billing_language, manager_email, manager_name, entity_name = customer
    invoices = tuple(
        DraftInvoice(
            invoice_id=int(r[0]),
            number=str(r[1] or r[0]),
            issue_date=r[3],
            due_date=r[4],
            amount_due=Decimal(r[5]),
            days_late=int(r[6] or 0),
        )
        for r in rows
    )
    usable = tuple(dict.fromkeys(e.strip() for e in (emails or []) if is_address(e.strip())))
    invalid = tuple(e for e in (emails or []) if not is_address(e.strip()))
    language = templates.language_of(billing_language)
    subject, body = templates.render("reminder", language, _context(invoices, entity_name or entity_id, sender))
    return Draft(
        entity_id=entity_id,
        entity_name=entity_name or entity_id,
        customer_id=customer_id,
        customer_name=name or str(customer_id),
        language=language,
        invoices=invoices,
        to=usable,
        invalid_emails=invalid,
        account_manager_email=manager_email,
        account_manager_name=manager_name,
        cc=(),
        subject=subject,
        body=body,
        sender=sender,
    )


def _context(invoices: tuple[DraftInvoice, ...], entity_name: str, sender: Sender) -> dict[str, object]:
    return {
        "invoices": [
            {
                "number": i.number,
                "issue_date": formatting.day(i.issue_date),
                "due_date": formatting.day(i.due_date),
                "amount_due": formatting.money(i.amount_due),
                "days_late": i.days_late,
            }
            for i in invoices
        ],
        "total_due": formatting.money(sum((i.amount_due for i in invoices), Decimal(0))),
        "sender_name": sender.name,
        "entity_name": entity_name,
    }
