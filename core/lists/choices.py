"""What the lists' filters can choose from, in the user's scope: entities, agencies, account
managers and customers, with their names (for the widgets and for the filters in words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.cache import snapshot_cached
from core.lists.filters import NONE, NONE_LABELS, FilterNames
from core.scope import Scope
from core.store.paths import StorePaths
from core.store.reading import read_session

_ENTITIES = "SELECT entity_id, name FROM scoped_entities ORDER BY name, entity_id"
_AGENCIES = """
SELECT DISTINCT agency_id, agency_name FROM scoped_customers WHERE agency_id IS NOT NULL ORDER BY agency_name, agency_id
"""
_MANAGERS = """
SELECT lower(primary_manager_email) AS email, any_value(coalesce(primary_manager_name, primary_manager_email)) AS name
FROM scoped_customers WHERE primary_manager_email IS NOT NULL
GROUP BY 1 ORDER BY 2, 1
"""
_MISSING = """
SELECT count(*) FILTER (WHERE agency_id IS NULL), count(*) FILTER (WHERE primary_manager_email IS NULL)
FROM scoped_customers
"""
_CUSTOMERS = """
SELECT entity_id, customer_id, customer_name FROM scoped_customers ORDER BY customer_name, entity_id, customer_id
"""


@dataclass(frozen=True)
class ListChoices:
    entities: dict[str, str]
    agencies: dict[str, str]
    managers: dict[str, str]
    """Primary account managers of the customers in scope: e-mail (lower case) → name."""
    customers: dict[tuple[str, int], str]

    @property
    def names(self) -> FilterNames:
        return FilterNames(self.entities, self.agencies, self.managers, self.customers)

    def customer_label(self, key: tuple[str, int]) -> str:
        """ "Boulangerie Lefèvre (Alpha SAS)" — a name can exist in two entities."""
        name = self.customers.get(key, f"n° {key[1]}")
        return f"{name} ({self.entities.get(key[0], key[0])})" if len(self.entities) > 1 else name


@snapshot_cached()
def list_choices(paths: StorePaths, scope: Scope, *, today: date) -> ListChoices:
    """The values the filters offer, in the user's scope (cached per snapshot and scope)."""
    with read_session(paths, scope, today=today) as con:
        entities = {e: n or e for e, n in con.execute(_ENTITIES).fetchall()}
        agencies = {a: n or a for a, n in con.execute(_AGENCIES).fetchall()}
        managers = {m: n for m, n in con.execute(_MANAGERS).fetchall()}
        customers = {(e, int(c)): n or f"n° {c}" for e, c, n in con.execute(_CUSTOMERS).fetchall()}
        no_agency, no_manager = con.execute(_MISSING).fetchone() or (0, 0)
    if no_agency:  # customers without an agency (or a manager) can be chosen too: the dashboard's "Sans agence"
        agencies[NONE] = NONE_LABELS["agence"]
    if no_manager:
        managers[NONE] = NONE_LABELS["gestionnaire"]
    return ListChoices(entities, agencies, managers, customers)
