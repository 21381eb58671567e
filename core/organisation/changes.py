"""The organisation's history: one row per change (who, when, what), written with the change.

`record` is called inside the change's own transaction; `history` lists the rows for the admin
page. `InvalidChange` carries the French message a refused change shows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from core.access.permissions import Action, require
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths


class InvalidChange(ValueError):
    """A change the organisation's rules refuse; str(exc) is the French message to show."""


KIND_LABELS: dict[str, str] = {
    "agency_added": "Agence créée",
    "agency_renamed": "Agence renommée",
    "user_created": "Utilisateur créé",
    "user_renamed": "Nom modifié",
    "role_changed": "Rôle modifié",
    "user_agency_changed": "Agence de l'utilisateur modifiée",
    "user_deactivated": "Utilisateur désactivé",
    "user_reactivated": "Utilisateur réactivé",
    "password_reset": "Mot de passe réinitialisé",
    "assignment_added": "Chargé de clientèle ajouté",
    "assignment_removed": "Chargé de clientèle retiré",
    "primary_set": "Chargé principal désigné",
    "customer_agency_set": "Agence du client modifiée",
    "import_applied": "Import de portefeuilles",
}


@dataclass(frozen=True)
class Change:
    changed_at: datetime
    changed_by: str
    kind: str
    subject: str
    detail: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def record(ops: sqlite3.Connection, scope: Scope, now: datetime, kind: str, subject: str, detail: str) -> None:
    """Write one history row; call it inside the transaction that makes the change."""
    if kind not in KIND_LABELS:
        raise ValueError(f"unknown change kind {kind!r}")
    ops.execute(
        "INSERT INTO organisation_changes (changed_at, changed_by, kind, subject, detail) VALUES (?, ?, ?, ?, ?)",
        (now.isoformat(), scope.email, kind, subject, detail),
    )


def history(paths: StorePaths, scope: Scope, *, subject: str | None = None, limit: int = 500) -> list[Change]:
    """The latest changes first (all of them, or those about one subject)."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    with operations.session(paths) as ops:
        rows = ops.execute(
            "SELECT changed_at, changed_by, kind, subject, detail FROM organisation_changes"
            " WHERE ? IS NULL OR subject = ? ORDER BY changed_at DESC, change_id DESC LIMIT ?",
            (subject, subject, limit),
        ).fetchall()
    return [Change(datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4]) for r in rows]
