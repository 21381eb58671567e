"""Admin HTTP API under ``/_admin`` (outside the API prefix) to drive a server in another process.

Tests running the server in-process use the Python objects directly
(``ServerState.faults``, ``Dataset.mark_paid``…); these routes expose the same
operations to a subprocess server (``python -m jobs.pennylane_local``):

- ``GET /_admin/health``, ``GET /_admin/tokens``
- ``GET /_admin/stats``, ``POST /_admin/stats/reset``
- ``GET|POST|DELETE /_admin/faults`` (POST body: ``{"kind", "count"?, "duration"?, "path_prefix"?, "token"?,
  "status"?, "delay"?, "retry_after"?, "field"?}``)
- ``POST /_admin/rate_limit`` ``{"enabled": bool}``
- ``POST /_admin/datasets/{token}/update_invoices`` ``{"count"?, "ids"?, "label"?, "amount"?}``
- ``POST /_admin/datasets/{token}/invoices`` ``{"customer_id", "amount", "date", "deadline", "label"?, "draft"?}``
- ``POST /_admin/datasets/{token}/invoices/{id}/mark_paid`` ``{"paid_on"?, "amount"?}``
- ``POST /_admin/datasets/{token}/customers/{id}/delete_draft_invoices``
- ``POST /_admin/datasets/{token}/ledger_entry_lines/{id}/reletter`` ``{"with_line"?}``
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pennylane_local.dataset import Dataset
from pennylane_local.state import ServerState

Handler = Callable[[Request], Awaitable[Response]]


def _state(request: Request) -> ServerState:
    state: ServerState = request.app.state.pennylane
    return state


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    data = json.loads(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def _dataset(request: Request) -> Dataset:
    dataset = _state(request).datasets.get(request.path_params["token"])
    if dataset is None:
        raise KeyError("unknown token")
    return dataset


def _guarded(handler: Callable[[Request], Awaitable[Any]]) -> Handler:
    """Run ``handler``; its result becomes a JSON body, bad input a 400 naming the problem."""

    async def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(await handler(request))
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"error": f"{type(exc).__name__}: {exc}"}, status_code=400)

    return endpoint


async def _health(request: Request) -> Any:
    return {"ok": True, "datasets": len(_state(request).datasets)}


async def _tokens(request: Request) -> Any:
    return sorted(_state(request).datasets)


async def _stats(request: Request) -> Any:
    return _state(request).stats.as_json()


async def _reset_stats(request: Request) -> Any:
    _state(request).stats.reset()
    return {"ok": True}


async def _faults(request: Request) -> Any:
    faults = _state(request).faults
    if request.method == "POST":
        spec = await _body(request)
        return faults.add(spec.pop("kind"), **spec).as_json()
    if request.method == "DELETE":
        faults.clear()
    return [f.as_json() for f in faults.active()]


async def _rate_limit(request: Request) -> Any:
    limiter = _state(request).limiter
    limiter.enabled = bool((await _body(request))["enabled"])
    limiter.reset()
    return {"enabled": limiter.enabled}


async def _update_invoices(request: Request) -> Any:
    spec = await _body(request)
    ids = _dataset(request).update_invoices(
        spec.get("count"), ids=spec.get("ids"), label=spec.get("label"), amount=spec.get("amount")
    )
    return {"ids": ids}


async def _add_invoice(request: Request) -> Any:
    spec = await _body(request)
    return _dataset(request).add_invoice(
        int(spec["customer_id"]),
        amount=str(spec["amount"]),
        issued_on=date.fromisoformat(spec["date"]),
        deadline=date.fromisoformat(spec["deadline"]),
        label=spec.get("label"),
        draft=bool(spec.get("draft", False)),
    )


async def _mark_paid(request: Request) -> Any:
    spec = await _body(request)
    paid_on = date.fromisoformat(spec["paid_on"]) if spec.get("paid_on") else None
    amount = str(spec["amount"]) if spec.get("amount") is not None else None
    return {
        "ledger_entry_line_ids": _dataset(request).mark_paid(request.path_params["id"], paid_on=paid_on, amount=amount)
    }


async def _reletter(request: Request) -> Any:
    with_line = (await _body(request)).get("with_line")
    line_id = request.path_params["id"]
    return {"ids": _dataset(request).reletter(line_id, int(with_line) if with_line is not None else None)}


async def _delete_drafts(request: Request) -> Any:
    return {"ids": _dataset(request).delete_draft_invoices(request.path_params["id"])}


def admin_routes() -> list[Route]:
    return [
        Route("/health", _guarded(_health)),
        Route("/tokens", _guarded(_tokens)),
        Route("/stats", _guarded(_stats)),
        Route("/stats/reset", _guarded(_reset_stats), methods=["POST"]),
        Route("/faults", _guarded(_faults), methods=["GET", "POST", "DELETE"]),
        Route("/rate_limit", _guarded(_rate_limit), methods=["POST"]),
        Route("/datasets/{token}/update_invoices", _guarded(_update_invoices), methods=["POST"]),
        Route("/datasets/{token}/invoices", _guarded(_add_invoice), methods=["POST"]),
        Route("/datasets/{token}/invoices/{id:int}/mark_paid", _guarded(_mark_paid), methods=["POST"]),
        Route("/datasets/{token}/customers/{id:int}/delete_draft_invoices", _guarded(_delete_drafts), methods=["POST"]),
        Route("/datasets/{token}/ledger_entry_lines/{id:int}/reletter", _guarded(_reletter), methods=["POST"]),
    ]
