"""Groupe Verdier: its three Pennylane companies, six agencies and internal users.

The hierarchy is fixed, not drawn from the seed: demo logins, screenshots and other
modules' tests can rely on ``claire.martin@verdier.example`` being the group admin and on
``paris`` belonging to ``verdier-conseil`` whatever seed produced the ledgers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from demo.identifiers import ascii_upper

if TYPE_CHECKING:
    from demo.customers import Customer

GROUP_NAME = "Groupe Verdier"
INTERNAL_DOMAIN = "verdier.example"
SCOPES = ["customers:readonly", "customer_invoices:readonly", "ledger_entries:readonly", "transactions:readonly"]
API = "https://app.pennylane.com/api/external/v2"


@dataclass(frozen=True)
class Entity:
    """One Pennylane company of the group, with the journals its lines are posted to."""

    index: int
    entity_id: str
    name: str
    pennylane_company_id: int
    reg_no: str
    customer_share: float
    sales_journal: int
    bank_journals: tuple[int, int]
    agencies: tuple[str, str]


# fmt: off
ENTITIES = (
    Entity(0, "verdier-conseil", "Verdier Conseil SAS", 418_207, "812345676", 0.45, 30_101, (30_102, 30_103), ("paris", "lyon")),
    Entity(1, "verdier-services", "Verdier Services SARL", 418_209, "792458135", 0.35, 30_201, (30_202, 30_203), ("lille", "nantes")),
    Entity(2, "verdier-formation", "Verdier Formation SAS", 526_114, "844177923", 0.20, 30_301, (30_302, 30_303), ("bordeaux", "marseille")),
)
# fmt: on

AGENCY_NAMES = {
    "paris": "Agence Paris",
    "lyon": "Agence Lyon",
    "lille": "Agence Lille",
    "nantes": "Agence Nantes",
    "bordeaux": "Agence Bordeaux",
    "marseille": "Agence Marseille",
}


@dataclass(frozen=True)
class User:
    first_name: str
    last_name: str
    role: str
    agency_id: str | None

    @property
    def email(self) -> str:
        local = f"{self.first_name}.{self.last_name}".replace(" ", "-")
        return f"{ascii_upper(local).lower()}@{INTERNAL_DOMAIN}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


USERS = (
    User("Claire", "Martin", "admin", None),
    User("Thomas", "Verdier", "management", None),
    User("Sophie", "Lambert", "accounting", None),
    User("Julien", "Moreau", "accounting", None),
    User("Nathalie", "Girard", "treasury", None),
    User("Antoine", "Rousseau", "agency_manager", "paris"),
    User("Céline", "Fabre", "agency_manager", "lyon"),
    User("Olivier", "Dumont", "agency_manager", "lille"),
    User("Hélène", "Guérin", "agency_manager", "nantes"),
    User("Mathieu", "Lacroix", "agency_manager", "bordeaux"),
    User("Camille", "Vidal", "agency_manager", "marseille"),
    User("Hugo", "Bernard", "sales_rep", "paris"),
    User("Léa", "Fontaine", "sales_rep", "paris"),
    User("Maxime", "Garnier", "sales_rep", "paris"),
    User("Inès", "Mercier", "sales_rep", "paris"),
    User("Romain", "Blanc", "sales_rep", "lyon"),
    User("Chloé", "Perrin", "sales_rep", "lyon"),
    User("Vincent", "Morel", "sales_rep", "lyon"),
    User("Lucas", "Lefèvre", "sales_rep", "lille"),
    User("Manon", "Carpentier", "sales_rep", "lille"),
    User("Théo", "Vasseur", "sales_rep", "lille"),
    User("Pauline", "Leroy", "sales_rep", "lille"),
    User("Guillaume", "Hamon", "sales_rep", "nantes"),
    User("Margaux", "Tessier", "sales_rep", "nantes"),
    User("Paul", "Breton", "sales_rep", "nantes"),
    User("Sarah", "Dupuy", "sales_rep", "bordeaux"),
    User("Nicolas", "Faure", "sales_rep", "bordeaux"),
    User("Julie", "Marty", "sales_rep", "bordeaux"),
    User("Louis", "Reynaud", "sales_rep", "marseille"),
    User("Emma", "Giraud", "sales_rep", "marseille"),
    User("Sébastien", "Perret", "sales_rep", "marseille"),
)

TOKEN_OWNER = USERS[0]
TOKEN_OWNER_ID = 71_843


def sales_reps(agency_id: str) -> list[str]:
    """E-mails of the agency's sales reps, in a fixed order."""
    return [u.email for u in USERS if u.role == "sales_rep" and u.agency_id == agency_id]


def me_document(entity: Entity) -> dict[str, Any]:
    """``GET /me`` as the token of ``entity`` answers it."""
    return {
        "user": {
            "id": TOKEN_OWNER_ID,
            "first_name": TOKEN_OWNER.first_name,
            "last_name": TOKEN_OWNER.last_name,
            "email": TOKEN_OWNER.email,
            "locale": "fr",
        },
        "company": {"id": entity.pennylane_company_id, "name": entity.name, "reg_no": entity.reg_no},
        "scopes": list(SCOPES),
    }


def organisation_document(customers: list[Customer]) -> dict[str, Any]:
    """``organisation.json``: the hierarchy Encours seeds, and who owns which customer."""
    ordered = sorted(customers, key=lambda c: c.id)
    accounts = []
    managers = []
    for c in ordered:
        entity_id = ENTITIES[c.entity].entity_id
        accounts.append({"entity_id": entity_id, "customer_id": c.id, "agency_id": c.agency})
        for rank, email in enumerate(c.managers):
            managers.append({"entity_id": entity_id, "customer_id": c.id, "email": email, "is_primary": rank == 0})
    return {
        "group": GROUP_NAME,
        "entities": [
            {
                "entity_id": e.entity_id,
                "name": e.name,
                "pennylane_company_id": e.pennylane_company_id,
                "reg_no": e.reg_no,
            }
            for e in ENTITIES
        ],
        "agencies": [
            {"agency_id": agency, "name": AGENCY_NAMES[agency], "entity_id": e.entity_id}
            for e in ENTITIES
            for agency in e.agencies
        ],
        "users": [
            {"email": u.email, "full_name": u.full_name, "role": u.role, "agency_id": u.agency_id} for u in USERS
        ],
        "customer_accounts": accounts,
        "customer_managers": managers,
    }
