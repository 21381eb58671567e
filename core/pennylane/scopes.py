"""Which token scope each Pennylane endpoint requires.

Pennylane answers 403 when a token lacks the scope an operation declares in
its ``security`` block. The client names that scope in its error so an admin
knows what to tick when re-creating the token; the local server uses the same
table to refuse requests, so both sides agree on one source.
"""

from __future__ import annotations

API_PREFIX = "/api/external/v2"

# First path segment (or the segment after ``/changelogs``) -> scope family.
_SCOPE_FAMILY = {
    "customers": "customers",
    "customer_invoices": "customer_invoices",
    "ledger_entry_lines": "ledger_entries",
    "transactions": "transactions",
}

# Pre-2026 tokens still carry the deprecated umbrella scope for ledger data.
_DEPRECATED = {"ledger_entries": ("ledger",)}


def _family(path: str) -> str | None:
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX) :]
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if not parts:
        return None
    if parts[0] == "changelogs":
        parts = parts[1:]
    return _SCOPE_FAMILY.get(parts[0]) if parts else None


def required_scope(path: str) -> str | None:
    """The read-only scope a GET on ``path`` needs (``None`` for ``/me`` or unknown paths)."""
    family = _family(path)
    return f"{family}:readonly" if family else None


def accepted_scopes(path: str) -> tuple[str, ...]:
    """Every scope that grants a GET on ``path``; empty when no scope is needed."""
    family = _family(path)
    if family is None:
        return ()
    return (f"{family}:readonly", f"{family}:all", *_DEPRECATED.get(family, ()))
