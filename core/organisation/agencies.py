"""Agencies: list, add, rename. A customer's agency decides which agency manager sees it."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from core.access.permissions import Action, require
from core.organisation.changes import InvalidChange, record
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session


@dataclass(frozen=True)
class Agency:
    agency_id: str
    name: str
    entity_id: str
    users: int
    customers: int


def list_agencies(paths: StorePaths, scope: Scope) -> list[Agency]:
    require(scope.role, Action.MANAGE_ORGANISATION)
    with operations.session(paths) as ops:
        rows = ops.execute(
            """
            SELECT a.agency_id, a.name, a.entity_id,
                   (SELECT count(*) FROM users AS u WHERE u.agency_id = a.agency_id AND u.active = 1),
                   (SELECT count(*) FROM customer_accounts AS c WHERE c.agency_id = a.agency_id)
            FROM agencies AS a ORDER BY a.name
            """
        ).fetchall()
    return [Agency(str(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4])) for r in rows]


def entities(paths: StorePaths, scope: Scope, *, today: date) -> list[tuple[str, str]]:
    """(entity id, name) of the entities an agency may belong to (the published ones)."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    with read_session(paths, scope, today=today) as con:
        rows = con.execute("SELECT entity_id, name FROM scoped_entities ORDER BY name").fetchall()
    return [(str(e), str(n)) for e, n in rows]


def add_agency(paths: StorePaths, scope: Scope, *, name: str, entity_id: str, now: datetime) -> str:
    """Create an agency; returns its id (made from its name)."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    name = _clean_name(name)
    entity_id = entity_id.strip()
    if not entity_id:
        raise InvalidChange("Choisissez l'entité de l'agence.")
    with operations.session(paths) as ops, operations.transaction(ops):
        _refuse_duplicate_name(ops, name, None)
        agency_id = _free_id(ops, _slug(name))
        ops.execute("INSERT INTO agencies (agency_id, name, entity_id) VALUES (?, ?, ?)", (agency_id, name, entity_id))
        record(ops, scope, now, "agency_added", agency_id, f"Agence « {name} » créée (entité {entity_id}).")
    return agency_id


def rename_agency(paths: StorePaths, scope: Scope, agency_id: str, name: str, *, now: datetime) -> None:
    require(scope.role, Action.MANAGE_ORGANISATION)
    name = _clean_name(name)
    with operations.session(paths) as ops, operations.transaction(ops):
        before = agency_name(ops, agency_id)
        if before == name:
            return
        _refuse_duplicate_name(ops, name, agency_id)
        ops.execute("UPDATE agencies SET name = ? WHERE agency_id = ?", (name, agency_id))
        record(ops, scope, now, "agency_renamed", agency_id, f"Agence « {before} » renommée « {name} ».")


def agency_name(ops: sqlite3.Connection, agency_id: str) -> str:
    """The agency's name; InvalidChange when no agency has this id."""
    row = ops.execute("SELECT name FROM agencies WHERE agency_id = ?", (agency_id,)).fetchone()
    if row is None:
        raise InvalidChange(f"Agence inconnue « {agency_id} ».")
    return str(row[0])


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidChange("Le nom de l'agence est vide.")
    return name


def _refuse_duplicate_name(ops: sqlite3.Connection, name: str, agency_id: str | None) -> None:
    for other_id, other in ops.execute("SELECT agency_id, name FROM agencies").fetchall():
        if other_id != agency_id and str(other).casefold() == name.casefold():
            raise InvalidChange(f"Une agence s'appelle déjà « {other} ».")


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "agence"


def _free_id(ops: sqlite3.Connection, base: str) -> str:
    taken = {str(r[0]) for r in ops.execute("SELECT agency_id FROM agencies").fetchall()}
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
