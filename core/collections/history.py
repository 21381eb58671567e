"""The history of a customer (or of one invoice): status changes, notes, calls, promises —
and the messages sent, which the mail module hands in as `extra` entries — newest first,
filterable by kind.

Seam for other kinds: build `HistoryEntry(kind="message", …)` rows and pass them to `merge`
(`KINDS` already names "message"); nothing else here needs to know where they come from.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from core import formatting
from core.collections import workflow
from core.collections.followups import CALL_OUTCOMES
from core.collections.promises import Promise

MESSAGE, STATUS, NOTE, CALL, PROMISE = "message", "status", "note", "call", "promise"
KINDS = {
    MESSAGE: "Messages envoyés",
    STATUS: "Changements de statut",
    NOTE: "Notes",
    CALL: "Appels",
    PROMISE: "Promesses",
}
"""Every kind of entry, in the order the filter offers them."""

FIELD_LABELS = {
    "agreement_date": "date de paiement convenue",
    "dispute_reason": "motif",
    "dispute_expected_end": "fin de litige prévue",
    "on_hold_until": "en attente jusqu'au",
    "legal_date": "transmise au contentieux le",
}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str
    who: str
    title: str
    detail: str = ""
    invoice_id: int | None = None
    invoice_number: str | None = None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


_STATUS_SQL = """
SELECT changed_at, changed_by, from_status, to_status, comment, fields_json, invoice_id, change_id
FROM invoice_status_changes WHERE entity_id = ? AND customer_id = ? AND (? IS NULL OR invoice_id = ?)
"""
_NOTES_SQL = """
SELECT written_at, written_by, body, invoice_id FROM collection_notes
WHERE entity_id = ? AND customer_id = ? AND (? IS NULL OR invoice_id = ?)
"""
_CALLS_SQL = """
SELECT called_at, called_by, contact, outcome, note, invoice_id FROM collection_calls
WHERE entity_id = ? AND customer_id = ? AND (? IS NULL OR invoice_id = ?)
"""


def read_entries(
    ops: sqlite3.Connection,
    entity_id: str,
    customer_id: int,
    *,
    invoice_id: int | None = None,
    numbers: Mapping[int, str | None],
    reasons: Mapping[str, str],
    promises: Iterable[Promise] = (),
) -> list[HistoryEntry]:
    """The stored entries of a customer (or of one of its invoices), in no particular order."""
    key = (entity_id, customer_id, invoice_id, invoice_id)
    out: list[HistoryEntry] = []
    for at, who, was, to, comment, fields_json, iid, _ in ops.execute(_STATUS_SQL, key).fetchall():
        fields = json.loads(fields_json or "{}")
        parts = [f"{FIELD_LABELS.get(k, k)} : {_field(k, v, reasons)}" for k, v in fields.items()]
        if comment:
            parts.append(comment)
        title = f"{workflow.label(to)} (modifié)" if was == to else f"{workflow.label(was)} → {workflow.label(to)}"
        out.append(_entry(at, STATUS, who, title, " · ".join(parts), iid, numbers))
    for at, who, body, iid in ops.execute(_NOTES_SQL, key).fetchall():
        out.append(_entry(at, NOTE, who, "Note", body, iid, numbers))
    for at, who, contact, outcome, note, iid in ops.execute(_CALLS_SQL, key).fetchall():
        title = f"Appel à {contact} : {CALL_OUTCOMES.get(outcome, outcome)}"
        out.append(_entry(at, CALL, who, title, note, iid, numbers))
    for p in promises:
        title = f"Promesse de {formatting.money(p.amount)} pour le {formatting.day(p.promised_for)}"
        state = f"{p.state_label} — reçu {formatting.money(p.paid)}"
        out.append(HistoryEntry(p.created_at, PROMISE, p.created_by, title, state, p.invoice_id, p.invoice_number))
    return out


def merge(
    entries: Iterable[HistoryEntry], extra: Iterable[HistoryEntry] = (), *, kinds: Iterable[str] | None = None
) -> tuple[HistoryEntry, ...]:
    """Newest first; only `kinds` when given (None: every kind)."""
    wanted = None if kinds is None else frozenset(kinds)
    every = [e for e in (*entries, *extra) if wanted is None or e.kind in wanted]
    return tuple(sorted(every, key=lambda e: e.at, reverse=True))


def _entry(
    at: str, kind: str, who: str, title: str, detail: str, invoice_id: int | None, numbers: Mapping[int, str | None]
) -> HistoryEntry:
    number = numbers.get(invoice_id) if invoice_id is not None else None
    return HistoryEntry(datetime.fromisoformat(at), kind, who, title, detail or "", invoice_id, number)


def _field(key: str, value: object, reasons: Mapping[str, str]) -> str:
    if key == "dispute_reason":
        return reasons.get(str(value), str(value))
    if isinstance(value, str) and len(value) == 10:
        try:
            return formatting.day(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)
