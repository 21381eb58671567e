"""What the published snapshot says about each entity's last sync (read before a run)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

from core.ingestion.pennylane_sync import EntityState
from core.store.analytical import StoreNotPublished, open_snapshot
from core.store.paths import StorePaths
from core.store.schema import SCHEMA_VERSION, read_schema_version

log = logging.getLogger(__name__)

_STATE = "SELECT entity_id, changes_since FROM sync_state"
_COMPANIES = "SELECT entity_id, pennylane_company_id, pennylane_company_name, reg_no FROM entities"
_ACCOUNTS = "SELECT entity_id, list(DISTINCT ledger_account_id) FROM pennylane_customers WHERE ledger_account_id IS NOT NULL GROUP BY 1"
_COUNTS = """
SELECT entity_id, 'customers', count(*) FROM pennylane_customers GROUP BY 1
UNION ALL SELECT entity_id, 'customer_invoices', count(*) FROM pennylane_customer_invoices GROUP BY 1
UNION ALL SELECT entity_id, 'ledger_entry_lines', count(*) FROM pennylane_ledger_entry_lines GROUP BY 1
"""
_PARTNERS = """
SELECT DISTINCT unnest(lettered_ids) FROM pennylane_ledger_entry_lines
WHERE entity_id = $entity_id AND list_contains($line_ids, line_id)
"""


def lettered_with(paths: StorePaths, entity_id: str, line_ids: Sequence[int]) -> frozenset[int]:
    """The published lines that share a lettering with any of `line_ids` (read when a sync needs them)."""
    if not line_ids:
        return frozenset()
    try:
        with open_snapshot(paths) as con:
            rows = con.execute(_PARTNERS, {"entity_id": entity_id, "line_ids": list(line_ids)}).fetchall()
    except StoreNotPublished:
        return frozenset()
    return frozenset(int(i) for (i,) in rows)


def read_states(paths: StorePaths) -> dict[str, EntityState]:
    """Per entity: changelog position, known customer ledger accounts, record counts (for ETAs).

    Nothing when the published snapshot was built with another schema version: every entity
    is then synced from scratch.
    """
    try:
        with open_snapshot(paths) as con:
            version = read_schema_version(con)
            if version != SCHEMA_VERSION:
                log.warning(
                    "instantané publié en version de schéma %s, code en version %s : reprise complète",
                    version, SCHEMA_VERSION,
                )  # fmt: skip
                return {}
            positions = dict(con.execute(_STATE).fetchall())
            accounts = dict(con.execute(_ACCOUNTS).fetchall())
            companies = {e: {"id": i, "name": n, "reg_no": r} for e, i, n, r in con.execute(_COMPANIES).fetchall()}
            counts: dict[str, dict[str, int]] = {}
            for entity_id, resource, n in con.execute(_COUNTS).fetchall():
                counts.setdefault(entity_id, {})[resource] = int(n)
    except StoreNotPublished:
        return {}
    return {
        entity_id: EntityState(
            changes_since=since,
            ledger_accounts=frozenset(int(a) for a in accounts.get(entity_id, [])),
            counts=counts.get(entity_id, {}),
            company=companies.get(entity_id, {}),
            lettered_with=functools.partial(lettered_with, paths, entity_id),
        )
        for entity_id, since in positions.items()
    }


def published_schema_version(paths: StorePaths) -> int | None:
    """The schema version of the published snapshot, or None when nothing is published."""
    try:
        with open_snapshot(paths) as con:
            return read_schema_version(con)
    except StoreNotPublished:
        return None


def published_entities(paths: StorePaths) -> set[str]:
    try:
        with open_snapshot(paths) as con:
            return {e for (e,) in con.execute("SELECT entity_id FROM entities").fetchall()}
    except StoreNotPublished:
        return set()
