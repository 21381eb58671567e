"""The client against a scripted transport: headers, retries, error types, and no token anywhere."""

from __future__ import annotations

import email.utils
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from core.pennylane import (
    DEFAULT_BASE_URL,
    PennylaneAuthError,
    PennylaneBadResponse,
    PennylaneChangelogTooOld,
    PennylaneClient,
    PennylaneConnectionError,
    PennylaneCursorExpired,
    PennylaneError,
    PennylaneRateLimited,
    PennylaneRequestError,
    PennylaneScopeError,
    PennylaneServerError,
    PennylaneTimeout,
    shared_throttle,
)
from tests.core.pennylane.conftest import NO_JITTER, FakeTime

TOKEN = "tok_live_SECRET_4f3e2d1c0b9a"
PAGE = {"items": [{"id": 1}], "has_more": False, "next_cursor": None}

Reply = httpx.Response | Exception


class Script:
    """Answers requests from a list of replies (the last one repeats); records every request."""

    def __init__(self, *replies: Reply | Callable[[httpx.Request], Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if callable(reply) and not isinstance(reply, httpx.Response):
            reply = reply(request)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def params(self, n: int) -> dict[str, str]:
        return dict(self.requests[n].url.params)


def ok(body: Any = PAGE, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers=headers)


def client_for(script: Script, fake: FakeTime) -> PennylaneClient:
    return PennylaneClient(
        DEFAULT_BASE_URL,
        TOKEN,
        transport=httpx.MockTransport(script),
        throttle=fake.throttle(),
        retry=NO_JITTER,
        sleep=fake.sleep,
        clock=fake.clock,
        wall=fake.wall,
    )


def test_requests_carry_bearer_and_accept_and_the_repr_hides_the_token(fake_time: FakeTime) -> None:
    script = Script(ok({"user": None, "company": {"id": 1, "name": "A", "reg_no": "1"}, "scopes": []}))
    client = client_for(script, fake_time)
    assert client.me()["company"]["id"] == 1
    request = script.requests[0]
    assert str(request.url) == "https://app.pennylane.com/api/external/v2/me"
    assert request.headers["authorization"] == f"Bearer {TOKEN}" and request.headers["accept"] == "application/json"
    assert TOKEN not in repr(client) and "***" in repr(client)
    assert client.stats.requests == 1 and client.stats.bytes > 0


def test_default_client_uses_the_shared_throttle_and_an_explicit_timeout() -> None:
    client = PennylaneClient("https://example.test/api/external/v2/", TOKEN)
    assert client.throttle is shared_throttle("https://example.test/api/external/v2", TOKEN)
    timeout = client._http.timeout
    assert timeout.read == 30 and timeout.connect == 10
    client.close()


def test_list_iterators_resend_filter_sort_and_limit_on_every_page(fake_time: FakeTime) -> None:
    script = Script(
        ok({"items": [{"id": 1}], "has_more": True, "next_cursor": "p2"}),
        ok({"items": [{"id": 2}], "has_more": True, "next_cursor": "p3"}),
        ok({"items": [{"id": 3}], "has_more": False, "next_cursor": None}),
    )
    pages = list(
        client_for(script, fake_time).iter_customer_invoices([("customer_id", "in", [7, 8]), ("draft", "eq", False)])
    )
    assert [p[0]["id"] for p in pages] == [1, 2, 3]
    expected_filter = (
        '[{"field":"customer_id","operator":"in","value":["7","8"]},{"field":"draft","operator":"eq","value":"false"}]'
    )
    for n, cursor in enumerate([None, "p2", "p3"]):
        params = script.params(n)
        assert params.pop("cursor", None) == cursor
        assert params == {"filter": expected_filter, "sort": "id", "limit": "100"}
        assert script.requests[n].url.path == "/api/external/v2/customer_invoices"


@pytest.mark.parametrize(
    ("method", "path"),
    [("iter_customers", "/customers"), ("iter_ledger_entry_lines", "/ledger_entry_lines")],
)
def test_other_lists_hit_their_paths(fake_time: FakeTime, method: str, path: str) -> None:
    script = Script(ok())
    pages = list(getattr(client_for(script, fake_time), method)())
    assert pages == [[{"id": 1}]] and script.requests[0].url.path.endswith(path)
    assert script.params(0) == {"sort": "id", "limit": "100"}


def test_changelog_sends_start_date_first_then_cursor_only(fake_time: FakeTime) -> None:
    script = Script(
        ok({"items": [], "has_more": True, "next_cursor": "c2"}),
        ok({"items": [], "has_more": False, "next_cursor": None}),
    )
    client = client_for(script, fake_time)
    paris = timezone(timedelta(hours=1))
    list(client.iter_changelog("customer_invoices", datetime(2026, 11, 1, 10, 30, tzinfo=paris)))
    assert script.params(0) == {"start_date": "2026-11-01T09:30:00Z", "limit": "1000"}
    assert script.params(1) == {"cursor": "c2", "limit": "1000"}
    assert script.requests[0].url.path.endswith("/changelogs/customer_invoices")
    with pytest.raises(ValueError):
        next(client.iter_changelog("customer_invoices", datetime(2026, 11, 1)))
    with pytest.raises(ValueError):
        client.iter_changelog("../me", None)


def test_get_customer_invoice_and_customer(fake_time: FakeTime) -> None:
    script = Script(ok({"id": 42}))
    client = client_for(script, fake_time)
    assert client.get_customer_invoice(42) == {"id": 42} and client.get_customer(42) == {"id": 42}
    assert [r.url.path.rsplit("/", 2)[-2:] for r in script.requests] == [
        ["customer_invoices", "42"],
        ["customers", "42"],
    ]
    with pytest.raises(PennylaneBadResponse):
        client_for(Script(ok([1, 2])), fake_time).get_customer_invoice(1)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500, text="boom"),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.Response(503, json={"error": "Service Unavailable", "status": 503}),
        httpx.Response(504),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.Response(200, content=b'{"items": [{"id": 1}, {"id"'),
        httpx.Response(200, content=b"<html>proxy error</html>"),
        httpx.Response(200, json={"data": []}),
    ],
)
def test_transient_failures_are_retried_with_backoff(fake_time: FakeTime, failure: Reply) -> None:
    script = Script(failure, failure, ok())
    client = client_for(script, fake_time)
    assert list(client.get_page("/customers", {})) == [{"id": 1}]
    assert len(script.requests) == 3 and client.stats.retries == 2
    assert fake_time.sleeps == [0.5, 1.0]


def test_429_waits_for_retry_after_from_header_or_body(fake_time: FakeTime) -> None:
    script = Script(
        httpx.Response(429, text="Rate limit exceeded. Please retry in 7 seconds.", headers={"retry-after": "7"}),
        httpx.Response(429, text="Rate limit exceeded. Please retry in 3 seconds."),
        ok(),
    )
    client = client_for(script, fake_time)
    client.get_page("/customers", {})
    assert fake_time.sleeps == [7.0, 3.0] and client.stats.retries == 2


def test_an_http_date_retry_after_is_read_against_the_clients_own_wall_clock(fake_time: FakeTime) -> None:
    when = email.utils.formatdate(fake_time.wall() + 12, usegmt=True)
    script = Script(httpx.Response(429, text="slow down", headers={"retry-after": when}), ok())
    client_for(script, fake_time).get_page("/customers", {})
    assert fake_time.sleeps == [12.0]


def test_the_servers_clock_is_read_from_its_date_header(fake_time: FakeTime) -> None:
    script = Script(ok(date="Fri, 20 Nov 2026 08:59:58 GMT"), ok())
    client = client_for(script, fake_time)
    client.get_page("/customers", {})
    assert client.server_time == datetime(2026, 11, 20, 8, 59, 58, tzinfo=UTC)
    client.get_page("/customers", {})  # an answer without a Date keeps the last one known
    assert client.server_time == datetime(2026, 11, 20, 8, 59, 58, tzinfo=UTC)


def test_persistent_transient_failure_gives_up_after_max_attempts(fake_time: FakeTime) -> None:
    script = Script(httpx.Response(503, text="down"))
    with pytest.raises(PennylaneServerError) as caught:
        client_for(script, fake_time).get_page("/customers", {})
    assert len(script.requests) == 6 and caught.value.status == 503
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("reply", "path", "params", "kind"),
    [
        (
            httpx.Response(400, json={"error": "limit must be between 1 and 100", "status": 400}),
            "/customers",
            {},
            PennylaneRequestError,
        ),
        (
            httpx.Response(400, json={"error": "Invalid cursor", "status": 400}),
            "/customers",
            {"cursor": "old"},
            PennylaneCursorExpired,
        ),
        (httpx.Response(401, json={"error": "Unauthorized", "status": 401}), "/me", {}, PennylaneAuthError),
        (
            httpx.Response(403, json={"error": "Forbidden", "status": 403}),
            "/customer_invoices",
            {},
            PennylaneScopeError,
        ),
        (
            httpx.Response(404, json={"error": "Not found", "status": 404}),
            "/customer_invoices/9",
            {},
            PennylaneRequestError,
        ),
        (
            httpx.Response(422, json={"error": "too old", "status": 422}),
            "/changelogs/customers",
            {},
            PennylaneChangelogTooOld,
        ),
        (httpx.Response(501, text="not implemented"), "/customers", {}, PennylaneServerError),
    ],
)
def test_terminal_failures_are_not_retried(
    fake_time: FakeTime, reply: httpx.Response, path: str, params: dict[str, str], kind: type
) -> None:
    script = Script(reply)
    with pytest.raises(kind) as caught:
        client_for(script, fake_time).get_json(path, params)
    assert type(caught.value) is kind and isinstance(caught.value, PennylaneError) and not caught.value.transient
    assert len(script.requests) == 1 and fake_time.sleeps == []


ECHO = f"token {TOKEN} rejected; got Authorization: Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (httpx.Response(400, json={"error": ECHO, "status": 400}), PennylaneRequestError),
        (httpx.Response(400, text=ECHO), PennylaneCursorExpired),
        (httpx.Response(401, json={"error": ECHO, "status": 401}), PennylaneAuthError),
        (httpx.Response(403, text=ECHO), PennylaneScopeError),
        (httpx.Response(404, json={"message": ECHO}), PennylaneRequestError),
        (httpx.Response(422, json={"error": ECHO, "details": {"token": TOKEN}}), PennylaneChangelogTooOld),
        (httpx.Response(429, text=ECHO), PennylaneRateLimited),
        (httpx.Response(500, text=ECHO), PennylaneServerError),
        (httpx.Response(503, json={"error": ECHO}), PennylaneServerError),
        (httpx.ReadTimeout(ECHO), PennylaneTimeout),
        (httpx.ConnectError(ECHO), PennylaneConnectionError),
        (httpx.Response(200, text=ECHO), PennylaneBadResponse),
        (httpx.Response(200, json={"oops": ECHO}), PennylaneBadResponse),
    ],
)
def test_no_error_type_leaks_the_token(
    fake_time: FakeTime, caplog: pytest.LogCaptureFixture, reply: Reply, kind: type
) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script(reply)
    client = client_for(script, fake_time)
    params = {"cursor": "c"} if kind is PennylaneCursorExpired else {}
    path = "/changelogs/customers" if kind is PennylaneChangelogTooOld else "/customers"
    with pytest.raises(PennylaneError) as caught:
        client.get_page(path, params)
    error = caught.value
    assert type(error) is kind
    assert TOKEN not in str(error) and TOKEN not in repr(error)
    assert TOKEN not in caplog.text
    assert error.path == path and str(error)


def test_bad_envelope_after_retries_is_reported_in_plain_words(fake_time: FakeTime) -> None:
    script = Script(httpx.Response(200, content=b'{"items": [{"id"'))
    with pytest.raises(PennylaneBadResponse) as caught:
        client_for(script, fake_time).get_page("/customers", {})
    assert "tronqué" in str(caught.value) and len(script.requests) == 6


def test_429_blocks_the_shared_throttle_for_other_users_of_the_token(fake_time: FakeTime) -> None:
    throttle = fake_time.throttle()
    script = Script(httpx.Response(429, headers={"retry-after": "4"}), ok())
    client = PennylaneClient(
        DEFAULT_BASE_URL,
        TOKEN,
        transport=httpx.MockTransport(script),
        throttle=throttle,
        retry=NO_JITTER,
        sleep=lambda s: None,
        clock=fake_time.clock,
    )
    client.get_page("/customers", {})
    # The client's own sleep was a no-op here, so the throttle did the waiting: any client on this token would.
    assert fake_time.sleeps == [4.0] and client.stats.throttled_waits == 1


def test_server_rate_limit_headers_feed_the_throttle(fake_time: FakeTime) -> None:
    reset = str(int(fake_time.wall()) + 3)
    script = Script(ok(**{"ratelimit-limit": "25", "ratelimit-remaining": "0", "ratelimit-reset": reset}), ok())
    client = client_for(script, fake_time)
    client.get_page("/customers", {})
    client.get_page("/customers", {})
    assert (
        fake_time.sleeps and client.stats.throttled_waits == 1 and client.stats.throttled_seconds == pytest.approx(3.0)
    )


def test_context_manager_closes(fake_time: FakeTime) -> None:
    with client_for(Script(ok()), fake_time) as client:
        client.get_page("/customers", {})
    assert client._http.is_closed


def test_utc_helper_keeps_microseconds() -> None:
    from core.pennylane.client import rfc3339

    assert rfc3339(datetime(2026, 11, 20, 8, 0, 0, 123456, tzinfo=UTC)) == "2026-11-20T08:00:00.123456Z"
    assert json.dumps(rfc3339(datetime(2026, 1, 1, tzinfo=UTC))) == '"2026-01-01T00:00:00Z"'
