"""The admin HTTP API, the CLI in a subprocess, and serving the demo generator's output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from core.ingestion.demo_source import demo_token
from tests.support.openapi import validate_response
from tests.support.pennylane_server import NOW, TOKEN, ServerHandle, sample_dataset, serve
from tests.support.processes import free_port, wait_http

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: NOW) as handle:
        yield handle


def test_admin_api_drives_faults_stats_rate_limit_and_mutations(server: ServerHandle) -> None:
    api = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
    admin = httpx.Client(base_url=server.root_url + "/_admin")
    assert admin.get("/health").json() == {"ok": True, "datasets": 1}
    assert admin.get("/tokens").json() == [TOKEN]

    fault = admin.post(
        "/faults", json={"kind": "server_error", "status": 503, "count": 1, "path_prefix": "/customers"}
    ).json()
    assert fault["kind"] == "server_error" and fault["count"] == 1
    assert [f["id"] for f in admin.get("/faults").json()] == [fault["id"]]
    assert [api.get("/customers").status_code for _ in range(2)] == [503, 200]
    assert admin.post("/faults", json={"kind": "nope"}).status_code == 400
    admin.post("/faults", json={"kind": "revoked_token"})
    assert api.get("/me").status_code == 401
    assert admin.delete("/faults").json() == []
    assert api.get("/me").status_code == 200

    stats = admin.get("/stats").json()
    assert stats["requests"]["/customers"] == 2 and stats["statuses"]["503"] == 1 and stats["injected_429"] == 0
    admin.post("/stats/reset")
    assert admin.get("/stats").json()["total"] == 0

    dataset = server.dataset(TOKEN)
    open_invoice = next(
        i
        for i, r in sorted(dataset.records["customer_invoices"].items())
        if not r["draft"] and not r["paid"] and r["status"] != "credit_note"
    )
    paid = admin.post(f"/datasets/{TOKEN}/invoices/{open_invoice}/mark_paid", json={"paid_on": "2026-11-19"})
    assert paid.status_code == 200 and len(paid.json()["ledger_entry_line_ids"]) == 2
    assert api.get(f"/customer_invoices/{open_invoice}").json()["status"] == "paid"
    assert admin.post(f"/datasets/{TOKEN}/invoices/{open_invoice}/mark_paid").status_code == 400  # nothing left to pay
    added = admin.post(
        f"/datasets/{TOKEN}/invoices",
        json={"customer_id": 2, "amount": "99.90", "date": "2026-11-20", "deadline": "2026-12-20"},
    ).json()
    validate_response(api.get(f"/customer_invoices/{added['id']}").json(), "/customer_invoices/{id}")
    assert admin.post(f"/datasets/{TOKEN}/update_invoices", json={"count": 2}).json()["ids"]
    customer = dataset.records["customer_invoices"][4]["customer"]["id"]
    assert 4 in admin.post(f"/datasets/{TOKEN}/customers/{customer}/delete_draft_invoices").json()["ids"]
    assert admin.post("/datasets/unknown/update_invoices", json={"count": 1}).status_code == 400

    assert admin.post("/rate_limit", json={"enabled": True}).json() == {"enabled": True}
    assert "ratelimit-remaining" in api.get("/me").headers


def test_cli_serves_a_data_dir_in_a_subprocess(tmp_path: Path) -> None:
    sample_dataset(invoices=10).to_dir(tmp_path / "acme")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "jobs.pennylane_local",
        "--data",
        str(tmp_path / "acme"),
        "--port",
        str(port),
        "--now",
        "2026-11-20T09:00:00Z",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        root = f"http://127.0.0.1:{port}"
        wait_http(root + "/_admin/health", 20, process)
        headers = {"Authorization": f"Bearer {demo_token(tmp_path, 'acme')}"}
        response = httpx.get(root + "/api/external/v2/customer_invoices", headers=headers, params={"limit": 100})
        assert response.status_code == 200 and len(response.json()["items"]) == 11
        assert response.headers["ratelimit-limit"] == "25"  # on by default
        changes = httpx.get(
            root + "/api/external/v2/changelogs/customer_invoices", headers=headers, params={"limit": 1000}
        ).json()
        assert changes["items"], "--now keeps the sample's recent events inside the 4-week window"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=10)[0].decode()
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Serving 1 companies" in output and "demo-token-acme" not in output  # tokens never logged


def test_cli_reports_a_missing_data_dir(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jobs.pennylane_local", "--data", str(tmp_path / "none")],
        cwd=ROOT,
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2 and b"Cannot load demo data" in result.stderr


def test_serves_a_generated_3000_invoice_demo(tmp_path: Path) -> None:
    generator = pytest.importorskip("demo.generator")
    manifest = generator.generate(tmp_path, today=date(2026, 11, 20), invoices=3000)
    with serve(tmp_path, rate_limit=False, now=lambda: NOW) as server:
        assert set(server.app_state.datasets) == {demo_token(tmp_path, e) for e in manifest["counts"]}
        for entity, counts in manifest["counts"].items():
            with httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {demo_token(tmp_path, entity)}"}
            ) as http:
                validate_response(http.get("/me").json(), "/me")
                for resource in ("customers", "customer_invoices", "ledger_entry_lines"):
                    body = http.get(f"/{resource}", params={"limit": 100, "sort": "id"}).json()
                    validate_response(body, f"/{resource}")
                    assert body["has_more"] == (counts[resource] > 100)
                validate_response(
                    http.get("/changelogs/customer_invoices", params={"limit": 1000}).json(),
                    "/changelogs/customer_invoices",
                )
        entity = next(iter(manifest["counts"]))
        dataset = server.dataset(demo_token(tmp_path, entity))
        invoice = next(
            r
            for r in dataset.records["customer_invoices"].values()
            if r["status"] in ("upcoming", "late") and r["remaining_amount_with_tax"] == r["amount"]
        )
        (receipt,) = dataset.mark_paid(
            invoice["id"], paid_on=date(2026, 11, 19)
        )  # customer-account lines only, like the generator
        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {demo_token(tmp_path, entity)}"}
        ) as http:
            validate_response(http.get(f"/customer_invoices/{invoice['id']}").json(), "/customer_invoices/{id}")
            lines = http.get(
                "/ledger_entry_lines", params={"filter": f'[{{"field":"id","operator":"eq","value":"{receipt}"}}]'}
            ).json()
            validate_response(lines, "/ledger_entry_lines")
            assert invoice["ledger_entry"]["id"] != lines["items"][0]["ledger_entry"]["id"]
            assert len(lines["items"][0]["lettered_ledger_entry_lines"]["ids"]) >= 2
