"""The server's rate limit (25 / 5 s per token) and every injectable fault, as seen over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from pennylane_local import Faults, RateLimiter
from tests.support.openapi import validate_response
from tests.support.pennylane_server import NOW, TOKEN, ServerHandle, sample_dataset, serve


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    def wall(self) -> float:
        return 1_795_000_000.0 + self.now


def test_rate_limiter_is_a_sliding_window_of_25_per_5_seconds() -> None:
    t = FakeTime()
    limiter = RateLimiter(clock=t.clock, wall=t.wall)
    for i in range(25):
        decision = limiter.hit("a")
        assert decision.allowed and decision.headers["ratelimit-remaining"] == str(24 - i)
        t.now += 0.125  # exact in binary: no float drift in the expectations below
    refused = limiter.hit("a")
    assert not refused.allowed and refused.retry_after == 2  # the first hit leaves the window 1.875 s later
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-reset"] == str(1_795_000_000 + 1005)  # Unix time the first hit expires
    assert limiter.hit("b").allowed  # per token
    t.now += 1.875  # the first request has left the window, and only it
    assert limiter.hit("a").allowed and not limiter.hit("a").allowed
    limiter.enabled = False
    assert limiter.hit("a").allowed and limiter.hit("a").headers == {}


def test_faults_apply_by_count_duration_prefix_and_token() -> None:
    t = FakeTime()
    faults = Faults(clock=t.clock)
    faults.add("server_error", count=2, path_prefix="/customer_invoices")
    faults.add("slow", duration=3.0, token="other")
    faults.add("expired_cursor")
    assert faults.take("/customers", TOKEN, has_cursor=False) is None
    assert faults.take("/customer_invoices/3", TOKEN, has_cursor=False).kind == "server_error"  # type: ignore[union-attr]
    assert faults.take("/customer_invoices", TOKEN, has_cursor=False).kind == "server_error"  # type: ignore[union-attr]
    assert faults.take("/customer_invoices", TOKEN, has_cursor=False) is None
    assert faults.take("/customer_invoices", TOKEN, has_cursor=True).kind == "expired_cursor"  # type: ignore[union-attr]
    assert faults.take("/me", "other", has_cursor=False).kind == "slow"  # type: ignore[union-attr]
    t.now += 3.0
    assert faults.take("/me", "other", has_cursor=False) is None
    assert [f.kind for f in faults.active()] == ["expired_cursor"]
    faults.clear()
    assert faults.active() == []
    with pytest.raises(ValueError):
        faults.add("earthquake")


def test_every_response_carries_ratelimit_headers_and_the_26th_request_is_429() -> None:
    with serve({TOKEN: sample_dataset(invoices=3)}, rate_limit=True, now=lambda: NOW) as server:
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            responses = [http.get("/me" if i % 2 else "/customers/404404") for i in range(26)]
    assert [r.status_code for r in responses[:25]] == [404 if i % 2 == 0 else 200 for i in range(25)]
    assert all({"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= r.headers.keys() for r in responses)
    last = responses[-1]
    assert last.status_code == 429 and last.headers["content-type"].startswith("text/plain")
    retry_after = int(last.headers["retry-after"])
    assert 1 <= retry_after <= 5 and last.text == f"Rate limit exceeded. Please retry in {retry_after} seconds."
    assert server.stats.rate_limited == 1 and server.stats.injected_429 == 0


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    with serve({TOKEN: sample_dataset(invoices=12)}, rate_limit=False, now=lambda: NOW) as handle:
        yield handle


@pytest.fixture
def http(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5) as client:
        yield client


def test_injected_429_storm_is_counted_apart(server: ServerHandle, http: httpx.Client) -> None:
    server.faults.add("rate_limit", count=3, retry_after=2)
    statuses = [http.get("/customers").status_code for _ in range(4)]
    assert statuses == [429, 429, 429, 200]
    assert server.stats.injected_429 == 3 and server.stats.rate_limited == 0
    assert server.stats.requests["/customers"] == 4


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_bursts(server: ServerHandle, http: httpx.Client, status: int) -> None:
    server.faults.add("server_error", count=2, status=status)
    assert [http.get("/customer_invoices").status_code for _ in range(3)] == [status, status, 200]


def test_malformed_and_truncated_bodies(server: ServerHandle, http: httpx.Client) -> None:
    server.faults.add("malformed_json", count=1)
    server.faults.add("truncated", count=1)
    for _ in range(2):
        response = http.get("/customer_invoices", params={"limit": 5})
        assert response.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)
    validate_response(http.get("/customer_invoices", params={"limit": 5}).json(), "/customer_invoices")


def test_expired_cursor_hits_only_requests_with_a_cursor(server: ServerHandle, http: httpx.Client) -> None:
    server.faults.add("expired_cursor")
    first = http.get("/customer_invoices", params={"limit": 2})
    assert first.status_code == 200
    second = http.get("/customer_invoices", params={"limit": 2, "cursor": first.json()["next_cursor"]})
    assert second.status_code == 400
    validate_response(second.json(), "/customer_invoices", status="400")


def test_unknown_and_missing_fields(server: ServerHandle, http: httpx.Client) -> None:
    server.faults.add("unknown_field", count=1, field="brand_new")
    server.faults.add("missing_field", count=1, field="deadline")
    with_extra = http.get("/customer_invoices", params={"limit": 3}).json()["items"]
    assert all(r["brand_new"] == "valeur inattendue" for r in with_extra)
    without = http.get("/customer_invoices/2").json()
    assert "deadline" not in without and without["id"] == 2


def test_revoked_token_and_missing_scope(server: ServerHandle, http: httpx.Client) -> None:
    server.faults.add("missing_scope", path_prefix="/ledger_entry_lines")
    assert http.get("/me").status_code == 200
    assert http.get("/customers").status_code == 200
    forbidden = http.get("/ledger_entry_lines")
    assert forbidden.status_code == 403
    validate_response(forbidden.json(), "/ledger_entry_lines", status="403")
    server.faults.clear()
    server.faults.add("revoked_token")
    for path in ("/me", "/customers"):
        response = http.get(path)
        assert response.status_code == 401
        validate_response(response.json(), path, status="401")


def test_slow_responses_arrive_late_but_whole(server: ServerHandle, http: httpx.Client) -> None:
    server.faults.add("slow", count=1, delay=0.3)
    response = http.get("/customers")
    assert response.status_code == 200 and response.elapsed.total_seconds() >= 0.3


def test_timeouts_hang_past_the_client_timeout(server: ServerHandle) -> None:
    server.faults.add("timeout", count=1, delay=1.0)
    with httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=httpx.Timeout(0.2)
    ) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/customers")
        assert http.get("/customers").status_code == 200
