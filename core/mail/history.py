"""The outbox and the e-mail history (operational store, migration 0008).

A message row is written with state `sending` before the SMTP conversation starts, then marked
`sent`, `partly_sent` (some recipients refused) or `failed` with a French reason. Nothing is
marked sent that the server did not accept; a row a crash left `sending` stays "unknown" and
is shown so (the automatic reminders of issue 12 decide what to do with such rows).

Reading is per customer (the history) or per invoice, for customers in the reader's scope only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from core.access.permissions import Forbidden
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths

STATE_LABELS = {
    "sending": "envoi en cours ou interrompu",
    "sent": "envoyé",
    "partly_sent": "envoyé en partie",
    "failed": "échec de l'envoi",
}
KIND_LABELS = {"manual": "relance manuelle", "automatic": "relance automatique"}
DELIVERY_LABELS = {
    "bounced": "rejeté : adresse invalide",
    "deferred": "distribution retardée",
    "auto_reply": "réponse automatique (absence)",
    "replied": "réponse du client",
}
"""What came back after sending (core/reminders/followup.py), in words."""


@dataclass(frozen=True)
class Outgoing:
    """A message about to be sent, as the history keeps it."""

    token: str
    header_message_id: str
    kind: str
    entity_id: str
    customer_id: int
    sender_email: str
    sender_name: str
    from_address: str
    envelope_from: str
    subject: str
    body: str
    language: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    invoices: tuple[tuple[int, str | None, Decimal], ...]
    """(invoice_id, invoice_number, amount due when sent)."""


@dataclass(frozen=True)
class Recipient:
    kind: str  # to | cc
    address: str
    status: str  # pending | accepted | refused
    smtp_reply: str | None


@dataclass(frozen=True)
class MessageInvoice:
    invoice_id: int
    invoice_number: str | None
    amount_due: Decimal


@dataclass(frozen=True)
class SentMessage:
    """One message of a customer's history."""

    message_id: int
    header_message_id: str
    kind: str
    entity_id: str
    customer_id: int
    sender_email: str
    sender_name: str
    from_address: str
    subject: str
    body: str
    language: str
    state: str
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    delivery_status: str | None
    delivery_detail: str | None
    recipients: tuple[Recipient, ...]
    invoices: tuple[MessageInvoice, ...]

    @property
    def to(self) -> tuple[str, ...]:
        return tuple(r.address for r in self.recipients if r.kind == "to")

    @property
    def cc(self) -> tuple[str, ...]:
        return tuple(r.address for r in self.recipients if r.kind == "cc")

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def delivery_label(self) -> str | None:
        """What came back, in French, with its detail (a bounce's reason, an away person's return)."""
        if not self.delivery_status:
            return None
        label = DELIVERY_LABELS.get(self.delivery_status, self.delivery_status)
        return f"{label} ({self.delivery_detail})" if self.delivery_detail else label

    @property
    def when(self) -> datetime:
        """When it left (or was attempted): what the history sorts on."""
        return self.sent_at or self.created_at


def record_outgoing(con: sqlite3.Connection, outgoing: Outgoing, *, now: datetime) -> int:
    """Write the message in state `sending`, with its recipients and invoices; returns its id."""
    with operations.transaction(con):
        return insert_outgoing(con, outgoing, now=now)


def insert_outgoing(con: sqlite3.Connection, outgoing: Outgoing, *, now: datetime) -> int:
    """record_outgoing inside the caller's transaction (the reminder queue marks its row in the same one)."""
    o = outgoing
    cur = con.execute(
        "INSERT INTO messages (token, header_message_id, kind, entity_id, customer_id, sender_email, sender_name,"
        " from_address, envelope_from, subject, body, language, state, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?)",
        (
            o.token, o.header_message_id, o.kind, o.entity_id, o.customer_id, o.sender_email, o.sender_name,
            o.from_address, o.envelope_from, o.subject, o.body, o.language, now.isoformat(),
        ),
    )  # fmt: skip
    message_id = int(cur.lastrowid or 0)
    con.executemany(
        "INSERT INTO message_recipients (message_id, kind, address, status) VALUES (?, ?, ?, 'pending')",
        [(message_id, "to", a) for a in o.to] + [(message_id, "cc", a) for a in o.cc if a not in o.to],
    )
    con.executemany(
        "INSERT INTO message_invoices (message_id, entity_id, invoice_id, invoice_number, amount_due)"
        " VALUES (?, ?, ?, ?, ?)",
        [(message_id, o.entity_id, iid, number, str(amount)) for iid, number, amount in o.invoices],
    )
    return message_id


def mark_sent(con: sqlite3.Connection, message_id: int, *, now: datetime, refused: Mapping[str, str]) -> str:
    """The server accepted the message (for all but `refused`); returns the new state."""
    with operations.transaction(con):
        return apply_sent(con, message_id, now=now, refused=refused)


def apply_sent(con: sqlite3.Connection, message_id: int, *, now: datetime, refused: Mapping[str, str]) -> str:
    """mark_sent inside the caller's transaction."""
    state = "partly_sent" if refused else "sent"
    error = "Non remis à : " + ", ".join(f"{a} ({r})" for a, r in refused.items()) if refused else None
    con.execute(
        "UPDATE messages SET state = ?, error = ?, sent_at = ? WHERE message_id = ? AND state = 'sending'",
        (state, error, now.isoformat(), message_id),
    )
    _mark_recipients(con, message_id, refused, accepted=True)
    return state


def mark_failed(
    con: sqlite3.Connection, message_id: int, *, reason: str, refused: Mapping[str, str] | None = None
) -> None:
    """Nothing left: the French `reason` is kept; no `sent_at`."""
    with operations.transaction(con):
        apply_failed(con, message_id, reason=reason, refused=refused)


def apply_failed(
    con: sqlite3.Connection, message_id: int, *, reason: str, refused: Mapping[str, str] | None = None
) -> None:
    """mark_failed inside the caller's transaction."""
    con.execute(
        "UPDATE messages SET state = 'failed', error = ? WHERE message_id = ? AND state = 'sending'",
        (reason, message_id),
    )
    _mark_recipients(con, message_id, refused or {}, accepted=False)


def _mark_recipients(con: sqlite3.Connection, message_id: int, refused: Mapping[str, str], *, accepted: bool) -> None:
    con.executemany(
        "UPDATE message_recipients SET status = 'refused', smtp_reply = ? WHERE message_id = ? AND address = ?",
        [(reply, message_id, addr) for addr, reply in refused.items()],
    )
    if accepted:
        con.execute(
            "UPDATE message_recipients SET status = 'accepted' WHERE message_id = ? AND status = 'pending'",
            (message_id,),
        )


class OutOfScope(Forbidden):
    """The customer or invoice is not in the reader's scope (French message)."""


NOT_IN_SCOPE = "Ce client n'est pas dans votre périmètre : son historique ne vous est pas accessible."


def in_scope(scope: Scope, entity_id: str, customer_id: int) -> bool:
    return scope.customers is None or (entity_id, int(customer_id)) in scope.customers


_COLUMNS = (
    "message_id, header_message_id, kind, entity_id, customer_id, sender_email, sender_name, from_address,"
    " subject, body, language, state, error, created_at, sent_at, delivery_status, delivery_detail"
)
_FOR_CUSTOMER = "SELECT " + _COLUMNS + " FROM messages WHERE entity_id = ? AND customer_id = ?"  # noqa: S608 - constants
_FOR_INVOICE = (
    "SELECT " + _COLUMNS + " FROM messages WHERE message_id IN"  # noqa: S608 - constants
    " (SELECT message_id FROM message_invoices WHERE entity_id = ? AND invoice_id = ?)"
)
# The ids are bound as one JSON array.
_RECIPIENTS = (
    "SELECT message_id, kind, address, status, smtp_reply FROM message_recipients"
    " WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, kind DESC, rowid"
)
_INVOICES = (
    "SELECT message_id, invoice_id, invoice_number, amount_due FROM message_invoices"
    " WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, invoice_id"
)


def messages_for_customer(paths: StorePaths, scope: Scope, entity_id: str, customer_id: int) -> list[SentMessage]:
    """Every message sent (or attempted) to a customer, newest first. Raises OutOfScope."""
    if not in_scope(scope, entity_id, customer_id):
        raise OutOfScope(NOT_IN_SCOPE)
    with operations.session(paths) as con:
        return _load(con, con.execute(_FOR_CUSTOMER, (entity_id, int(customer_id))).fetchall())


def messages_for_invoice(paths: StorePaths, scope: Scope, entity_id: str, invoice_id: int) -> list[SentMessage]:
    """The messages that concerned an invoice, newest first; those of customers out of scope are left out."""
    with operations.session(paths) as con:
        rows = con.execute(_FOR_INVOICE, (entity_id, int(invoice_id))).fetchall()
        return _load(con, [row for row in rows if in_scope(scope, row[3], row[4])])


def _load(con: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[SentMessage]:
    ids = [int(row[0]) for row in rows]
    recipients = _by_message(con, _RECIPIENTS, ids)
    invoices = _by_message(con, _INVOICES, ids)
    out = []
    for row in rows:
        mid = int(row[0])
        out.append(
            SentMessage(
                message_id=mid,
                header_message_id=row[1],
                kind=row[2],
                entity_id=row[3],
                customer_id=int(row[4]),
                sender_email=row[5],
                sender_name=row[6],
                from_address=row[7],
                subject=row[8],
                body=row[9],
                language=row[10],
                state=row[11],
                error=row[12],
                created_at=datetime.fromisoformat(row[13]),
                sent_at=datetime.fromisoformat(row[14]) if row[14] else None,
                delivery_status=row[15],
                delivery_detail=row[16],
                recipients=tuple(Recipient(*r) for r in recipients.get(mid, [])),
                invoices=tuple(MessageInvoice(int(i[0]), i[1], Decimal(str(i[2]))) for i in invoices.get(mid, [])),
            )
        )
    return sorted(out, key=lambda m: (m.when, m.message_id), reverse=True)


def _by_message(con: sqlite3.Connection, query: str, ids: Iterable[int]) -> dict[int, list[tuple[Any, ...]]]:
    """Rows of a child table for these messages, grouped by message id (one query)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for row in con.execute(query, (str(wanted),)).fetchall():
        grouped.setdefault(int(row[0]), []).append(tuple(row[1:]))
    return grouped
