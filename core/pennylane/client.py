"""``PennylaneClient``: read access to Pennylane's Company API v2.

Every request goes through one path: the shared throttle, one GET, mapping of
failures to ``PennylaneError`` subclasses, the retry policy for the transient
ones. Tests pass an ``httpx`` transport (or the local server's URL) instead of
patching anything.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from core.pennylane.errors import (
    PennylaneBadResponse,
    PennylaneConnectionError,
    PennylaneError,
    PennylaneRateLimited,
    PennylaneTimeout,
    error_for_status,
)
from core.pennylane.filters import Filter, build_filter
from core.pennylane.pagination import CHANGELOG_LIMIT, LIST_LIMIT, Page, iter_pages, parse_envelope
from core.pennylane.retry import RetryPolicy
from core.pennylane.throttle import Throttle, shared_throttle

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://app.pennylane.com/api/external/v2"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_RESOURCE = re.compile(r"^[a-z_]+$")
_RETRY_IN_TEXT = re.compile(r"retry in (\d+(?:\.\d+)?) seconds", re.IGNORECASE)
_TIMEOUT_KIND = {
    httpx.ConnectTimeout: "connexion",
    httpx.ReadTimeout: "lecture de la réponse",
    httpx.WriteTimeout: "envoi de la requête",
    httpx.PoolTimeout: "attente d'une connexion libre",
}

T = TypeVar("T")


@dataclass
class ClientStats:
    """Counters for logs and tests: HTTP requests sent (retries included), bytes received."""

    requests: int = 0
    retries: int = 0
    throttled_waits: int = 0
    throttled_seconds: float = 0.0
    bytes: int = 0


def _server_time(response: httpx.Response) -> datetime | None:
    """The server's clock when it answered (the HTTP ``Date`` header), or None when absent or unreadable."""
    raw = response.headers.get("date", "").strip()
    try:
        parsed = email.utils.parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError):
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _retry_after(response: httpx.Response, wall: Callable[[], float]) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    if raw:
        try:
            return max(float(raw), 0.0)
        except ValueError:
            pass
        try:  # the HTTP-date form
            parsed = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return max(parsed.timestamp() - wall(), 0.0)
    match = _RETRY_IN_TEXT.search(response.text[:200])
    return float(match.group(1)) if match else None


def _as_object(body: Any, path: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PennylaneBadResponse(
            f"Réponse inattendue de Pennylane sur {path} : le corps n'est pas un objet JSON.", path=path, transient=True
        )
    return body


def rfc3339(moment: datetime) -> str:
    """``2026-11-20T08:00:00Z``; a naive datetime is refused (its time zone would be a guess)."""
    if moment.tzinfo is None:
        raise ValueError("start_date must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class PennylaneClient:
    """One company's API access. Thread-safe for requests; ``stats`` are approximate across threads."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        throttle: Throttle | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        """``sleep``, ``clock`` (durations) and ``wall`` (an HTTP-date ``retry-after``) are this
        client's time; tests pin them, together with a ``throttle`` built on the same clock."""
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.throttle = throttle if throttle is not None else shared_throttle(self.base_url, token)
        self.retry = retry if retry is not None else RetryPolicy()
        self.stats = ClientStats()
        self._sleep = sleep
        self._clock = clock
        self._wall = wall
        self.server_time: datetime | None = None
        """The server's clock at its last successful answer (``Date`` header), when it sent one."""
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"PennylaneClient(base_url={self.base_url!r}, token='***')"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PennylaneClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- one request -------------------------------------------------------

    def _send_once(self, path: str, params: Mapping[str, Any], parse: Callable[[Any, str], T]) -> T:
        ticket, waited = self.throttle.acquire()
        if waited > 0:
            self.stats.throttled_waits += 1
            self.stats.throttled_seconds += waited
        self.stats.requests += 1
        started = self._clock()
        try:
            response = self._http.get(path, params=dict(params))
        except httpx.TimeoutException as exc:
            kind = _TIMEOUT_KIND.get(type(exc), "délai dépassé")
            raise PennylaneTimeout(
                f"Pennylane n'a pas répondu à temps sur {path} ({kind}).", path=path, transient=True
            ) from exc
        except httpx.RequestError as exc:
            raise PennylaneConnectionError(
                f"La connexion à Pennylane a échoué sur {path} ({type(exc).__name__}).", path=path, transient=True
            ) from exc
        finally:
            self.throttle.release(ticket)
        self.stats.bytes += len(response.content)
        self.throttle.observe(response.headers)
        log.debug(
            "GET %s %s -> %d (%d bytes, %.3f s)",
            path,
            dict(params),
            response.status_code,
            len(response.content),
            self._clock() - started,
        )
        if not response.is_success:
            raise error_for_status(
                response.status_code,
                path,
                response.content,
                had_cursor="cursor" in params,
                retry_after=_retry_after(response, self._wall) if response.status_code == 429 else None,
                secret=self._token,
            )
        self.server_time = _server_time(response) or self.server_time
        try:
            body = json.loads(response.content)
        except ValueError as exc:  # includes UnicodeDecodeError
            raise PennylaneBadResponse(
                f"Réponse illisible de Pennylane sur {path} : le JSON est invalide ou tronqué ({len(response.content)} octets reçus).",
                status=response.status_code,
                path=path,
                transient=True,
            ) from exc
        return parse(body, path)

    def _get(self, path: str, params: Mapping[str, Any], parse: Callable[[Any, str], T]) -> T:
        attempt = 1
        while True:
            try:
                return self._send_once(path, params, parse)
            except PennylaneError as err:
                if not self.retry.should_retry(err, attempt):
                    log.warning("Pennylane GET %s failed for good after %d attempt(s): %r", path, attempt, err)
                    raise
                delay = self.retry.delay(err, attempt)
                if isinstance(err, PennylaneRateLimited):
                    self.throttle.block_for(delay)  # every thread on this token waits, not only this one
                log.info(
                    "Pennylane GET %s: %s (attempt %d/%d), retrying in %.2f s",
                    path,
                    type(err).__name__,
                    attempt,
                    self.retry.max_attempts,
                    delay,
                )
                self.stats.retries += 1
                self._sleep(delay)
                attempt += 1

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One JSON object (``/me``, ``/customer_invoices/{id}``…)."""
        return self._get(path, params or {}, _as_object)

    def get_page(self, path: str, params: Mapping[str, Any]) -> Page:
        """One page of a list, envelope checked (a bad envelope is retried like a bad body)."""
        return self._get(path, params, parse_envelope)

    # -- endpoints -----------------------------------------------------------

    def me(self) -> dict[str, Any]:
        """``GET /me``: the token's user, company and scopes; needs no scope (a connection check)."""
        return self.get_json("/me")

    def get_customer(self, customer_id: int) -> dict[str, Any]:
        return self.get_json(f"/customers/{int(customer_id)}")

    def get_customer_invoice(self, invoice_id: int) -> dict[str, Any]:
        return self.get_json(f"/customer_invoices/{int(invoice_id)}")

    def invoice_file_url(self, invoice_id: int) -> str | None:
        """A fresh ``public_file_url`` of one invoice's PDF, or None when Pennylane has no file for it
        (a draft, a PDF not generated yet). The link expires 30 minutes after this call: use it at
        once, never store it."""
        url = self.get_customer_invoice(invoice_id).get("public_file_url")
        if url is not None and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
            path = f"/customer_invoices/{int(invoice_id)}"
            raise PennylaneBadResponse(
                f"Réponse inattendue de Pennylane sur {path} : le lien du PDF n'est pas une adresse web.",
                path=path,
                transient=False,
            )
        return url or None

    def _iter_list(
        self, path: str, filters: list[Filter] | None, sort: str, limit: int, cursor: str | None
    ) -> Iterator[Page]:
        params = {"filter": build_filter(filters), "sort": sort}
        return iter_pages(self, path, params, limit=limit, cursor=cursor)

    def iter_customers(
        self,
        filters: list[Filter] | None = None,
        *,
        sort: str = "id",
        limit: int = LIST_LIMIT,
        cursor: str | None = None,
    ) -> Iterator[Page]:
        return self._iter_list("/customers", filters, sort, limit, cursor)

    def iter_customer_invoices(
        self,
        filters: list[Filter] | None = None,
        *,
        sort: str = "id",
        limit: int = LIST_LIMIT,
        cursor: str | None = None,
    ) -> Iterator[Page]:
        return self._iter_list("/customer_invoices", filters, sort, limit, cursor)

    def iter_ledger_entry_lines(
        self,
        filters: list[Filter] | None = None,
        *,
        sort: str = "id",
        limit: int = LIST_LIMIT,
        cursor: str | None = None,
    ) -> Iterator[Page]:
        return self._iter_list("/ledger_entry_lines", filters, sort, limit, cursor)

    def iter_changelog(
        self, resource: str, start_date: datetime | None, *, limit: int = CHANGELOG_LIMIT, cursor: str | None = None
    ) -> Iterator[Page]:
        """Change events since ``start_date`` (first page only), then by cursor only; ``None`` = oldest kept.

        Raises ``PennylaneChangelogTooOld`` when ``start_date`` is past the 4-week retention.
        """
        if not _RESOURCE.match(resource):
            raise ValueError(f"invalid changelog resource {resource!r}")
        first = {"start_date": rfc3339(start_date)} if start_date is not None else None
        return iter_pages(self, f"/changelogs/{resource}", None, limit=limit, first_page_params=first, cursor=cursor)
