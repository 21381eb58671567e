"""The ``filter`` and ``sort`` parameters, with the fields and operators the spec allows per endpoint.

Anything the real API would reject (bad JSON, unknown field, an operator the
field does not accept, ``in`` without a JSON array, a malformed date) is a
``QueryError`` that the app turns into a 400 with a JSON error body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

ORDERED = frozenset({"lt", "lteq", "gt", "gteq", "eq", "not_eq", "in", "not_in"})


class QueryError(ValueError):
    """A query parameter the API would refuse with a 400."""


@dataclass(frozen=True)
class Field:
    operators: frozenset[str]
    kind: str  # int | date | bool | str | emails
    get: Callable[[Record], Any]


def _ref_id(key: str) -> Callable[[Record], Any]:
    return lambda r: (r.get(key) or {}).get("id")


def _is_credit_note(r: Record) -> bool:
    return r.get("credited_invoice") is not None or r.get("status") == "credit_note"


def _name(r: Record) -> str:
    return r.get("name") or " ".join(p for p in (r.get("first_name"), r.get("last_name")) if p)


FIELDS: dict[str, dict[str, Field]] = {
    "customers": {
        "id": Field(ORDERED, "int", lambda r: r["id"]),
        "customer_type": Field(frozenset({"eq", "not_eq"}), "str", lambda r: r.get("customer_type")),
        "ledger_account_id": Field(frozenset({"eq", "not_eq"}), "int", _ref_id("ledger_account")),
        "name": Field(frozenset({"start_with", "eq"}), "str", _name),
        "external_reference": Field(
            frozenset({"start_with", "eq", "not_eq", "in", "not_in"}), "str", lambda r: r.get("external_reference")
        ),
        "reg_no": Field(frozenset({"eq", "not_eq", "in", "not_in"}), "str", lambda r: r.get("reg_no")),
        "emails": Field(frozenset({"in"}), "emails", lambda r: r.get("emails") or []),
    },
    "customer_invoices": {
        "id": Field(ORDERED, "int", lambda r: r["id"]),
        "date": Field(ORDERED, "date", lambda r: r.get("date")),
        "customer_id": Field(ORDERED, "int", _ref_id("customer")),
        "billing_subscription_id": Field(ORDERED, "int", _ref_id("billing_subscription")),
        "quote_id": Field(ORDERED, "int", _ref_id("quote")),
        "invoice_number": Field(frozenset({"eq", "not_eq", "in", "not_in"}), "str", lambda r: r.get("invoice_number")),
        "draft": Field(frozenset({"eq"}), "bool", lambda r: bool(r.get("draft"))),
        "credit_note": Field(frozenset({"eq"}), "bool", _is_credit_note),
        "external_reference": Field(frozenset({"eq"}), "str", lambda r: r.get("external_reference")),
    },
    "ledger_entry_lines": {
        "id": Field(ORDERED, "int", lambda r: r["id"]),
        "journal_id": Field(ORDERED, "int", _ref_id("journal")),
        "ledger_account_id": Field(ORDERED, "int", _ref_id("ledger_account")),
        "date": Field(ORDERED, "date", lambda r: r.get("date")),
    },
}

SORT_FIELDS = {"customers": ("id",), "customer_invoices": ("id", "date"), "ledger_entry_lines": ("id", "date")}


def _convert(kind: str, value: Any, field: str) -> Any:
    try:
        if kind == "int" and not isinstance(value, bool):
            return int(value)
        if kind == "date" and isinstance(value, str):
            return date.fromisoformat(value).isoformat()
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
        if kind in ("str", "emails") and isinstance(value, (str, int)) and not isinstance(value, bool):
            return str(value)
    except ValueError:
        pass
    raise QueryError(f"Invalid value {value!r} for filter field '{field}'")


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "not_eq":
        return actual != expected
    if op == "not_in":
        return actual not in expected
    if actual is None:
        return False
    if op == "eq":
        return bool(actual == expected)
    if op == "in":
        return actual in expected
    if op == "start_with":
        return str(actual).startswith(expected)
    return {"lt": actual < expected, "lteq": actual <= expected, "gt": actual > expected, "gteq": actual >= expected}[
        op
    ]


def _clause(resource: str, clause: Any) -> Predicate:
    if not isinstance(clause, dict) or not {"field", "operator", "value"} <= clause.keys():
        raise QueryError("Each filter must be an object with 'field', 'operator' and 'value'")
    name, op, value = clause["field"], clause["operator"], clause["value"]
    spec = FIELDS[resource].get(name)
    if spec is None:
        raise QueryError(f"Filter field '{name}' is not supported. Available fields: {', '.join(FIELDS[resource])}")
    if op not in spec.operators:
        raise QueryError(
            f"Operator '{op}' is not supported for field '{name}'. Available operators: {', '.join(sorted(spec.operators))}"
        )
    if op in ("in", "not_in"):
        if not isinstance(value, list):
            raise QueryError(f"Operator '{op}' expects a JSON array value for field '{name}'")
        expected: Any = {_convert(spec.kind, v, name) for v in value}
    else:
        expected = _convert(spec.kind, value, name)
    if spec.kind == "emails":
        return lambda r: any(e in expected for e in spec.get(r))
    return lambda r: _compare(op, spec.get(r), expected)


def parse_filter(resource: str, raw: str | None) -> Predicate | None:
    """A predicate ANDing the clauses of ``raw`` (the ``filter`` parameter), or ``None``."""
    if raw is None or raw.strip() == "":
        return None
    try:
        clauses = json.loads(raw)
    except ValueError as exc:
        raise QueryError("Invalid filter: not valid JSON") from exc
    if not isinstance(clauses, list):
        raise QueryError("Invalid filter: expected a JSON array of filters")
    predicates = [_clause(resource, c) for c in clauses]
    return lambda r: all(p(r) for p in predicates)


def parse_sort(resource: str, raw: str | None) -> tuple[str, bool]:
    """``(field, descending)``; the API's default is ``-id``."""
    raw = (raw or "-id").strip()
    descending = raw.startswith("-")
    field = raw.lstrip("-")
    if field not in SORT_FIELDS[resource]:
        raise QueryError(f"Invalid sort field '{field}'. Available fields: {', '.join(SORT_FIELDS[resource])}")
    return field, descending
