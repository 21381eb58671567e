"""Read-only client for Pennylane's Company API v2 (see ``client.PennylaneClient``)."""

from core.pennylane.client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, ClientStats, PennylaneClient
from core.pennylane.errors import (
    PennylaneAuthError,
    PennylaneBadResponse,
    PennylaneChangelogTooOld,
    PennylaneConnectionError,
    PennylaneCursorExpired,
    PennylaneError,
    PennylaneRateLimited,
    PennylaneRequestError,
    PennylaneScopeError,
    PennylaneServerError,
    PennylaneTimeout,
)
from core.pennylane.filters import build_filter
from core.pennylane.pagination import Page, iter_pages
from core.pennylane.retry import RetryPolicy
from core.pennylane.throttle import Throttle, shared_throttle

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "ClientStats",
    "Page",
    "PennylaneAuthError",
    "PennylaneBadResponse",
    "PennylaneChangelogTooOld",
    "PennylaneClient",
    "PennylaneConnectionError",
    "PennylaneCursorExpired",
    "PennylaneError",
    "PennylaneRateLimited",
    "PennylaneRequestError",
    "PennylaneScopeError",
    "PennylaneServerError",
    "PennylaneTimeout",
    "RetryPolicy",
    "Throttle",
    "build_filter",
    "iter_pages",
    "shared_throttle",
]
