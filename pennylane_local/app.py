"""The Starlette app serving Pennylane's API shapes under ``/api/external/v2``.

Every API request follows one pipeline, in the order the real service is
assumed to apply it: token → rate limit → injected fault → scope → endpoint.
Responses carry the spec's envelopes and error bodies (``{"error", "status"}``;
a 429 is plain text), so any Pennylane client can sync from it over HTTP.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route

from core.pennylane.scopes import API_PREFIX, accepted_scopes
from pennylane_local.admin import admin_routes
from pennylane_local.changelog import RESOURCES as CHANGELOG_RESOURCES
from pennylane_local.changelog import RETENTION, format_timestamp, parse_timestamp
from pennylane_local.dataset import Dataset
from pennylane_local.faults import Fault, Faults
from pennylane_local.files import PDF_PATH, LinkRefused, render
from pennylane_local.filters import QueryError, parse_filter, parse_sort
from pennylane_local.pagination import CursorError, decode_cursor, encode_cursor, list_page, list_position
from pennylane_local.quirks import Quirks
from pennylane_local.ratelimit import RateLimiter
from pennylane_local.state import ServerState, ServerStats

_LIST = re.compile(r"^/(customers|customer_invoices|ledger_entry_lines)$")
_ITEM = re.compile(r"^/(customers|customer_invoices)/([^/]+)$")
_CHANGELOG = re.compile(r"^/changelogs/([a-z_]+)$")
_MALFORMED = b'{"items": [{"id": 1,, "has_more": tru'


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(raw, status, dict(headers or {}), media_type="application/json")


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return json_response({"error": message, "status": status}, status, headers)


def _too_many(retry_after: int, headers: Mapping[str, str]) -> Response:
    text = f"Rate limit exceeded. Please retry in {retry_after} seconds."
    return PlainTextResponse(text, 429, {**headers, "retry-after": str(retry_after)})


def _limit(query: QueryParams, maximum: int) -> int:
    raw = query.get("limit") or "20"
    try:
        limit = int(raw)
    except ValueError as exc:
        raise ApiError(400, f"limit must be an integer between 1 and {maximum}") from exc
    if not 1 <= limit <= maximum:
        raise ApiError(400, f"limit must be between 1 and {maximum}")
    return limit


def _list(dataset: Dataset, resource: str, query: QueryParams) -> dict[str, Any]:
    limit = _limit(query, 100)
    sort_field, descending = parse_sort(resource, query.get("sort"))
    predicate = parse_filter(resource, query.get("filter"))
    cursor = query.get("cursor")
    after = list_position(cursor, sort_field) if cursor else None
    ordered, keys = dataset.sorted_view(resource, sort_field)
    items, has_more, next_cursor = list_page(
        ordered, keys, descending=descending, after=after, predicate=predicate, limit=limit
    )
    return {"items": items, "has_more": has_more, "next_cursor": next_cursor}


def _changelog(dataset: Dataset, resource: str, query: QueryParams, now: datetime) -> dict[str, Any]:
    raw_start, cursor = query.get("start_date"), query.get("cursor")
    if raw_start and cursor:
        raise ApiError(400, "start_date and cursor cannot be used together")
    limit = _limit(query, 1000)
    start = after = None
    if cursor:
        position = decode_cursor(cursor)
        try:
            after = (parse_timestamp(position[0]), int(position[1]))
        except (IndexError, TypeError, ValueError) as exc:
            raise CursorError("Invalid cursor") from exc
    elif raw_start:
        try:
            start = parse_timestamp(raw_start.replace(" ", "+"))
        except ValueError as exc:
            raise ApiError(400, "start_date must be an RFC 3339 date-time") from exc
        if start < now - RETENTION:
            raise ApiError(422, "start_date cannot be older than 4 weeks: changes are only kept for 4 weeks")
    events, has_more = dataset.changelog.page(resource, now=now, start=start, after=after, limit=limit)
    last = events[-1] if events else None
    next_cursor = encode_cursor([format_timestamp(last.processed_at), last.seq]) if has_more and last else None
    return {"items": [e.as_json() for e in events], "has_more": has_more, "next_cursor": next_cursor}


def _route(state: ServerState, dataset: Dataset, path: str, query: QueryParams) -> Any:
    if path == "/me":
        return state.quirks.me(dataset.me)
    if match := _LIST.match(path):
        page = _list(dataset, match[1], query)
        return state.quirks.ledger_lines(page) if match[1] == "ledger_entry_lines" else page
    if match := _ITEM.match(path):
        record = dataset.get(match[1], int(match[2])) if match[2].isdigit() else None
        if record is None:
            raise ApiError(404, "Not found")
        return record
    if (match := _CHANGELOG.match(path)) and match[1] in CHANGELOG_RESOURCES:
        return _changelog(dataset, match[1], query, state.now())
    raise ApiError(404, "Not found")


def _alter_records(body: Any, fault: Fault) -> Any:
    """Apply an ``unknown_field``/``missing_field`` fault to copies of the served records."""
    paged = isinstance(body, dict) and isinstance(body.get("items"), list)
    altered = []
    for record in body["items"] if paged else [body]:
        record = dict(record)
        if fault.kind == "unknown_field":
            record[fault.field or "x_unknown"] = "valeur inattendue"
        else:
            record.pop(fault.field or "label", None)
        altered.append(record)
    return {**body, "items": altered} if paged else altered[0]


async def _serve(state: ServerState, request: Request, path: str) -> Response:
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
    dataset = state.datasets.get(token)
    if dataset is None:
        return _error(401, "Unauthorized: invalid or missing access token")
    decision = state.limiter.hit(token)
    headers = decision.headers
    if not decision.allowed:
        state.stats.rate_limited += 1
        return _too_many(decision.retry_after or 1, headers)
    fault = state.faults.take(path, token, has_cursor=bool(request.query_params.get("cursor")))
    kind = fault.kind if fault else None
    if fault is not None:
        if kind == "revoked_token":
            return _error(401, "Unauthorized: this access token has been revoked", headers)
        if kind == "missing_scope":
            return _error(403, f"Forbidden: the access token lacks the scope required by {path}", headers)
        if kind == "rate_limit":
            state.stats.injected_429 += 1
            return _too_many(fault.retry_after, headers)
        if kind == "server_error":
            return _error(
                fault.status, "Internal Server Error" if fault.status == 500 else "Service Unavailable", headers
            )
        if kind == "expired_cursor":
            return _error(400, "Invalid cursor: this cursor has expired", headers)
        if kind in ("slow", "timeout"):
            await asyncio.sleep(fault.delay)
    scopes = accepted_scopes(path)
    if scopes and not dataset.scopes.intersection(scopes):
        return _error(403, f"Forbidden: missing scope {scopes[0]}", headers)
    try:
        with dataset.lock:
            body = _route(state, dataset, path, request.query_params)
    except ApiError as exc:
        return _error(exc.status, str(exc), headers)
    except (QueryError, CursorError) as exc:
        return _error(400, str(exc), headers)
    if (match := _ITEM.match(path)) and match[1] == "customer_invoices" and not body.get("draft"):
        # a fresh link at every read, as Pennylane's expire after 30 minutes
        url = state.file_links.url(str(request.base_url), token, int(body["id"]), state.now())
        body = {**body, "public_file_url": url}
    if kind == "malformed_json":
        return Response(_MALFORMED, 200, headers, media_type="application/json")
    if fault is not None and kind in ("unknown_field", "missing_field"):
        body = _alter_records(body, fault)
    response = json_response(body, 200, headers)
    if kind == "truncated":
        cut = response.body[: len(response.body) // 2]
        return Response(cut, 200, headers, media_type="application/json")
    return response


async def api_endpoint(request: Request) -> Response:
    state: ServerState = request.app.state.pennylane
    path = "/" + request.path_params["path"].strip("/")
    state.stats.requests[path] += 1
    response = await _serve(state, request, path)
    # The server's own clock, as Pennylane's `Date` header gives it (uvicorn's is switched off).
    response.headers["date"] = email.utils.format_datetime(state.now().astimezone(UTC), usegmt=True)
    state.stats.statuses[response.status_code] += 1
    return response


async def pdf_endpoint(request: Request) -> Response:
    """An invoice's PDF behind the link `GET /customer_invoices/{id}` gave (no token: the link is the key)."""
    state: ServerState = request.app.state.pennylane
    state.stats.requests[PDF_PATH] += 1
    try:
        dataset, invoice_id = state.file_links.open(
            request.query_params.get("encrypted_id", ""), state.datasets, state.now()
        )
    except LinkRefused as exc:
        response = _error(exc.status, str(exc))
    else:
        file = render(dataset, invoice_id)
        if file is None:
            response = _error(404, "Not found")
        else:
            disposition = {"content-disposition": f'inline; filename="{file[0]}"'}
            response = Response(file[1], 200, disposition, media_type="application/pdf")
    state.stats.statuses[response.status_code] += 1
    return response


def create_app(
    datasets: Mapping[str, Dataset],
    *,
    rate_limit: bool = True,
    now: Callable[[], datetime] | None = None,
    clock: Callable[[], float] = time.monotonic,
    wall: Callable[[], float] = time.time,
    admin: bool = True,
    quirks: Quirks | None = None,
) -> Starlette:
    """The app for ``datasets`` keyed by bearer token; ``now`` drives changelogs and mutations
    (shifted by ``quirks.clock_skew``, so a skewed server stamps everything with its own time)."""
    quirks = quirks or Quirks()
    now = quirks.skewed(now or (lambda: datetime.now(UTC)))
    for dataset in datasets.values():
        dataset.clock = now
    state = ServerState(
        dict(datasets),
        RateLimiter(enabled=rate_limit, clock=clock, wall=wall),
        Faults(clock=clock),
        ServerStats(),
        now,
        quirks,
    )
    routes: list[Route | Mount] = [
        Route(API_PREFIX + "/{path:path}", api_endpoint, methods=["GET"]),
        Route(PDF_PATH, pdf_endpoint, methods=["GET"]),
    ]
    if admin:
        routes.append(Mount("/_admin", routes=admin_routes()))
    app = Starlette(routes=routes)
    app.state.pennylane = state
    return app
