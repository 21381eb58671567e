"""Status → exception mapping, defensive body parsing, and no token in any message."""

from __future__ import annotations

import pytest

from core.pennylane import (
    PennylaneAuthError,
    PennylaneChangelogTooOld,
    PennylaneCursorExpired,
    PennylaneRateLimited,
    PennylaneRequestError,
    PennylaneScopeError,
    PennylaneServerError,
)
from core.pennylane.errors import describe_body, error_for_status
from core.pennylane.scopes import accepted_scopes, required_scope

SECRET = "tok_live_9f8e7d6c5b4a"


@pytest.mark.parametrize(
    ("status", "path", "cursor", "kind", "transient"),
    [
        (401, "/customers", False, PennylaneAuthError, False),
        (403, "/customer_invoices", False, PennylaneScopeError, False),
        (429, "/customers", False, PennylaneRateLimited, True),
        (500, "/customers", False, PennylaneServerError, True),
        (502, "/customers", False, PennylaneServerError, True),
        (503, "/customers", False, PennylaneServerError, True),
        (504, "/customers", False, PennylaneServerError, True),
        (501, "/customers", False, PennylaneServerError, False),
        (400, "/customers", True, PennylaneCursorExpired, False),
        (400, "/customers", False, PennylaneRequestError, False),
        (404, "/customer_invoices/1", False, PennylaneRequestError, False),
        (422, "/changelogs/customer_invoices", False, PennylaneChangelogTooOld, False),
        (422, "/customers", False, PennylaneRequestError, False),
        (409, "/customers", False, PennylaneRequestError, False),
    ],
)
def test_statuses_map_to_typed_errors(status: int, path: str, cursor: bool, kind: type, transient: bool) -> None:
    error = error_for_status(status, path, b'{"error": "x", "status": %d}' % status, had_cursor=cursor)
    assert type(error) is kind
    assert (error.status, error.path, error.transient) == (status, path, transient)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"error": "Not found", "status": 404}', "Not found"),
        (
            b'{"error": "Bad", "message": "limit too big", "details": {"limit": ["max 100"]}}',
            'Bad — limit too big — {"limit": ["max 100"]}',
        ),
        (
            b'{"message": "Invalid", "field": "limit", "code": "MoreThanMaximum"}',
            "Invalid — champ limit — code MoreThanMaximum",
        ),
        (b"Rate limit exceeded. Please retry in 3 seconds.", "Rate limit exceeded. Please retry in 3 seconds."),
        (b"<html>\n<body>Bad   gateway</body></html>", "<html> <body>Bad gateway</body></html>"),
        (b'["odd", "shape"]', '["odd", "shape"]'),
        (b"\xff\xfe broken", "�� broken"),
        (b"", ""),
    ],
)
def test_error_bodies_are_parsed_defensively(body: bytes, expected: str) -> None:
    assert describe_body(body) == expected


def test_long_bodies_are_cut() -> None:
    assert len(describe_body(b"x" * 5000)) == 300


def test_the_token_and_bearer_strings_never_reach_a_message() -> None:
    body = f'{{"error": "token {SECRET} revoked", "message": "header was Authorization: Bearer {SECRET}"}}'.encode()
    for status in (400, 401, 403, 404, 422, 429, 500, 503):
        error = error_for_status(status, "/changelogs/customers", body, secret=SECRET)
        assert SECRET not in str(error) and SECRET not in repr(error)
    assert "Bearer ***" in describe_body(b"Authorization: Bearer other-secret")


def test_messages_are_plain_french_with_actions() -> None:
    auth = error_for_status(401, "/me", b"")
    assert "jeton" in str(auth) and "révoqué" in str(auth)
    scope = error_for_status(403, "/ledger_entry_lines", b"")
    assert isinstance(scope, PennylaneScopeError) and scope.scope == "ledger_entries:readonly"
    assert "« ledger_entries:readonly »" in str(scope)
    limited = error_for_status(429, "/customers", b"", retry_after=4)
    assert isinstance(limited, PennylaneRateLimited) and limited.retry_after == 4 and "4 s" in str(limited)
    assert repr(limited).startswith("PennylaneRateLimited(status=429, path='/customers', transient=True")


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/me", None),
        ("/customers", "customers:readonly"),
        ("/customers/12", "customers:readonly"),
        ("/api/external/v2/customer_invoices/3?x=1", "customer_invoices:readonly"),
        ("/ledger_entry_lines", "ledger_entries:readonly"),
        ("/changelogs/ledger_entry_lines", "ledger_entries:readonly"),
        ("/changelogs/transactions", "transactions:readonly"),
        ("/changelogs", None),
        ("/unknown", None),
    ],
)
def test_required_scope_is_known_from_the_path(path: str, scope: str | None) -> None:
    assert required_scope(path) == scope


def test_accepted_scopes_include_all_and_the_deprecated_ledger_scope() -> None:
    assert accepted_scopes("/ledger_entry_lines") == ("ledger_entries:readonly", "ledger_entries:all", "ledger")
    assert accepted_scopes("/me") == ()
