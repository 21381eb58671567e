"""Filters, retry policy, throttle and paginator, each on its own with fake time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from core.pennylane import (
    Page,
    PennylaneBadResponse,
    PennylaneRateLimited,
    PennylaneServerError,
    RetryPolicy,
    build_filter,
    iter_pages,
    shared_throttle,
)
from core.pennylane.errors import PennylaneAuthError, PennylaneTimeout
from core.pennylane.pagination import parse_envelope
from core.pennylane.throttle import _registry
from tests.core.pennylane.conftest import FakeTime

# -- filters -------------------------------------------------------------------


def test_build_filter_encodes_scalars_as_strings_and_in_as_arrays() -> None:
    raw = build_filter(
        [("date", "gteq", date(2026, 1, 31)), ("draft", "eq", False), ("customer_id", "in", [3, 4]), ("id", "gt", 10)]
    )
    assert raw is not None
    assert json.loads(raw) == [
        {"field": "date", "operator": "gteq", "value": "2026-01-31"},
        {"field": "draft", "operator": "eq", "value": "false"},
        {"field": "customer_id", "operator": "in", "value": ["3", "4"]},
        {"field": "id", "operator": "gt", "value": "10"},
    ]
    assert build_filter(None) is None and build_filter([]) is None


@pytest.mark.parametrize(
    "clause", [("id", "like", 1), ("id", "in", "1,2"), ("id", "not_in", 5), ("id", "eq", 1.5), ("id", "eq", None)]
)
def test_build_filter_rejects_programming_errors(clause: tuple[str, str, Any]) -> None:
    with pytest.raises(ValueError):
        build_filter([clause])


# -- retry policy --------------------------------------------------------------

SERVER_DOWN = PennylaneServerError("down", status=503, transient=True)


def test_retry_policy_backs_off_exponentially_with_a_cap_and_jitter() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=0.1, random=lambda: 1.0)
    assert [policy.delay(SERVER_DOWN, n) for n in range(1, 6)] == pytest.approx([0.55, 1.1, 2.2, 3.3, 3.3])


def test_retry_policy_retries_transient_errors_only_up_to_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(SERVER_DOWN, 1) and policy.should_retry(SERVER_DOWN, 2)
    assert not policy.should_retry(SERVER_DOWN, 3)
    assert not policy.should_retry(PennylaneAuthError("no", status=401, transient=False), 1)
    assert policy.should_retry(PennylaneTimeout("slow", transient=True), 1)


def test_retry_policy_honours_retry_after_within_reason() -> None:
    policy = RetryPolicy(max_retry_after=60)
    assert policy.delay(PennylaneRateLimited("429", retry_after=7), 1) == 7
    assert policy.should_retry(PennylaneRateLimited("429", retry_after=60), 1)
    assert not policy.should_retry(PennylaneRateLimited("429", retry_after=3600), 1)
    assert policy.delay(PennylaneRateLimited("429", retry_after=None), 2) >= policy.base_delay * 2


# -- throttle ------------------------------------------------------------------


def _send(throttle: Any, fake: FakeTime, n: int, latency: float = 0.01) -> None:
    for _ in range(n):
        ticket, _ = throttle.acquire()
        fake.now += latency
        throttle.release(ticket)


def test_throttle_lets_25_through_then_waits_for_the_first_to_leave_the_window(fake_time: FakeTime) -> None:
    throttle = fake_time.throttle()
    _send(throttle, fake_time, 25)
    assert fake_time.sleeps == []
    start = fake_time.now
    _, waited = throttle.acquire()
    # The first request was dated by its response (t=1000.01): free at 1005.01 + margin.
    assert waited == pytest.approx(1000.01 + 5 + throttle.margin - start)


def test_throttle_sustains_the_full_rate(fake_time: FakeTime) -> None:
    throttle = fake_time.throttle()
    _send(throttle, fake_time, 25 * 8 + 1)
    assert fake_time.now - 1000 == pytest.approx(8 * 5.0, rel=0.02)  # 201 requests in ~40 s: 8 windows


def test_requests_in_flight_fill_the_window(fake_time: FakeTime) -> None:
    throttle = fake_time.throttle()
    tickets = [throttle.acquire()[0] for _ in range(25)]

    def sleep(seconds: float) -> None:
        fake_time.sleep(seconds)
        if len(tickets) == 25:  # one response arrives during the first wait
            throttle.release(tickets.pop())

    throttle._sleep = sleep
    _, waited = throttle.acquire()
    assert fake_time.sleeps[0] == throttle._poll  # nothing had completed: poll
    assert waited == pytest.approx(throttle._poll + 5 + throttle.margin)  # then the completed one ages out


def test_quota_exhausted_by_another_client_waits_until_reset(fake_time: FakeTime) -> None:
    throttle = fake_time.throttle()
    _send(throttle, fake_time, 3)
    reset = fake_time.wall() + 2.4
    throttle.observe({"ratelimit-limit": "25", "ratelimit-remaining": "0", "ratelimit-reset": str(reset)})
    _, waited = throttle.acquire()
    assert waited == pytest.approx(2.4)


def test_quota_exhausted_by_ourselves_uses_the_precise_local_window(fake_time: FakeTime) -> None:
    throttle = fake_time.throttle()
    _send(throttle, fake_time, 25)
    throttle.observe({"ratelimit-remaining": "0", "ratelimit-reset": str(int(fake_time.wall()) + 6)})
    start = fake_time.now
    _, waited = throttle.acquire()
    # Not the whole-second reset (6 s away): the first response's date + 5 s.
    assert waited == pytest.approx(1000.01 + 5 + throttle.margin - start)


def test_headers_with_room_left_change_nothing_and_a_lower_limit_is_adopted(fake_time: FakeTime) -> None:
    throttle = fake_time.throttle()
    throttle.observe({"ratelimit-limit": "10", "ratelimit-remaining": "9", "ratelimit-reset": "nonsense"})
    assert throttle.limit == 10
    _send(throttle, fake_time, 10)
    assert fake_time.sleeps == []
    assert throttle.acquire()[1] > 4.9


def test_block_for_holds_the_next_request(fake_time: FakeTime) -> None:
    throttle = fake_time.throttle()
    throttle.block_for(3.0)
    assert throttle.acquire()[1] == pytest.approx(3.0)


def test_one_shared_throttle_per_token_and_url_keyed_by_a_hash() -> None:
    a = shared_throttle("https://x.example/api/", "secret-token-a")
    assert shared_throttle("https://x.example/api", "secret-token-a") is a
    assert shared_throttle("https://x.example/api", "secret-token-b") is not a
    assert shared_throttle("https://y.example/api", "secret-token-a") is not a
    assert not any("secret-token" in key for key in _registry)


# -- paginator -----------------------------------------------------------------


class FakeSource:
    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def get_page(self, path: str, params: Mapping[str, Any]) -> Page:
        self.calls.append(dict(params))
        return parse_envelope(self.pages[len(self.calls) - 1], path)


def test_iter_pages_resends_every_parameter_on_every_page() -> None:
    source = FakeSource(
        [
            {"items": [{"id": 1}], "has_more": True, "next_cursor": "c1"},
            {"items": [{"id": 2}], "has_more": True, "next_cursor": "c2"},
            {"items": [], "has_more": False, "next_cursor": None},
        ]
    )
    pages = list(
        iter_pages(
            source,
            "/customers",
            {"filter": "[]", "sort": "id", "unused": None},
            limit=50,
            first_page_params={"start_date": "S"},
        )
    )
    assert [list(p) for p in pages] == [[{"id": 1}], [{"id": 2}], []]
    assert pages[0].next_cursor == "c1" and pages[-1].has_more is False
    assert source.calls == [
        {"filter": "[]", "sort": "id", "limit": 50, "start_date": "S"},
        {"filter": "[]", "sort": "id", "limit": 50, "cursor": "c1"},
        {"filter": "[]", "sort": "id", "limit": 50, "cursor": "c2"},
    ]


def test_iter_pages_resumes_from_a_cursor_and_stops_on_a_cursor_loop() -> None:
    source = FakeSource([{"items": [], "has_more": True, "next_cursor": "same"}] * 3)
    with pytest.raises(PennylaneBadResponse) as caught:
        list(iter_pages(source, "/customers", cursor="same"))
    assert source.calls[0] == {"limit": 100, "cursor": "same"} and not caught.value.transient


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"has_more": False, "next_cursor": None},
        {"items": {"id": 1}, "has_more": False, "next_cursor": None},
        {"items": [1, 2], "has_more": False, "next_cursor": None},
        {"items": [], "next_cursor": None},
        {"items": [], "has_more": "no", "next_cursor": None},
        {"items": [], "has_more": True, "next_cursor": None},
        {"items": [], "has_more": False, "next_cursor": 12},
    ],
)
def test_envelopes_that_break_the_contract_are_transient_bad_responses(body: Any) -> None:
    with pytest.raises(PennylaneBadResponse) as caught:
        parse_envelope(body, "/customers")
    assert caught.value.transient
