"""The invoice's PDF, asked of Pennylane at click time.

Pennylane's file links (`public_file_url`) expire 30 minutes after they are served, so Encours
never stores one: each click asks Pennylane for the invoice again and hands the fresh link over.
The invoice must be in the user's scope first (read through the scoped session, like every
page), so a sales rep cannot fetch another portfolio's invoice by changing an id in an address.
In demo mode the entity's Pennylane is the local server the scheduler runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from core.access.permissions import Action, Forbidden, require
from core.config import EntityConfig, Settings
from core.formatting import PARIS
from core.ingestion.demo_source import demo_base_url, demo_entities
from core.pennylane.client import PennylaneClient
from core.pennylane.errors import (
    PennylaneAuthError,
    PennylaneConnectionError,
    PennylaneError,
    PennylaneRateLimited,
    PennylaneRequestError,
    PennylaneScopeError,
    PennylaneServerError,
    PennylaneTimeout,
)
from core.pennylane.retry import RetryPolicy
from core.pennylane.throttle import Throttle
from core.scope import Scope
from core.store.paths import StorePaths
from core.store.reading import read_session

LINK_LIFETIME = timedelta(minutes=30)
"""How long Pennylane's file links stay valid (its API documentation)."""
CLICK_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
CLICK_RETRY = RetryPolicy(max_attempts=2, base_delay=0.3, max_retry_after=5.0)
"""Someone is waiting on the button: one quick retry of a transient failure, not the sync's patience."""


class InvoiceFileUnavailable(RuntimeError):
    """The PDF link could not be obtained; the message is French, for the screen."""


@dataclass(frozen=True)
class InvoiceFileLink:
    url: str
    invoice_number: str
    expires_at: datetime
    """Paris time after which Pennylane refuses the link (ask again then)."""


def _invoice_in_scope(paths: StorePaths, scope: Scope, entity_id: str, invoice_id: int, today: datetime) -> str:
    with read_session(paths, scope, today=today.date()) as con:
        row = con.execute(
            "SELECT invoice_number FROM scoped_invoices WHERE entity_id = ? AND invoice_id = ?",
            [entity_id, int(invoice_id)],
        ).fetchone()
    if row is None:
        raise Forbidden("Cette facture n'existe pas ou ne fait pas partie de votre périmètre.")
    return str(row[0] or invoice_id)


def _entity(settings: Settings, paths: StorePaths, entity_id: str) -> EntityConfig:
    if settings.demo:
        if not (paths.demo_dir / "organisation.json").exists():
            raise InvoiceFileUnavailable(
                "Aucun jeton Pennylane configuré et aucune société de démonstration : le PDF ne peut pas être demandé."
            )
        entities = demo_entities(paths.demo_dir, demo_base_url(settings.demo_api_port))
    else:
        entities = settings.entities
    for entity in entities:
        if entity.entity_id == entity_id:
            return entity
    raise InvoiceFileUnavailable(
        f"La société « {entity_id} » n'est plus dans la configuration d'Encours : son PDF ne peut pas être demandé "
        "à Pennylane."
    )


def _explain(exc: PennylaneError, entity: EntityConfig, number: str) -> str:
    if isinstance(exc, (PennylaneConnectionError, PennylaneTimeout)):
        return "Pennylane ne répond pas pour le moment : le PDF n'a pas pu être demandé. Réessayez dans un instant."
    if isinstance(exc, PennylaneAuthError):
        return (
            f"Pennylane refuse le jeton d'API de {entity.name} (HTTP 401) : un administrateur doit le renouveler "
            "pour que les PDF s'ouvrent."
        )
    if isinstance(exc, PennylaneScopeError):
        return (
            f"Le jeton d'API de {entity.name} n'a pas le droit de lire les factures dans Pennylane (HTTP 403) : "
            "un administrateur doit lui ajouter cette permission."
        )
    if isinstance(exc, PennylaneRateLimited):
        return "Pennylane limite le nombre de demandes en ce moment : réessayez dans quelques secondes."
    if isinstance(exc, PennylaneServerError):
        return f"Pennylane est momentanément indisponible (HTTP {exc.status}) : réessayez dans un instant."
    if isinstance(exc, PennylaneRequestError) and exc.status == 404:
        return (
            f"Pennylane ne connaît plus la facture {number} (HTTP 404) : elle a peut-être été supprimée ; "
            "la prochaine synchronisation mettra Encours à jour."
        )
    return str(exc)


def invoice_file_url(
    settings: Settings,
    paths: StorePaths,
    scope: Scope,
    entity_id: str,
    invoice_id: int,
    *,
    now: datetime,
    transport: httpx.BaseTransport | None = None,
) -> InvoiceFileLink:
    """A fresh link to the invoice's PDF in Pennylane, valid 30 minutes from `now`.

    Raises Forbidden (French) when the user may not see the invoice, InvoiceFileUnavailable
    (French) when Pennylane cannot give the link (down, token refused, invoice gone, no PDF).
    """
    require(scope.role, Action.VIEW_LISTS)
    number = _invoice_in_scope(paths, scope, entity_id, invoice_id, now.astimezone(PARIS))
    entity = _entity(settings, paths, entity_id)
    unpaced = None if entity.rate_limited else Throttle(limit=1_000_000, period=1.0)
    try:
        with PennylaneClient(
            entity.api_url,
            entity.token.reveal(),
            transport=transport,
            timeout=CLICK_TIMEOUT,
            throttle=unpaced,
            retry=CLICK_RETRY,
        ) as client:
            url = client.invoice_file_url(invoice_id)
    except PennylaneError as exc:
        raise InvoiceFileUnavailable(_explain(exc, entity, number)) from exc
    if url is None:
        raise InvoiceFileUnavailable(
            f"Pennylane n'a pas de PDF pour la facture {number} (brouillon, ou document pas encore généré)."
        )
    return InvoiceFileLink(url=url, invoice_number=number, expires_at=(now + LINK_LIFETIME).astimezone(PARIS))
