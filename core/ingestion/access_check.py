"""What a token can read, as far as the client can tell before syncing, and the connection check.

Scopes listed by ``GET /me`` decide nothing: Pennylane-compatible servers spell them
differently (``customers:read``, ``LEDGER``…) while answering every request. A scope Encours
does not recognise is only a warning; the server's own 403 is the verdict, and the client
turns it into a French message naming the missing permission.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.config import EntityConfig
from core.pennylane.client import DEFAULT_TIMEOUT, PennylaneClient
from core.pennylane.errors import PennylaneError
from core.pennylane.scopes import accepted_scopes
from core.pennylane.throttle import Throttle
from core.store.loader import RESOURCES

log = logging.getLogger(__name__)


def unrecognised_scopes(me: dict[str, Any]) -> list[str]:
    """One French sentence per resource for which ``/me`` lists no scope Encours knows."""
    scopes = set(me.get("scopes") or [])
    notes = []
    for resource in RESOURCES.values():
        accepted = accepted_scopes(resource.endpoint)
        if accepted and not scopes.intersection(accepted):
            notes.append(
                f"GET /me ne mentionne pas le droit « {accepted[0]} » attendu pour lire {resource.endpoint} : "
                "le serveur en décidera (un refus HTTP 403 arrêterait cette société)."
            )
    return notes


def warn_about_scopes(entity_id: str, me: dict[str, Any]) -> None:
    for note in unrecognised_scopes(me):
        log.warning("%s : %s", entity_id, note)


@dataclass
class EntityCheck:
    """What ``jobs.ingest --check`` prints for one entity; ``ok`` when every request was answered."""

    entity_id: str
    name: str = ""
    ok: bool = True
    lines: list[str] = field(default_factory=list)


def check_entity(client: PennylaneClient, entity_id: str) -> EntityCheck:
    """GET /me, then one record of each resource the sync reads: the server says what the token may read."""
    check = EntityCheck(entity_id)
    try:
        me = client.me()
    except PennylaneError as exc:
        check.ok = False
        check.lines.append(f"connexion : échec — {exc}")
        return check
    company = me.get("company") or {}
    check.lines.append(f"connexion : ok — société « {company.get('name', '?')} » (id {company.get('id', '?')})")
    check.lines.extend(f"avertissement : {note}" for note in unrecognised_scopes(me))
    for resource in RESOURCES.values():
        try:
            client.get_page(resource.endpoint, {"limit": 1})
        except PennylaneError as exc:
            check.ok = False
            check.lines.append(f"{resource.endpoint} : refusé — {exc}")
        else:
            check.lines.append(f"{resource.endpoint} : lecture autorisée")
    return check


def check_entities(
    entities: Sequence[EntityConfig],
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> list[EntityCheck]:
    """Check every entity in turn (four requests each), syncing nothing."""
    checks = []
    for entity in entities:
        unpaced = None if entity.rate_limited else Throttle(limit=1_000_000, period=1.0)
        with PennylaneClient(
            entity.api_url, entity.token.reveal(), transport=transport, throttle=unpaced, timeout=timeout
        ) as client:
            check = check_entity(client, entity.entity_id)
        check.name = entity.name
        checks.append(check)
    return checks
