"""Import customer ↔ account-manager assignments from a CSV or .xlsx file (docs/organisation.md).

`preview` reads the file, matches each row's customer in the admin's scoped read session (by
Pennylane id, else reference, else name; the entity column settles a name several entities
share) and its e-mail among the users, and says what would change: assignments to add, those
already there, and every rejected row with its line number and reason. `apply` then writes the
plan in one transaction: a failure midway leaves every assignment as it was.

An import adds by default. With `replace`, each customer the file names keeps only the account
managers the file gives it (the others are removed); customers the file does not name are left
alone.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from core.access.permissions import Action, require
from core.organisation import portfolios
from core.organisation.changes import InvalidChange, record
from core.organisation.tabular import read_table
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_id": ("identifiantpennylane", "idpennylane", "identifiantclient", "idclient", "identifiant", "id"),
    "reference": ("reference", "referenceclient", "refclient", "ref"),
    "name": ("client", "nomduclient", "nomclient", "nom", "raisonsociale"),
    "entity": ("entite", "societe", "entitejuridique"),
    "email": (
        "emailducharge",
        "emailduchargedeclientele",
        "chargedeclientele",
        "emailcharge",
        "email",
        "courriel",
    ),
}
"""Accepted headers (accents, case, spaces and punctuation ignored) for each column."""
COLUMN_LABELS = {
    "customer_id": "Identifiant Pennylane",
    "reference": "Référence",
    "name": "Client",
    "entity": "Entité",
    "email": "E-mail du chargé",
}


@dataclass(frozen=True)
class Assignment:
    line: int
    entity_id: str
    entity_name: str
    customer_id: int
    customer_name: str
    email: str
    manager_name: str


@dataclass(frozen=True)
class Rejected:
    line: int
    row: str
    """The row as the file gives it (cells joined by " | ")."""
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    file_name: str
    reading: str
    replace: bool
    to_add: list[Assignment] = field(default_factory=list)
    present: list[Assignment] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    to_remove: list[Assignment] = field(default_factory=list)
    """With `replace`: assignments of the file's customers the file does not give (as of the preview)."""


@dataclass(frozen=True)
class ImportResult:
    added: int
    removed: int
    unchanged: int
    rejected: int


@dataclass(frozen=True)
class _Customer:
    entity_id: str
    entity_name: str
    customer_id: int
    name: str
    reference: str


def preview(
    paths: StorePaths, scope: Scope, file_name: str, data: bytes, *, today: date, replace: bool = False
) -> ImportPlan:
    """What importing this file would change; nothing is written."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    table = read_table(data)
    if not table.rows:
        raise InvalidChange("Le fichier est vide.")
    _, header = table.rows[0]
    columns = _columns(header)
    customers = _Customers(_scoped_customers(paths, scope, today))
    with operations.session(paths) as ops:
        users = {str(e).lower(): (str(e), str(n), str(r), bool(a)) for e, n, r, a in _users(ops)}
        existing = _existing(ops)
    plan = ImportPlan(file_name=file_name, reading=table.reading, replace=replace)
    seen: dict[tuple[str, int, str], int] = {}
    for line, cells in table.rows[1:]:
        values = {key: cells[i] if i < len(cells) else "" for key, i in columns.items()}
        shown = " | ".join(c for c in cells if c)
        customer, customer_reason = customers.match(values)
        email, manager_name, email_reason = _manager(values.get("email", ""), users)
        reasons = [r for r in (customer_reason, email_reason) if r]
        if reasons or customer is None:
            plan.rejected.append(Rejected(line, shown, " ; ".join(reasons)))
            continue
        key = (customer.entity_id, customer.customer_id, email)
        if key in seen:
            plan.rejected.append(Rejected(line, shown, f"doublon de la ligne {seen[key]}"))
            continue
        seen[key] = line
        row = Assignment(
            line, customer.entity_id, customer.entity_name, customer.customer_id, customer.name, email, manager_name
        )
        (plan.present if key in existing else plan.to_add).append(row)
    if replace:
        named = {(e, c) for e, c, _ in seen}
        for e, c, email in sorted(existing):
            if (e, c) in named and (e, c, email) not in seen:
                found = customers.by_key[(e, c)]
                _, name, _, _ = users.get(email.lower(), (email, email, "", False))
                plan.to_remove.append(Assignment(0, e, found.entity_name, c, found.name, email, name))
    return plan


def apply(paths: StorePaths, scope: Scope, plan: ImportPlan, *, now: datetime) -> ImportResult:
    """Write the plan in one transaction: all of it, or (on any failure) nothing."""
    require(scope.role, Action.MANAGE_ORGANISATION)
    added = removed = 0
    with operations.session(paths) as ops, operations.transaction(ops):
        if plan.replace:
            removed = _remove_others(ops, scope, now, plan)
        touched = set()
        for row in plan.to_add:
            try:
                email, name = portfolios.manager(ops, row.email)
            except InvalidChange as exc:
                raise InvalidChange(f"Ligne {row.line} : {exc}. Rien n'a été importé : relancez l'aperçu.") from exc
            added += portfolios.insert(ops, scope, now, row.entity_id, row.customer_id, email, name)
            touched.add((row.entity_id, row.customer_id))
        for entity_id, customer_id in sorted(touched):
            portfolios.ensure_primary(ops, scope, now, entity_id, customer_id)
        summary = (
            f"{plan.file_name} : {added} ajout(s), {removed} retrait(s), {len(plan.rejected)} ligne(s) rejetée(s)."
        )
        record(ops, scope, now, "import_applied", plan.file_name, summary)
    return ImportResult(added=added, removed=removed, unchanged=len(plan.present), rejected=len(plan.rejected))


def _remove_others(ops: sqlite3.Connection, scope: Scope, now: datetime, plan: ImportPlan) -> int:
    """Replace mode: remove, from each customer the file names, the managers it does not give.

    Read again inside the transaction, so a manager added since the preview is removed too."""
    wanted: dict[tuple[str, int], set[str]] = defaultdict(set)
    for row in (*plan.to_add, *plan.present):
        wanted[(row.entity_id, row.customer_id)].add(row.email.lower())
    removed = 0
    for (entity_id, customer_id), emails in sorted(wanted.items()):
        current = ops.execute(
            "SELECT email FROM customer_managers WHERE entity_id = ? AND customer_id = ?", (entity_id, customer_id)
        ).fetchall()
        for (email,) in current:
            if str(email).lower() not in emails:
                removed += portfolios.delete(ops, scope, now, entity_id, customer_id, str(email))
        portfolios.ensure_primary(ops, scope, now, entity_id, customer_id)
    return removed


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = _plain(cell)
        for column, names in COLUMNS.items():
            if key in names and column not in found:
                found[column] = i
                break
    if "email" not in found or not {"customer_id", "reference", "name"} & found.keys():
        read = ", ".join(f"« {c} »" for c in header if c) or "aucune"
        raise InvalidChange(
            "Colonnes introuvables : la première ligne doit nommer la colonne « E-mail du chargé » et au moins "
            f"une colonne « Identifiant Pennylane », « Référence » ou « Client » (colonnes lues : {read})."
        )
    return found


def _manager(value: str, users: dict[str, tuple[str, str, str, bool]]) -> tuple[str, str, str | None]:
    """(stored e-mail, name, reason to reject or None)."""
    value = value.strip()
    if not value:
        return "", "", "e-mail du chargé non renseigné"
    found = users.get(value.lower())
    if found is None:
        return "", "", f"e-mail inconnu : aucun utilisateur « {value} »"
    email, name, role, active = found
    if not active:
        return email, name, f"{name} ({email}) est désactivé"
    if role not in portfolios.MANAGER_ROLES:
        return email, name, f"{name} ({email}) n'est pas chargé de clientèle"
    return email, name, None


class _Customers:
    """The scope's customers, indexed by Pennylane id, reference and name."""

    def __init__(self, rows: list[_Customer]) -> None:
        self.by_key = {(c.entity_id, c.customer_id): c for c in rows}
        self._by: dict[str, dict[str, list[_Customer]]] = {"customer_id": {}, "reference": {}, "name": {}}
        self._entities: dict[str, str] = {}
        for c in rows:
            self._by["customer_id"].setdefault(str(c.customer_id), []).append(c)
            if c.reference:
                self._by["reference"].setdefault(_folded(c.reference), []).append(c)
            self._by["name"].setdefault(_folded(c.name), []).append(c)
            self._entities[_folded(c.entity_id)] = c.entity_id
            self._entities[_folded(c.entity_name)] = c.entity_id

    def match(self, values: dict[str, str]) -> tuple[_Customer | None, str | None]:
        """The one customer a row names, or the reason it names none or several."""
        column = next((k for k in ("customer_id", "reference", "name") if values.get(k, "").strip()), None)
        if column is None:
            return None, "client non renseigné (identifiant Pennylane, référence ou nom)"
        given = values[column].strip()
        what = f"{COLUMN_LABELS[column].lower()} « {given} »"
        candidates = self._by[column].get(given if column == "customer_id" else _folded(given), [])
        entity_given = values.get("entity", "").strip()
        if entity_given:
            entity_id = self._entities.get(_folded(entity_given))
            if entity_id is None:
                return None, f"entité inconnue « {entity_given} »"
            candidates = [c for c in candidates if c.entity_id == entity_id]
        if not candidates:
            return None, f"aucun client ne correspond à {what}"
        if len(candidates) > 1:
            names = ", ".join(sorted({c.entity_name for c in candidates}))
            hint = "précisez l'entité" if len({c.entity_id for c in candidates}) > 1 else "utilisez l'identifiant"
            return None, f"{len(candidates)} clients correspondent à {what} ({names}) : {hint}"
        return candidates[0], None


def _scoped_customers(paths: StorePaths, scope: Scope, today: date) -> list[_Customer]:
    with read_session(paths, scope, today=today) as con:
        rows = con.execute(
            "SELECT entity_id, coalesce(entity_name, entity_id), customer_id, customer_name, coalesce(reference, '')"
            " FROM scoped_customers"
        ).fetchall()
    return [_Customer(str(e), str(en), int(c), str(n), str(r)) for e, en, c, n, r in rows]


def _users(ops: sqlite3.Connection) -> list[tuple[str, str, str, int]]:
    return [
        (str(e), str(n), str(r), int(a))
        for e, n, r, a in ops.execute("SELECT email, full_name, role, active FROM users")
    ]


def _existing(ops: sqlite3.Connection) -> set[tuple[str, int, str]]:
    rows = ops.execute("SELECT entity_id, customer_id, email FROM customer_managers").fetchall()
    return {(str(e), int(c), str(m)) for e, c, m in rows}


def _plain(text: str) -> str:
    """A header without accents, case, spaces or punctuation ("E-mail du chargé" → "emailducharge")."""
    return re.sub(r"[^a-z0-9]", "", _folded(text))


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(plain.casefold().split())
