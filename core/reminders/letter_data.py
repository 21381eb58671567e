"""The printable letter of a queued reminder: a plan's letter level, or the letter that follows
an e-mail that bounced. What the reminder says (subject, body, language, the invoices and the
balance each is reminded for) comes from the operational store, as it was decided and queued;
who it goes to and the invoices' numbers, dates and amounts come from the published snapshot.

The recipient's address is the customer's billing address in Pennylane, laid out as La Poste
reads it (`core.addresses.postal_lines`). Pennylane's API gives no address for the entity
itself: its address, place and contact line are the letterhead an admin entered. Penalties are
computed as of the day the notice was queued (`penalty_block`, core/reminders/penalties.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from core import formatting
from core.addresses import postal_lines
from core.reminders import penalties
from core.reminders.letterheads import Letterhead, load_letterheads
from core.reminders.letters import LEGAL_MENTION, Letter, LetterInvoice, Party, PenaltyBlock
from core.scope import everything
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

log = logging.getLogger("encours.reminders")

_QUEUE = """
SELECT q.entity_id, q.customer_id, q.code, q.language, q.subject, q.body, l.tone, l.penalty_block,
       l.payment_deadline_days, q.created_at
FROM reminder_queue AS q
LEFT JOIN reminder_plan_levels AS l ON l.plan_id = q.plan_id AND l.code = q.code
WHERE q.queue_id = ?
"""
_QUEUE_INVOICES = """
SELECT invoice_id, amount_due, days_late FROM reminder_queue_invoices WHERE queue_id = ?
"""
_CUSTOMER = """
SELECT customer_name, billing_street, billing_postal_code, billing_city, country_alpha2, customer_type
FROM scoped_customers WHERE entity_id = ? AND customer_id = ?
"""
_ENTITY = "SELECT name, reg_no FROM scoped_entities WHERE entity_id = ?"
_INVOICES = """
SELECT invoice_id, invoice_number, issue_date, due_date, amount_eur
FROM scoped_invoices
WHERE entity_id = ? AND list_contains(?::BIGINT[], invoice_id)
"""

REGISTERED_TONES = frozenset({"formal_notice"})
"""Levels whose letter goes registered, with acknowledgement of receipt."""


PENALTY_LABELS = {
    "fr": ("Pénalités de retard, facture {number} ({days} j de retard)", "Indemnités forfaitaires de recouvrement : {count} × 40 €"),
    "en": ("Late-payment penalties, invoice {number} ({days} days late)", "Fixed recovery indemnities: {count} × €40"),
}  # fmt: skip


def penalty_block(
    invoices: Sequence[LetterInvoice],
    *,
    as_of: date,
    rates: Mapping[date, Decimal],
    b2b: bool,
    deadline_days: int | None,
    language: str,
) -> PenaltyBlock:
    """The formal notice's claim as the e-mail states it (core.reminders.render): penalties per
    late invoice up to `as_of`, the day the notice was decided, the €40 per late invoice between
    businesses, and the deadline counted from that day. RateMissing when a half-year has none."""
    per_invoice, indemnity_label = PENALTY_LABELS.get(language, PENALTY_LABELS["fr"])
    lines: list[tuple[str, Decimal]] = []
    late = [i for i in invoices if i.days_late > 0 and i.due_date is not None]
    for invoice in late:
        amount = penalties.late_penalty(invoice.amount_due, invoice.due_date, as_of, rates)  # type: ignore[arg-type]
        lines.append((per_invoice.format(number=invoice.number, days=invoice.days_late), amount))
    indemnity = penalties.recovery_indemnity(len(late), b2b=b2b)
    if indemnity:
        lines.append((indemnity_label.format(count=len(late)), indemnity))
    return PenaltyBlock(
        tuple(lines), as_of + timedelta(days=deadline_days or 8), LEGAL_MENTION.get(language, LEGAL_MENTION["fr"])
    )


class QueueRowNotFound(LookupError):
    """No reminder with that queue id."""


def reference(queue_id: int) -> str:
    """The letter's reference: the queued reminder it prints."""
    return f"REL-{queue_id:06d}"


def letter_for_queue_row(
    paths: StorePaths,
    queue_id: int,
    *,
    now: datetime,
    penalty: PenaltyBlock | None = None,
    sender_address: tuple[str, ...] | None = None,
    sender_contact: str | None = None,
    place: str | None = None,
) -> Letter:
    """The letter of reminder `queue_id`, dated `now` (Paris). Raises QueueRowNotFound.

    The sender's address, place and contact line are the entity's letterhead (core.reminders.
    letterheads) unless given.

    A level with a penalty block (the formal notice) gets it computed as of the day the notice
    was queued, so the table matches the amounts its text states; `penalty` replaces it."""
    with operations.session(paths) as ops:
        row = ops.execute(_QUEUE, (queue_id,)).fetchone()
        if row is None:
            raise QueueRowNotFound(f"Relance n° {queue_id} introuvable.")
        queued = ops.execute(_QUEUE_INVOICES, (queue_id,)).fetchall()
        rates = penalties.rates_from(ops)
        letterheads = load_letterheads(ops)
    entity_id, customer_id, _code, language, subject, body, tone, with_penalty, deadline_days, queued_at = row
    today = now.astimezone(formatting.PARIS).date()
    wanted = [int(r[0]) for r in queued]
    with read_session(paths, everything(), today=today) as con:
        customer = con.execute(_CUSTOMER, [entity_id, customer_id]).fetchone()
        entity = con.execute(_ENTITY, [entity_id]).fetchone()
        facts = {int(r[0]): r for r in con.execute(_INVOICES, [entity_id, wanted]).fetchall()}
    invoices = []
    for invoice_id, amount_due, days_late in queued:
        fact = facts.get(int(invoice_id))
        number, issued, due, amount = (fact[1], fact[2], fact[3], fact[4]) if fact else (None, None, None, None)
        invoices.append(
            LetterInvoice(
                number=str(number or invoice_id),
                issue_date=issued,
                due_date=due,
                amount=Decimal(amount) if amount is not None else None,
                amount_due=Decimal(amount_due),
                days_late=int(days_late),
            )
        )
    invoices.sort(key=lambda i: (i.due_date is None, i.due_date, i.number))
    name, *address, customer_type = customer if customer else (None, None, None, None, None, None)
    entity_name, reg_no = entity if entity else (entity_id, None)
    head = letterheads.get(entity_id, Letterhead(entity_id))
    if penalty is None and with_penalty:
        as_of = datetime.fromisoformat(queued_at).astimezone(formatting.PARIS).date()
        try:
            penalty = penalty_block(
                invoices, as_of=as_of, rates=rates, b2b=penalties.is_business(customer_type),
                deadline_days=deadline_days, language=language,
            )  # fmt: skip
        except penalties.RateMissing as exc:  # a rate removed since: the text still states the amounts
            log.warning("courrier %s sans tableau des pénalités : %s", reference(queue_id), exc)
    return Letter(
        sender=Party(
            name=entity_name,
            address_lines=head.address_lines if sender_address is None else sender_address,
            siren=reg_no or None,
            contact=(head.contact or None) if sender_contact is None else sender_contact,
        ),
        recipient=Party(name=name or str(customer_id), address_lines=postal_lines(*address)),
        place=head.place if place is None else place,
        date=today,
        reference=reference(queue_id),
        subject=subject,
        body=body,
        invoices=tuple(invoices),
        penalty=penalty,
        registered=tone in REGISTERED_TONES,
        language=language,
    )
