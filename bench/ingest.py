"""Ingestion figures: a full sync of the 30k demo company over HTTP (local server, no rate
limit), its requests against the floor, the incremental scenario, CPU per 10k invoices."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from core.formatting import paris_now
from core.ingestion.demo_source import demo_entities, demo_token
from core.ingestion.sync import run_sync
from core.pennylane.scopes import API_PREFIX
from core.store import operations
from core.store.analytical import open_snapshot
from core.store.paths import StorePaths

ROOT = Path(__file__).resolve().parents[1]
CHANGED_ENTITY = "verdier-conseil"


def _floor(demo_dir: Path) -> int:
    manifest = json.loads((demo_dir / "manifest.json").read_text())
    return sum(math.ceil(n / 100) for counts in manifest["counts"].values() for n in counts.values())


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} never answered")


def ingest_benchmarks(demo_dir: Path, work: Path, port: int = 8799) -> dict[str, Any]:
    paths = StorePaths(work / "data-ingest")
    shutil.rmtree(paths.data_dir, ignore_errors=True)
    paths.ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, json.loads((demo_dir / "organisation.json").read_text()))
    server = subprocess.Popen(
        [sys.executable, "-m", "jobs.pennylane_local", "--data", str(demo_dir), "--port", str(port), "--no-rate-limit"],
        cwd=ROOT,
    )
    root = f"http://127.0.0.1:{port}"
    try:
        _wait(root + "/_admin/health")
        entities = demo_entities(demo_dir, root + API_PREFIX)
        cpu, wall = time.process_time(), time.perf_counter()
        full = run_sync(paths, entities, now=paris_now(), full=True)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert full.ok, full.failures
        with open_snapshot(paths) as con:
            invoices = con.execute("SELECT count(*) FROM pennylane_customer_invoices").fetchone()[0]
            unpaid = [i for (i,) in con.execute(
                "SELECT invoice_id FROM pennylane_customer_invoices WHERE entity_id = ? AND NOT paid AND NOT draft "
                "AND NOT is_credit_note AND remaining_amount_eur = amount_eur ORDER BY invoice_id LIMIT 20",
                [CHANGED_ENTITY],
            ).fetchall()]  # fmt: skip
            with_drafts = [c for (c,) in con.execute(
                "SELECT DISTINCT customer_id FROM pennylane_customer_invoices WHERE entity_id = ? AND draft "
                "ORDER BY 1 LIMIT 5", [CHANGED_ENTITY],
            ).fetchall()]  # fmt: skip
        admin = f"{root}/_admin/datasets/{demo_token(demo_dir, CHANGED_ENTITY)}"
        httpx.post(f"{admin}/update_invoices", json={"count": 100}).raise_for_status()
        for invoice_id in unpaid:
            httpx.post(f"{admin}/invoices/{invoice_id}/mark_paid", json={}).raise_for_status()
        for customer_id in with_drafts:
            httpx.post(f"{admin}/customers/{customer_id}/delete_draft_invoices").raise_for_status()
        incremental = run_sync(paths, entities, now=paris_now())
        assert incremental.ok and set(incremental.modes.values()) == {"incremental"}, incremental.modes
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "ingest.full_sync_requests": sum(full.requests.values()),
        "ingest.floor_requests": _floor(demo_dir),
        "ingest.full_sync_s": round(wall, 2),
        "ingest.incremental_requests": sum(incremental.requests.values()),
        "ingest.incremental_requests_changed_entity": incremental.requests[CHANGED_ENTITY],
        "ingest.cpu_s_per_10k": round(cpu / invoices * 10_000, 2),
    }


def rate_limited_benchmark(demo_dir: Path, work: Path, port: int = 8798) -> dict[str, Any]:
    """A full sync of the demo against the server's 25 req / 5 s limit: time, pace, 429s."""
    paths = StorePaths(work / "data-ingest-limited")
    shutil.rmtree(paths.data_dir, ignore_errors=True)
    paths.ensure()
    server = subprocess.Popen(
        [sys.executable, "-m", "jobs.pennylane_local", "--data", str(demo_dir), "--port", str(port)], cwd=ROOT
    )
    root = f"http://127.0.0.1:{port}"
    try:
        _wait(root + "/_admin/health")
        entities = tuple(replace(e, rate_limited=True) for e in demo_entities(demo_dir, root + API_PREFIX))
        wall = time.perf_counter()
        result = run_sync(paths, entities, now=paris_now(), full=True)
        wall = time.perf_counter() - wall
        assert result.ok, result.failures
        stats = httpx.get(root + "/_admin/stats").json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    requests = sum(result.requests.values())
    # one token per entity, synced in turn: each may send 25 at once, then 25 per 5 s
    fastest = sum(5 * ((n - 1) // 25) for n in result.requests.values())
    return {
        "ingest.rate_limited_full_sync_s": round(wall, 1),
        "ingest.rate_limited_requests": requests,
        "ingest.rate_limited_share_of_allowed": round(fastest / wall, 3),
        "ingest.rate_limited_429": stats["rate_limited"],
    }
