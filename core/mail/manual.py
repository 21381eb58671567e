"""Sending a manual reminder: check, record, send, mark — in that order.

1. the role may send reminders, and the invoices are still those of one customer in the
   sender's scope and still open (read again: the draft came from the screen);
2. the message row is written in state `sending` (its own transaction, committed);
3. the SMTP conversation;
4. the row is marked `sent`, `partly_sent` or `failed` with the French reason.

A crash between 2 and 4 leaves `sending`: the history says "envoi en cours ou interrompu",
never "envoyé".
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from core.formatting import PARIS
from core.mail import history
from core.mail.drafts import Draft, ReminderRefused, draft_reminder
from core.mail.message import InvalidAddress, build_message, header_text, message_id
from core.mail.smtp import MailError, SmtpServer, describe_refusals, send
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths


@dataclass(frozen=True)
class SendOutcome:
    """What happened, for the screen: `notice` is French."""

    message_id: int
    state: str  # sent | partly_sent | failed
    notice: str
    accepted: tuple[str, ...] = ()
    refused: Mapping[str, str] = field(default_factory=dict)

    @property
    def sent(self) -> bool:
        return self.state in ("sent", "partly_sent")


def send_manual_reminder(
    paths: StorePaths, scope: Scope, draft: Draft, *, now: datetime, server: SmtpServer
) -> SendOutcome:
    """Send `draft` (as the collector edited it). Raises Forbidden or ReminderRefused before
    anything is recorded; a failed send is recorded and returned, not raised."""
    current = draft_reminder(
        paths, scope, draft.entity_id, draft.invoice_ids, now.astimezone(PARIS).date(), draft.sender
    )
    if current.customer_id != draft.customer_id:
        raise ReminderRefused("Ces factures ne sont plus celles de ce client : rouvrez la facture.")
    if not draft.to:
        raise ReminderRefused("Indiquez au moins un destinataire.")
    if not header_text(draft.subject):
        raise ReminderRefused("L'objet du message est vide.")
    if not draft.body.strip():
        raise ReminderRefused("Le message est vide.")
    token = secrets.token_hex(12)
    header_id = message_id(token, draft.sender.from_address)
    try:
        message = build_message(
            from_name=draft.sender.name,
            from_address=draft.sender.from_address,
            reply_to=draft.sender.email if "@" in draft.sender.email else None,
            to=draft.to,
            cc=draft.cc,
            subject=draft.subject,
            body=draft.body,
            header_message_id=header_id,
            language=draft.language,
            now=now,
        )
    except InvalidAddress as exc:
        raise ReminderRefused(str(exc)) from None
    outgoing = history.Outgoing(
        token=token,
        header_message_id=header_id,
        kind="manual",
        entity_id=draft.entity_id,
        customer_id=draft.customer_id,
        sender_email=draft.sender.email,
        sender_name=draft.sender.name,
        from_address=str(message["From"]),
        envelope_from=draft.sender.from_address,
        subject=str(message["Subject"]),
        body=draft.body,
        language=draft.language,
        to=draft.to,
        cc=draft.cc,
        invoices=tuple((i.invoice_id, i.number, i.amount_due) for i in current.invoices),
    )
    recipients = list(dict.fromkeys([*draft.to, *draft.cc]))
    with operations.session(paths) as con:
        row = history.record_outgoing(con, outgoing, now=now)
        try:
            delivery = send(message, server, envelope_from=draft.sender.from_address, recipients=recipients)
        except MailError as exc:
            history.mark_failed(con, row, reason=str(exc), refused=exc.refused)
            return SendOutcome(row, "failed", str(exc), refused=exc.refused)
        state = history.mark_sent(con, row, now=now, refused=delivery.refused)
    if delivery.refused:
        notice = (
            f"Relance envoyée à {', '.join(delivery.accepted)}, mais refusée pour "
            f"{describe_refusals(delivery.refused)} : corrigez ces adresses."
        )
    else:
        notice = f"Relance envoyée à {', '.join(delivery.accepted)}."
    return SendOutcome(row, state, notice, delivery.accepted, delivery.refused)
