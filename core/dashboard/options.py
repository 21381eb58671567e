"""What the dashboard's filters offer: only the entities, agencies, account managers and
customers the user's scope reaches (a sales rep never sees another portfolio's names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.cache import snapshot_cached
from core.scope import Scope
from core.store.paths import StorePaths
from core.store.reading import read_session

_ENTITIES = "SELECT entity_id, name FROM scoped_entities ORDER BY name"
_AGENCIES = """
SELECT DISTINCT agency_id, agency_name FROM scoped_customers
WHERE agency_id IS NOT NULL ORDER BY agency_name
"""
_MANAGERS = """
SELECT DISTINCT lower(m.email) AS email, coalesce(u.full_name, m.email) AS name
FROM customer_managers AS m
SEMI JOIN scoped_customer_keys AS k USING (entity_id, customer_id)
LEFT JOIN users AS u ON lower(u.email) = lower(m.email)
WHERE m.is_primary
ORDER BY name
"""
_SEARCH = """
SELECT entity_id || ':' || CAST(customer_id AS VARCHAR) AS key, customer_name, entity_name
FROM scoped_customers
WHERE strip_accents(lower(customer_name)) LIKE '%' || strip_accents(lower(?)) || '%' ESCAPE '\\'
   OR list_contains(?::VARCHAR[], entity_id || ':' || CAST(customer_id AS VARCHAR))
ORDER BY customer_name
LIMIT ?
"""
MAX_MATCHES = 50


@dataclass(frozen=True)
class FilterOptions:
    entities: tuple[tuple[str, str], ...]
    """(entity_id, name)"""
    agencies: tuple[tuple[str, str], ...]
    managers: tuple[tuple[str, str], ...]
    """(e-mail, full name)"""


@snapshot_cached(maxsize=32)
def filter_options(paths: StorePaths, scope: Scope, *, today: date) -> FilterOptions:
    with read_session(paths, scope, today=today) as con:
        return FilterOptions(
            entities=tuple(con.execute(_ENTITIES).fetchall()),
            agencies=tuple(con.execute(_AGENCIES).fetchall()),
            managers=tuple(con.execute(_MANAGERS).fetchall()),
        )


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@snapshot_cached(maxsize=64)
def customer_choices(
    paths: StorePaths, scope: Scope, text: str, selected: tuple[str, ...], *, today: date
) -> tuple[tuple[str, str], ...]:
    """Customers whose name contains `text` (accents and case ignored), plus those already
    selected, as (`entity_id:customer_id`, "Name (Entity)"); at most MAX_MATCHES + selected."""
    with read_session(paths, scope, today=today) as con:
        rows = con.execute(_SEARCH, [_like_literal(text.strip()[:100]), list(selected), MAX_MATCHES + len(selected)])
        return tuple((key, f"{name} ({entity})") for key, name, entity in rows.fetchall())
