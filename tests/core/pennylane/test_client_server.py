"""The client syncing from the local server over real HTTP, with every fault the server can inject."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.ingestion.demo_source import demo_token
from core.pennylane import (
    PennylaneAuthError,
    PennylaneChangelogTooOld,
    PennylaneClient,
    PennylaneCursorExpired,
    PennylaneError,
    PennylaneRequestError,
    PennylaneScopeError,
)
from tests.core.pennylane.conftest import NO_JITTER, FakeTime
from tests.support.pennylane_server import NOW, TOKEN, ServerHandle, sample_dataset, serve


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: NOW) as handle:
        yield handle


def make_client(server: ServerHandle, fake: FakeTime, token: str = TOKEN, read_timeout: float = 5.0) -> PennylaneClient:
    return PennylaneClient(
        server.base_url,
        token,
        timeout=httpx.Timeout(read_timeout, connect=2.0),
        throttle=fake.throttle(),
        retry=NO_JITTER,
        sleep=fake.sleep,
        clock=fake.clock,
    )


def ids(pages: Any) -> list[int]:
    return [record["id"] for page in pages for record in page]


def test_full_listings_return_every_record_once(server: ServerHandle, fake_time: FakeTime) -> None:
    dataset = server.dataset(TOKEN)
    with make_client(server, fake_time) as client:
        assert ids(client.iter_customers()) == sorted(dataset.records["customers"])
        assert ids(client.iter_customer_invoices(limit=7)) == sorted(dataset.records["customer_invoices"])
        assert ids(client.iter_ledger_entry_lines(limit=100)) == sorted(dataset.records["ledger_entry_lines"])
        assert client.me()["company"]["id"] == 1
        assert client.get_customer_invoice(3)["id"] == 3
    assert server.stats.requests["/customer_invoices"] == 6  # 41 invoices, 7 per page


def test_filters_hold_across_pages(server: ServerHandle, fake_time: FakeTime) -> None:
    dataset = server.dataset(TOKEN)
    with make_client(server, fake_time) as client:
        got = ids(client.iter_customer_invoices([("customer_id", "in", [2, 3]), ("draft", "eq", False)], limit=2))
        lines = ids(client.iter_ledger_entry_lines([("ledger_account_id", "eq", 411002)], limit=3))
    assert got == sorted(
        i for i, r in dataset.records["customer_invoices"].items() if r["customer"]["id"] in (2, 3) and not r["draft"]
    )
    assert lines == sorted(
        i for i, r in dataset.records["ledger_entry_lines"].items() if r["ledger_account"]["id"] == 411002
    )
    assert len(got) > 4 and len(lines) > 3  # several pages each


TRANSIENT = [
    pytest.param("rate_limit", {"count": 3, "retry_after": 2}, 3, id="429-storm"),
    pytest.param("server_error", {"count": 3, "status": 500}, 3, id="500-burst"),
    pytest.param("server_error", {"count": 4, "status": 503}, 4, id="503-burst"),
    pytest.param("server_error", {"count": 2, "status": 502}, 2, id="502-burst"),
    pytest.param("slow", {"count": 2, "delay": 0.2}, 0, id="slow"),
    pytest.param("timeout", {"count": 1, "delay": 1.0}, 1, id="timeout"),
    pytest.param("malformed_json", {"count": 2}, 2, id="malformed-json"),
    pytest.param("truncated", {"count": 2}, 2, id="truncated-page"),
]


@pytest.mark.parametrize(("kind", "options", "retries"), TRANSIENT)
def test_transient_faults_mid_listing_are_absorbed(
    server: ServerHandle, fake_time: FakeTime, kind: str, options: dict[str, Any], retries: int
) -> None:
    dataset = server.dataset(TOKEN)
    not_draft = [("draft", "eq", False)]
    with make_client(server, fake_time, read_timeout=0.4) as client:
        pages = client.iter_customer_invoices(not_draft, limit=5)
        first = next(pages)
        server.faults.add(kind, path_prefix="/customer_invoices", **options)
        got = [r["id"] for r in first] + ids(pages)
        assert client.stats.retries == retries
    assert got == sorted(i for i, r in dataset.records["customer_invoices"].items() if not r["draft"])
    assert server.faults.active() == []
    if kind == "rate_limit":
        assert fake_time.sleeps == [2, 2, 2]
        assert server.stats.injected_429 == 3 and server.stats.rate_limited == 0


PERSISTENT = [
    pytest.param("revoked_token", {}, lambda c: c.me(), PennylaneAuthError, "révoqué", id="401-revoked"),
    pytest.param(
        "revoked_token", {}, lambda c: ids(c.iter_customers()), PennylaneAuthError, "jeton", id="401-on-a-list"
    ),
    pytest.param(
        "missing_scope",
        {"path_prefix": "/ledger_entry_lines"},
        lambda c: ids(c.iter_ledger_entry_lines()),
        PennylaneScopeError,
        "« ledger_entries:readonly »",
        id="403-scope",
    ),
    pytest.param(
        "expired_cursor",
        {},
        lambda c: ids(c.iter_customer_invoices(limit=10)),
        PennylaneCursorExpired,
        "première page",
        id="400-expired-cursor",
    ),
    pytest.param(
        "missing_scope",
        {"path_prefix": "/changelogs/customer_invoices"},
        lambda c: ids(c.iter_changelog("customer_invoices", None)),
        PennylaneScopeError,
        "customer_invoices:readonly",
        id="403-changelog",
    ),
]


@pytest.mark.parametrize(("kind", "options", "call", "error", "words"), PERSISTENT)
def test_persistent_faults_raise_a_clear_typed_error_without_the_token(
    server: ServerHandle,
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    options: dict[str, Any],
    call: Any,
    error: type,
    words: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    server.faults.add(kind, **options)
    with make_client(server, fake_time) as client, pytest.raises(PennylaneError) as caught:
        call(client)
    assert type(caught.value) is error and not caught.value.transient
    assert words in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value) and TOKEN not in caplog.text
    assert client.stats.retries == 0


def test_changelog_too_old_and_unknown_record(server: ServerHandle, fake_time: FakeTime) -> None:
    with make_client(server, fake_time) as client:
        with pytest.raises(PennylaneChangelogTooOld) as too_old:
            ids(client.iter_changelog("customer_invoices", NOW - timedelta(days=29)))
        assert "synchronisation complète" in str(too_old.value) and too_old.value.status == 422
        with pytest.raises(PennylaneRequestError) as missing:
            client.get_customer_invoice(999_999)
        assert missing.value.status == 404 and client.stats.retries == 0


def test_changelog_follows_cursor_and_sees_mutations(server: ServerHandle, fake_time: FakeTime) -> None:
    dataset = server.dataset(TOKEN)
    with make_client(server, fake_time) as client:
        before = [
            e for page in client.iter_changelog("customer_invoices", NOW - timedelta(days=27), limit=3) for e in page
        ]
        assert len(before) > 3
        stamps = [e["processed_at"] for e in before]
        assert stamps == sorted(stamps)
        invoice = next(
            i
            for i, r in sorted(dataset.records["customer_invoices"].items())
            if not r["draft"] and not r["paid"] and r["status"] != "credit_note"
        )
        dataset.mark_paid(invoice, paid_on=date(2026, 11, 19))
        after = [e for page in client.iter_changelog("customer_invoices", NOW) for e in page]
        lines = [e for page in client.iter_changelog("ledger_entry_lines", NOW) for e in page]
    assert {"id": invoice, "operation": "update"}.items() <= after[-1].items()
    assert {e["operation"] for e in lines} == {"insert", "update"}


def test_unknown_fields_pass_through_and_missing_fields_reach_the_caller(
    server: ServerHandle, fake_time: FakeTime
) -> None:
    server.faults.add("unknown_field", count=1, field="new_in_2027")
    server.faults.add("missing_field", count=1, field="deadline")
    with make_client(server, fake_time) as client:
        pages = list(client.iter_customer_invoices(limit=20))
    assert all(r["new_in_2027"] for r in pages[0])
    assert not any("deadline" in r for r in pages[1]) and all("deadline" in r for r in pages[2])


def test_syncs_a_generated_demo_with_default_limits(tmp_path: Path, fake_time: FakeTime) -> None:
    generator = pytest.importorskip("demo.generator")
    manifest = generator.generate(tmp_path, today=date(2026, 11, 20), invoices=3000)
    with serve(tmp_path, rate_limit=False, now=lambda: NOW) as server:
        for entity, counts in manifest["counts"].items():
            with make_client(server, fake_time, token=demo_token(tmp_path, entity)) as client:
                assert len(ids(client.iter_customers())) == counts["customers"]
                assert len(set(ids(client.iter_customer_invoices()))) == counts["customer_invoices"]
                assert len(set(ids(client.iter_ledger_entry_lines()))) == counts["ledger_entry_lines"]
