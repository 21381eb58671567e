"""Quirk switches: the local server behaves like other Pennylane-compatible servers, in
process and through its CLI flags, while answering every request."""

from __future__ import annotations

import email.utils
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from core.ingestion.demo_source import demo_token
from pennylane_local import Quirks
from tests.support.pennylane_server import ALL_SCOPES, NOW, TOKEN, sample_dataset, serve
from tests.support.processes import free_port, wait_http

ROOT = Path(__file__).resolve().parents[2]


def _lettered(lines: list[dict]) -> list[dict]:
    return [x for x in lines if x["lettered_ledger_entry_lines"]["ids"]]


def test_a_plain_server_lists_own_ids_and_dates_answers_with_its_clock() -> None:
    with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: NOW) as server:
        answer = httpx.get(
            server.base_url + "/ledger_entry_lines?limit=100", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    lines = _lettered(answer.json()["items"])
    assert lines and all(x["id"] in x["lettered_ledger_entry_lines"]["ids"] for x in lines)
    assert email.utils.parsedate_to_datetime(answer.headers["date"]) == NOW


def test_quirks_change_what_is_served_but_every_request_is_answered() -> None:
    quirks = Quirks(scopes_spelling="read", lettering_without_own_id=True, clock_skew=timedelta(minutes=-10))
    with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: NOW, quirks=quirks) as server:
        api = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"})
        me = api.get("/me")
        lines = api.get("/ledger_entry_lines", params={"limit": 100})
        statuses = {api.get(p, params={"limit": 1}).status_code for p in ("/customers", "/customer_invoices")}
    assert me.json()["scopes"] == [s.replace(":readonly", ":read") for s in ALL_SCOPES]
    assert statuses == {200}
    lettered = _lettered(lines.json()["items"])
    assert lettered and all(x["id"] not in x["lettered_ledger_entry_lines"]["ids"] for x in lettered)
    assert email.utils.parsedate_to_datetime(me.headers["date"]) == NOW - timedelta(minutes=10)


def test_an_unknown_scopes_spelling_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scopes spelling"):
        Quirks(scopes_spelling="klingon")


def test_the_cli_switches_quirks_on_with_flags(tmp_path: Path) -> None:
    sample_dataset(invoices=10).to_dir(tmp_path / "acme")
    port = free_port()
    flags = ["--scopes-spelling", "upper", "--lettering-without-own-id", "--clock-skew-minutes", "10"]
    command = [sys.executable, "-m", "jobs.pennylane_local", "--data", str(tmp_path / "acme"), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--now", "2026-11-20T09:00:00Z", *flags],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        root = f"http://127.0.0.1:{port}"
        wait_http(root + "/_admin/health", 20, process)
        headers = {"Authorization": f"Bearer {demo_token(tmp_path, 'acme')}"}
        me = httpx.get(root + "/api/external/v2/me", headers=headers)
        lines = httpx.get(root + "/api/external/v2/ledger_entry_lines", headers=headers, params={"limit": 100})
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    assert me.json()["scopes"] == [s.upper() for s in ALL_SCOPES]
    lettered = _lettered(lines.json()["items"])
    assert lettered and all(x["id"] not in x["lettered_ledger_entry_lines"]["ids"] for x in lettered)
    served_at = email.utils.parsedate_to_datetime(me.headers["date"])
    assert NOW + timedelta(minutes=9) < served_at < NOW + timedelta(minutes=11)
