"""The messages sent to a customer (core.mail.history) as entries of its history, so the
customer view shows every e-mail beside the status changes, notes, calls and promises."""

from __future__ import annotations

from collections.abc import Iterable

from core import formatting
from core.collections.history import MESSAGE, HistoryEntry
from core.mail.history import SentMessage, messages_for_customer
from core.scope import Scope
from core.store.paths import StorePaths


def message_entries(messages: Iterable[SentMessage]) -> tuple[HistoryEntry, ...]:
    out = []
    for m in messages:
        numbers = ", ".join(i.invoice_number or str(i.invoice_id) for i in m.invoices)
        copies = f" · Cc : {', '.join(m.cc)}" if m.cc else ""
        delivery = f" · {m.delivery_label}" if m.delivery_label else ""
        error = f" — {m.error}" if m.error else ""
        sent = formatting.moment(m.when)
        detail = (
            f"{m.kind_label.capitalize()} · {m.state_label}{delivery}{error}\n"
            f"De : {m.sender_name or m.sender_email} · À : {', '.join(m.to)}{copies} · {sent}\n"
            f"Factures : {numbers or '—'}\n\n{m.body}"
        )
        first = m.invoices[0] if len(m.invoices) == 1 else None
        out.append(
            HistoryEntry(
                at=m.when,
                kind=MESSAGE,
                who=m.sender_name or m.sender_email,
                title=f"E-mail « {m.subject} » ({(m.delivery_label if m.delivery_status == 'bounced' else None) or m.state_label.lower()})",
                detail=detail,
                invoice_id=first.invoice_id if first else None,
                invoice_number=numbers or None,
            )
        )
    return tuple(out)


def customer_messages(paths: StorePaths, scope: Scope, entity_id: str, customer_id: int) -> tuple[HistoryEntry, ...]:
    """Every message ever sent to the customer, as history entries (OutOfScope outside the scope)."""
    return message_entries(messages_for_customer(paths, scope, entity_id, customer_id))
