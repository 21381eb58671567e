"""The local server answers with Pennylane's shapes: every body validates against the spec."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from pennylane_local import Dataset
from tests.support.openapi import validate_response
from tests.support.pennylane_server import NOW, TOKEN, sample_dataset, serve

LISTS = ["/customers", "/customer_invoices", "/ledger_entry_lines"]


def _all_pages(http: httpx.Client, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    query = dict(params)
    while True:
        response = http.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        validate_response(body, path)
        items += body["items"]
        if not body["has_more"]:
            assert body["next_cursor"] is None
            return items
        query = {**params, "cursor": body["next_cursor"]}


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        *LISTS,
        "/changelogs/customers",
        "/changelogs/customer_invoices",
        "/changelogs/ledger_entry_lines",
        "/changelogs/transactions",
    ],
)
def test_every_endpoint_validates_against_the_spec(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    validate_response(response.json(), path)


@pytest.mark.parametrize("path", ["/customers", "/customer_invoices"])
def test_every_record_by_id_validates(http: httpx.Client, dataset: Dataset, path: str) -> None:
    resource = path.strip("/")
    for record_id in dataset.records[resource]:
        response = http.get(f"{path}/{record_id}")
        assert response.status_code == 200
        validate_response(response.json(), f"{path}/{{id}}")


@pytest.mark.parametrize(
    "path", ["/customers/999999", "/customer_invoices/999999", "/customer_invoices/abc", "/nothing_here"]
)
def test_unknown_records_and_paths_are_404_with_a_json_body(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": "Not found", "status": 404}


SORTS = [("/customers", "id"), ("/customers", "-id")] + [
    (p, s) for p in LISTS[1:] for s in ("id", "-id", "date", "-date")
]


@pytest.mark.parametrize(("path", "sort"), SORTS)
def test_full_listing_in_every_sort_returns_each_record_once_in_order(
    http: httpx.Client, dataset: Dataset, path: str, sort: str
) -> None:
    items = _all_pages(http, path, {"sort": sort, "limit": 7})
    resource = path.strip("/")
    assert sorted(i["id"] for i in items) == sorted(dataset.records[resource])
    field = sort.lstrip("-")
    keys = [(i.get(field) or "", i["id"]) if field == "date" else i["id"] for i in items]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_default_sort_is_newest_first_and_default_limit_is_20(http: httpx.Client) -> None:
    body = http.get("/customer_invoices").json()
    ids = [i["id"] for i in body["items"]]
    assert len(ids) == 20 and ids == sorted(ids, reverse=True)


@pytest.mark.parametrize(
    ("path", "filters", "expected"),
    [
        ("/customer_invoices", [{"field": "draft", "operator": "eq", "value": "true"}], lambda r: r["draft"]),
        (
            "/customer_invoices",
            [{"field": "credit_note", "operator": "eq", "value": "true"}],
            lambda r: r["credited_invoice"] is not None,
        ),
        (
            "/customer_invoices",
            [{"field": "customer_id", "operator": "in", "value": ["2", "3"]}],
            lambda r: r["customer"]["id"] in (2, 3),
        ),
        (
            "/customer_invoices",
            [{"field": "customer_id", "operator": "not_in", "value": [2, 3]}],
            lambda r: r["customer"]["id"] not in (2, 3),
        ),
        (
            "/customer_invoices",
            [
                {"field": "date", "operator": "gteq", "value": "2026-09-01"},
                {"field": "date", "operator": "lt", "value": "2026-10-01"},
            ],
            lambda r: "2026-09-01" <= r["date"] < "2026-10-01",
        ),
        (
            "/customer_invoices",
            [{"field": "invoice_number", "operator": "eq", "value": "F-2026-000005"}],
            lambda r: r["invoice_number"] == "F-2026-000005",
        ),
        ("/customer_invoices", [{"field": "id", "operator": "gt", "value": 30}], lambda r: r["id"] > 30),
        (
            "/customers",
            [{"field": "customer_type", "operator": "eq", "value": "individual"}],
            lambda r: r["customer_type"] == "individual",
        ),
        (
            "/customers",
            [{"field": "name", "operator": "start_with", "value": "Client 1"}],
            lambda r: r["name"].startswith("Client 1"),
        ),
        (
            "/customers",
            [{"field": "emails", "operator": "in", "value": ["compta3@client3.example"]}],
            lambda r: r["id"] == 3,
        ),
        ("/customers", [{"field": "ledger_account_id", "operator": "eq", "value": "411002"}], lambda r: r["id"] == 2),
        (
            "/ledger_entry_lines",
            [{"field": "ledger_account_id", "operator": "eq", "value": 411001}],
            lambda r: r["ledger_account"]["id"] == 411001,
        ),
        (
            "/ledger_entry_lines",
            [{"field": "journal_id", "operator": "not_eq", "value": 900001}],
            lambda r: r["journal"]["id"] != 900001,
        ),
    ],
)
def test_filters_select_exactly_the_matching_records(
    http: httpx.Client, dataset: Dataset, path: str, filters: list[dict[str, Any]], expected: Any
) -> None:
    items = _all_pages(http, path, {"filter": json.dumps(filters), "sort": "id", "limit": 3})
    want = sorted(i for i, r in dataset.records[path.strip("/")].items() if expected(r))
    assert want, "the sample should hold matching records"
    assert [i["id"] for i in items] == want


def test_filters_are_not_kept_in_the_cursor(http: httpx.Client) -> None:
    """The real API's trap: page 2 without the filter comes back unfiltered."""
    not_draft = json.dumps([{"field": "draft", "operator": "eq", "value": "false"}])
    first = http.get("/customer_invoices", params={"filter": not_draft, "limit": 2}).json()
    assert not any(i["draft"] for i in first["items"])
    unfiltered = http.get("/customer_invoices", params={"cursor": first["next_cursor"], "limit": 100}).json()
    assert any(i["draft"] for i in unfiltered["items"])
    refiltered = http.get(
        "/customer_invoices", params={"cursor": first["next_cursor"], "filter": not_draft, "limit": 100}
    ).json()
    assert refiltered["items"] and not any(i["draft"] for i in refiltered["items"])


def test_sort_is_not_kept_in_the_cursor(http: httpx.Client) -> None:
    first = http.get("/customer_invoices", params={"sort": "id", "limit": 2}).json()
    assert [i["id"] for i in first["items"]] == [1, 2]
    # Page 2 without ``sort`` falls back to ``-id`` from the same position: only id 1 lies "after" 2.
    assert [
        i["id"] for i in http.get("/customer_invoices", params={"cursor": first["next_cursor"]}).json()["items"]
    ] == [1]
    assert [
        i["id"]
        for i in http.get(
            "/customer_invoices", params={"cursor": first["next_cursor"], "sort": "id", "limit": 2}
        ).json()["items"]
    ] == [3, 4]


@pytest.mark.parametrize(
    ("path", "params", "fragment"),
    [
        ("/customers", {"limit": "0"}, "between 1 and 100"),
        ("/customers", {"limit": "101"}, "between 1 and 100"),
        ("/customer_invoices", {"limit": "ten"}, "integer"),
        ("/changelogs/customer_invoices", {"limit": "1001"}, "between 1 and 1000"),
        ("/customers", {"sort": "date"}, "sort"),
        ("/customer_invoices", {"sort": "-deadline"}, "sort"),
        ("/customer_invoices", {"filter": "not json"}, "JSON"),
        ("/customer_invoices", {"filter": '{"field": "id"}'}, "array"),
        ("/customer_invoices", {"filter": '[{"field": "status", "operator": "eq", "value": "paid"}]'}, "status"),
        ("/customer_invoices", {"filter": '[{"field": "draft", "operator": "not_eq", "value": "true"}]'}, "not_eq"),
        (
            "/customer_invoices",
            {"filter": '[{"field": "customer_id", "operator": "in", "value": "1,2"}]'},
            "JSON array",
        ),
        ("/customer_invoices", {"filter": '[{"field": "date", "operator": "gt", "value": "2026-13-01"}]'}, "date"),
        ("/customer_invoices", {"cursor": "!!not-a-cursor"}, "cursor"),
    ],
)
def test_bad_parameters_are_400_with_a_json_error(
    http: httpx.Client, path: str, params: dict[str, str], fragment: str
) -> None:
    response = http.get(path, params=params)
    assert response.status_code == 400
    body = response.json()
    validate_response(body, path, status="400")
    assert fragment in body["error"]


def test_limits_at_the_bounds_are_accepted(http: httpx.Client) -> None:
    assert len(http.get("/customer_invoices", params={"limit": 1}).json()["items"]) == 1
    assert len(http.get("/customer_invoices", params={"limit": 100}).json()["items"]) == 41
    assert http.get("/changelogs/ledger_entry_lines", params={"limit": 1000}).status_code == 200


def test_unknown_or_missing_token_is_401(server: Any) -> None:
    for headers in ({"Authorization": "Bearer nope"}, {}):
        response = httpx.get(server.base_url + "/me", headers=headers)
        assert response.status_code == 401
        validate_response(response.json(), "/me", status="401")


def test_missing_scope_is_403_and_me_needs_none() -> None:
    limited = sample_dataset(scopes=["customers:readonly"])
    with serve({TOKEN: limited}, rate_limit=False, now=lambda: NOW) as server:
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            assert http.get("/me").status_code == 200
            assert http.get("/customers").status_code == 200
            assert http.get("/changelogs/customers").status_code == 200
            for path in [
                "/customer_invoices",
                "/customer_invoices/1",
                "/ledger_entry_lines",
                "/changelogs/customer_invoices",
                "/changelogs/transactions",
            ]:
                response = http.get(path)
                assert response.status_code == 403, path
                validate_response(response.json(), "/customer_invoices", status="403")


def test_all_scope_and_deprecated_ledger_scope_grant_reads() -> None:
    broad = sample_dataset(scopes=["customer_invoices:all", "ledger"])
    with serve({TOKEN: broad}, rate_limit=False, now=lambda: NOW) as server:
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            assert http.get("/customer_invoices").status_code == 200
            assert http.get("/ledger_entry_lines").status_code == 200
            assert http.get("/customers").status_code == 403


def test_each_token_sees_its_own_company() -> None:
    datasets = {
        "token-a": sample_dataset(company_id=1, invoices=5),
        "token-b": sample_dataset(company_id=2, invoices=9),
    }
    with serve(datasets, rate_limit=False, now=lambda: NOW) as server:
        for token, dataset in datasets.items():
            headers = {"Authorization": f"Bearer {token}"}
            assert (
                httpx.get(server.base_url + "/me", headers=headers).json()["company"]["id"]
                == dataset.me["company"]["id"]
            )
            body = httpx.get(server.base_url + "/customer_invoices", headers=headers, params={"limit": 100}).json()
            assert len(body["items"]) == len(dataset.records["customer_invoices"])
