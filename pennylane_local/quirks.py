"""Departures from Pennylane's documented shapes that other Pennylane-compatible servers show.

Faults (``faults.py``) are transient or targeted; a quirk is how a whole server behaves, for
as long as it runs, while every request is still answered. Encours must sync the same store
from a server with any of them:

- ``scopes_spelling``: ``/me`` lists the token's scopes spelled otherwise (``read``:
  ``customers:read``; ``upper``: ``CUSTOMERS:READONLY``; ``bare``: ``customers``, ``ledger``),
  although requests are answered exactly as before;
- ``lettering_without_own_id``: a ledger line's ``lettered_ledger_entry_lines.ids`` lists only
  the *other* lines of its lettering group;
- ``clock_skew``: the server's clock runs ahead of (or behind) the client's: changelog
  ``processed_at``, mutation stamps and the ``Date`` header all use the skewed clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

SCOPE_SPELLINGS: dict[str, Callable[[str], str]] = {
    "read": lambda scope: scope.replace(":readonly", ":read"),
    "upper": str.upper,
    "bare": lambda scope: "ledger" if scope.startswith("ledger") else scope.split(":", 1)[0],
}


@dataclass(frozen=True)
class Quirks:
    scopes_spelling: str | None = None
    lettering_without_own_id: bool = False
    clock_skew: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.scopes_spelling is not None and self.scopes_spelling not in SCOPE_SPELLINGS:
            raise ValueError(
                f"unknown scopes spelling {self.scopes_spelling!r}; expected one of {sorted(SCOPE_SPELLINGS)}"
            )

    def skewed(self, now: Callable[[], datetime]) -> Callable[[], datetime]:
        """The server's clock: ``now`` shifted by the skew."""
        if not self.clock_skew:
            return now
        skew = self.clock_skew
        return lambda: now() + skew

    def me(self, body: dict[str, Any]) -> dict[str, Any]:
        """``/me`` as this server spells it."""
        if self.scopes_spelling is None:
            return body
        spell = SCOPE_SPELLINGS[self.scopes_spelling]
        return {**body, "scopes": list(dict.fromkeys(spell(s) for s in body.get("scopes") or ()))}

    def ledger_lines(self, body: dict[str, Any]) -> dict[str, Any]:
        """A page of ledger lines as this server letters them (copies; the dataset is untouched)."""
        if not self.lettering_without_own_id:
            return body
        return {**body, "items": [_without_own_id(line) for line in body["items"]]}


def _without_own_id(line: dict[str, Any]) -> dict[str, Any]:
    lettering = line.get("lettered_ledger_entry_lines")
    if not isinstance(lettering, dict):
        return line
    others = [i for i in lettering.get("ids") or () if i != line.get("id")]
    return {**line, "lettered_ledger_entry_lines": {**lettering, "ids": others}}
