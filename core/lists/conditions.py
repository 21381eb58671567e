"""A list's filters as one SQL `WHERE`: clauses whose identifiers are constants of the caller, and
the values bound to their `?` in order. Both lists (invoices, customers) build theirs with it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.lists.filters import NONE


class Conditions:
    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *values: Any) -> None:
        """A clause (constant text, `?` for each value) and its values."""
        self.clauses.append(clause)
        self.params.extend(values)

    def among(self, column: str, values: Sequence[Any]) -> None:
        """`column` is one of `values` (nothing when there are none); the value NONE ("-") matches
        a missing one (no agency, no account manager)."""
        if not values:
            return
        known = [v for v in values if v != NONE]
        parts = [column + " IN (" + ", ".join("?" for _ in known) + ")"] if known else []
        if len(known) < len(values):
            parts.append(column + " IS NULL")
        self.add("(" + " OR ".join(parts) + ")", *known)

    def sql(self) -> tuple[str, list[Any]]:
        """The clauses joined by AND (`true` when there are none) and their values in order."""
        return (" AND ".join(self.clauses) or "true"), self.params
