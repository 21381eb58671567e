"""The internal workflow of an invoice: statuses, which moves are allowed, who may make them,
and which fields each status needs. Pure: the writes (followups.py) call `check`.

issued → reminded → payment agreement (agreed date required) → collected, plus disputed (reason
from the configurable list, expected end), on hold (until a date) and legal (handed to
litigation). `collected` is never set by hand: the invoices view shows it as soon as Pennylane
has the invoice paid, whatever is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core import formatting
from core.access.permissions import Action, allows, require
from core.collections.errors import RefusedTransition

ISSUED = "issued"
REMINDED = "reminded"
PAYMENT_AGREEMENT = "payment_agreement"
DISPUTED = "disputed"
ON_HOLD = "on_hold"
LEGAL = "legal"
COLLECTED = "collected"

STATUSES = (ISSUED, REMINDED, PAYMENT_AGREEMENT, DISPUTED, ON_HOLD, LEGAL, COLLECTED)
STATUS_LABELS = {
    ISSUED: "Émise",
    REMINDED: "Relancée",
    PAYMENT_AGREEMENT: "Accord de paiement",
    DISPUTED: "En litige",
    ON_HOLD: "En attente",
    LEGAL: "Contentieux",
    COLLECTED: "Encaissée",
}

ACTION_FOR = {
    ISSUED: Action.SET_INTERNAL_STATUS,
    REMINDED: Action.SET_INTERNAL_STATUS,
    PAYMENT_AGREEMENT: Action.SET_AGREEMENT_DATE,
    DISPUTED: Action.RECORD_DISPUTE,
    ON_HOLD: Action.SET_INTERNAL_STATUS,
    LEGAL: Action.SET_INTERNAL_STATUS,
}
"""The permission (core.access.permissions) a move *to* each status needs."""

TRANSITIONS: dict[str, frozenset[str]] = {
    ISSUED: frozenset({REMINDED, PAYMENT_AGREEMENT, DISPUTED, ON_HOLD, LEGAL}),
    REMINDED: frozenset({PAYMENT_AGREEMENT, DISPUTED, ON_HOLD, LEGAL}),
    PAYMENT_AGREEMENT: frozenset({PAYMENT_AGREEMENT, REMINDED, DISPUTED, ON_HOLD, LEGAL}),
    DISPUTED: frozenset({DISPUTED, ISSUED, REMINDED, PAYMENT_AGREEMENT, ON_HOLD, LEGAL}),
    ON_HOLD: frozenset({ON_HOLD, ISSUED, REMINDED, PAYMENT_AGREEMENT, DISPUTED, LEGAL}),
    LEGAL: frozenset({PAYMENT_AGREEMENT}),
    COLLECTED: frozenset(),
}
"""from → the statuses a person may move the invoice to. A move to the same status changes its
fields (a new agreed date, a new expected end of dispute, a longer hold)."""

FIELDS = {
    ISSUED: (),
    REMINDED: (),
    PAYMENT_AGREEMENT: ("agreement_date",),
    DISPUTED: ("dispute_reason", "dispute_expected_end"),
    ON_HOLD: ("on_hold_until",),
    LEGAL: ("legal_date",),
}
"""The fields each status requires; a move clears the fields of every other status."""
ALL_FIELDS = ("agreement_date", "dispute_reason", "dispute_expected_end", "on_hold_until", "legal_date")


@dataclass(frozen=True)
class FollowUp:
    """An invoice's internal status as stored, with its fields and its version (0: never written)."""

    status: str = ISSUED
    agreement_date: date | None = None
    dispute_reason: str | None = None
    dispute_expected_end: date | None = None
    on_hold_until: date | None = None
    legal_date: date | None = None
    version: int = 0
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class StatusChange:
    """What a collector asks for: the target status, its fields, a comment."""

    to: str
    comment: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def allowed_targets(role: str, current: str) -> tuple[str, ...]:
    """The statuses `role` may move an invoice in `current` to, in workflow order (for the form)."""
    return tuple(s for s in STATUSES if s in TRANSITIONS.get(current, ()) and allows(role, ACTION_FOR[s]))


def check(role: str, current: str, change: StatusChange, *, today: date, reasons: frozenset[str]) -> dict[str, Any]:
    """Refuse (Forbidden, RefusedTransition: French messages) or return the fields to store.

    The permission first (a role that may not make the move learns nothing else), then the
    workflow, then each required field."""
    to = change.to
    if to == COLLECTED:
        raise RefusedTransition(
            "« Encaissée » ne se pose pas à la main : Encours l'affiche dès que Pennylane montre la facture réglée."
        )
    if to not in ACTION_FOR:
        raise RefusedTransition(f"Statut inconnu « {to} ».")
    require(role, ACTION_FOR[to])
    if current == COLLECTED:
        raise RefusedTransition("Cette facture est réglée dans Pennylane (« Encaissée ») : son statut ne change plus.")
    if to not in TRANSITIONS.get(current, frozenset()):
        if current == LEGAL:
            raise RefusedTransition("Une facture confiée au contentieux n'en sort que par un accord de paiement.")
        if current == to:
            raise RefusedTransition(f"La facture est déjà « {label(to)} ».")
        raise RefusedTransition(f"Passage de « {label(current)} » à « {label(to)} » impossible.")
    return _fields(to, change.fields, today=today, reasons=reasons)


def _fields(to: str, given: dict[str, Any], *, today: date, reasons: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(ALL_FIELDS)
    if to == PAYMENT_AGREEMENT:
        agreed = given.get("agreement_date")
        if not isinstance(agreed, date):
            raise RefusedTransition("Indiquez la date de paiement convenue avec le client.")
        if agreed < today:
            raise RefusedTransition(
                f"La date de paiement convenue ne peut pas être passée (avant le {formatting.day(today)})."
            )
        out["agreement_date"] = agreed
    elif to == DISPUTED:
        reason, end = given.get("dispute_reason"), given.get("dispute_expected_end")
        if not reason or reason not in reasons:
            raise RefusedTransition("Choisissez le motif du litige dans la liste.")
        if not isinstance(end, date):
            raise RefusedTransition("Indiquez la date à laquelle le litige devrait être réglé.")
        if end < today:
            raise RefusedTransition("La fin prévue du litige ne peut pas être passée.")
        out["dispute_reason"], out["dispute_expected_end"] = reason, end
    elif to == ON_HOLD:
        until = given.get("on_hold_until")
        if not isinstance(until, date):
            raise RefusedTransition("Indiquez jusqu'à quand la facture reste en attente.")
        if until <= today:
            raise RefusedTransition("La fin de l'attente doit être après aujourd'hui.")
        out["on_hold_until"] = until
    elif to == LEGAL:
        handed = given.get("legal_date")
        if not isinstance(handed, date):
            raise RefusedTransition("Indiquez la date de transmission au contentieux.")
        if handed > today:
            raise RefusedTransition("La date de transmission au contentieux ne peut pas être future.")
        out["legal_date"] = handed
    return out
