"""Build Pennylane's ``filter`` query parameter from ``(field, operator, value)`` tuples.

The API takes a JSON-encoded array of ``{field, operator, value}`` objects,
ANDed. Scalar values are sent as strings, as in every example of the spec
(``"123"``, ``"true"``, ``"2024-01-01"``); ``in``/``not_in`` take a JSON array.
Bad operators or shapes are programming errors and raise ``ValueError`` here
rather than a 400 from the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

OPERATORS = frozenset({"eq", "not_eq", "lt", "lteq", "gt", "gteq", "in", "not_in", "start_with"})
LIST_OPERATORS = frozenset({"in", "not_in"})

Filter = tuple[str, str, Any]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (int, Decimal, str)):
        return str(value)
    raise ValueError(f"unsupported filter value {value!r} ({type(value).__name__})")


def filter_clause(field: str, operator: str, value: Any) -> dict[str, Any]:
    """One ``{field, operator, value}`` object, validated."""
    if operator not in OPERATORS:
        raise ValueError(f"unknown filter operator {operator!r}; expected one of {sorted(OPERATORS)}")
    if operator in LIST_OPERATORS:
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, set, frozenset)):
            raise ValueError(f"operator {operator!r} needs a list of values, got {value!r}")
        return {"field": field, "operator": operator, "value": [_scalar(v) for v in value]}
    return {"field": field, "operator": operator, "value": _scalar(value)}


def build_filter(filters: Iterable[Filter] | None) -> str | None:
    """The ``filter`` parameter's value, or ``None`` when there is nothing to filter on."""
    clauses = [filter_clause(*f) for f in filters or ()]
    return json.dumps(clauses, separators=(",", ":")) if clauses else None
