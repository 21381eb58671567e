"""Changelogs: start_date/cursor rules, 4-week retention, and events recorded by mutations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest

from pennylane_local import Dataset
from pennylane_local.changelog import RETENTION, format_timestamp, parse_timestamp
from tests.support.openapi import validate_response
from tests.support.pennylane_server import NOW, TOKEN, sample_dataset, serve

PATH = "/changelogs/customer_invoices"


def _events(http: httpx.Client, path: str, first: dict[str, Any], limit: int = 7) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    params: dict[str, Any] = {**first, "limit": limit}
    while True:
        response = http.get(path, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        validate_response(body, path)
        events += body["items"]
        if not body["has_more"]:
            return events
        params = {"cursor": body["next_cursor"], "limit": limit}  # cursor only, as the API demands


def _expected(dataset: Dataset, resource: str, since: datetime) -> list[tuple[int, str]]:
    out = []
    for record in dataset.records[resource].values():
        created, updated = parse_timestamp(record["created_at"]), parse_timestamp(record["updated_at"])
        if since <= created <= NOW:
            out.append((created, record["id"], "insert"))
        if updated > created and since <= updated <= NOW:
            out.append((updated, record["id"], "update"))
    return [(i, op) for _, i, op in sorted(out)]


def test_start_date_and_cursor_together_is_400(http: httpx.Client) -> None:
    first = http.get(PATH, params={"limit": 1}).json()
    response = http.get(
        PATH, params={"cursor": first["next_cursor"], "start_date": format_timestamp(NOW - timedelta(days=1))}
    )
    assert response.status_code == 400
    validate_response(response.json(), PATH, status="400")


def test_start_date_older_than_four_weeks_is_422(http: httpx.Client) -> None:
    response = http.get(PATH, params={"start_date": format_timestamp(NOW - RETENTION - timedelta(minutes=1))})
    assert response.status_code == 422
    validate_response(response.json(), PATH, status="422")
    assert (
        http.get(PATH, params={"start_date": format_timestamp(NOW - RETENTION + timedelta(minutes=1))}).status_code
        == 200
    )


@pytest.mark.parametrize("value", ["yesterday", "2026-11-01", "2026-11-01T00:00:00"])
def test_start_date_must_be_rfc3339_with_a_zone(http: httpx.Client, value: str) -> None:
    assert http.get(PATH, params={"start_date": value}).status_code == 400


@pytest.mark.parametrize("resource", ["customer_invoices", "ledger_entry_lines", "customers"])
def test_only_events_within_retention_are_served_ascending(http: httpx.Client, dataset: Dataset, resource: str) -> None:
    events = _events(http, f"/changelogs/{resource}", {})
    floor = NOW - RETENTION
    assert [(e["id"], e["operation"]) for e in events] == _expected(dataset, resource, floor)
    stamps = [parse_timestamp(e["processed_at"]) for e in events]
    assert stamps == sorted(stamps) and all(floor <= s <= NOW for s in stamps)


def test_sample_has_events_past_retention_that_are_dropped(dataset: Dataset) -> None:
    assert _expected(dataset, "customer_invoices", NOW - timedelta(days=365)) != _expected(
        dataset, "customer_invoices", NOW - RETENTION
    )


def test_start_date_selects_later_events(http: httpx.Client, dataset: Dataset) -> None:
    since = NOW - timedelta(days=10)
    events = _events(http, PATH, {"start_date": format_timestamp(since)}, limit=2)
    assert [(e["id"], e["operation"]) for e in events] == _expected(dataset, "customer_invoices", since)
    assert events


def test_events_dated_after_the_server_clock_are_not_served_yet() -> None:
    early = NOW - timedelta(days=15)
    with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: early) as server:
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            events = _events(http, PATH, {}, limit=1000)
    assert events and all(parse_timestamp(e["processed_at"]) <= early for e in events)


def test_mutations_are_logged_as_events() -> None:
    with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: NOW) as server:
        dataset = server.dataset(TOKEN)
        open_invoice = next(
            i
            for i, r in sorted(dataset.records["customer_invoices"].items())
            if not r["draft"] and not r["paid"] and r["status"] != "credit_note"
        )
        drafts_of = dataset.records["customer_invoices"][4]["customer"]["id"]  # invoice 4 is a draft
        new_line_ids = dataset.mark_paid(open_invoice, paid_on=date(2026, 11, 19))
        deleted = dataset.delete_draft_invoices(drafts_of)
        added = dataset.add_invoice(1, amount="240.00", issued_on=date(2026, 11, 20), deadline=date(2026, 12, 20))
        updated = dataset.update_invoices(2)
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            since = {"start_date": format_timestamp(NOW)}
            invoice_events = [(e["id"], e["operation"]) for e in _events(http, PATH, since)]
            line_events = [(e["id"], e["operation"]) for e in _events(http, "/changelogs/ledger_entry_lines", since)]
    assert (open_invoice, "update") in invoice_events
    assert {(i, "delete") for i in deleted} <= set(invoice_events) and 4 in deleted
    assert (added["id"], "insert") in invoice_events
    assert {(i, "update") for i in updated} <= set(invoice_events)
    assert {(i, "insert") for i in new_line_ids} <= set(line_events)
    assert any(op == "update" for _, op in line_events)  # the invoice's line, now lettered
