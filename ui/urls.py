"""Every address of the app answers in French: unknown paths are sent home before Streamlit sees them.

Left to itself Streamlit serves its page at any path: an unknown one-segment path runs the
default page under an English "Page not found" dialog, and a nested one (`/pages/home`) loads
the page's scripts relative to the wrong folder and stays blank. This ASGI middleware (mounted
by serve.py) redirects a browser's request for any address that is not one of the app's pages
(`ui.navigation.URL_PATHS`) to `/`, i.e. the home page. Streamlit's own routes pass untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.responses import RedirectResponse

from ui.navigation import URL_PATHS

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STREAMLIT_ROUTES = frozenset({"_stcore", "static", "media", "component", "app", "auth", "oauth2callback"})
"""First path segments Streamlit serves itself (websocket, assets, media, components, sign-in)."""


def lands_home(method: str, path: str, accept: str) -> bool:
    """Is this a browser asking for a page that does not exist?"""
    if method not in ("GET", "HEAD") or "text/html" not in accept:
        return False
    segments = [s for s in path.split("/") if s]
    if segments and (segments[0] in STREAMLIT_ROUTES or "." in segments[-1]):
        return False
    return "/".join(segments) not in URL_PATHS


class UnknownPathsToHome:
    """ASGI middleware: 302 to `/` for `lands_home` requests, everything else to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            accept = headers.get(b"accept", b"").decode("latin-1")
            if lands_home(scope["method"], scope["path"], accept):
                await RedirectResponse("/", status_code=302)(scope, receive, send)
                return
        await self.app(scope, receive, send)
