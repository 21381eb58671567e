"""A real OpenID Connect provider on 127.0.0.1 for tests (the PyPI package `oidc-provider-mock`),
and the `[auth]` secrets that point Encours (`st.login`) at it.

The provider runs as its own process through its command line, the package's public surface
(its in-thread Python API binds `localhost` only, which the browser would then have to use for
the provider while the app's `redirect_uri` says 127.0.0.1). Each `--user-claims` user is offered
on the provider's authorisation page as a button labelled with its `sub`; any client id is
accepted (no registration) and tokens are signed with a key made at start.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.processes import free_port, running

CLIENT_ID = "encours-tests"


@contextmanager
def provider(users: Sequence[Mapping[str, Any]], *, timeout_s: float = 30) -> Iterator[str]:
    """Run the provider until the block ends; yields its base URL (`http://127.0.0.1:P`).

    Each user is a claims mapping with a `sub` (e.g. `{"sub": "rita", "email": …, "email_verified": True}`).
    """
    port = free_port()
    cmd = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in users:
        cmd += ["--user-claims", json.dumps(dict(user))]
    base = f"http://127.0.0.1:{port}"
    with running(cmd, {}, health_url=f"{base}/.well-known/openid-configuration", timeout_s=timeout_s):
        yield base


def write_auth_secrets(path: Path, *, provider_url: str, app_port: int) -> Path:
    """A secrets.toml with only an `[auth]` section for the provider at `provider_url` (flat keys:
    one provider, `st.login()` without argument). The browser must use 127.0.0.1 too: a
    `redirect_uri` host other than the one browsed silently loses the sign-in (STACK-NOTES)."""
    lines = [
        "[auth]",
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"',
        f'cookie_secret = "{secrets.token_urlsafe(32)}"',
        f'client_id = "{CLIENT_ID}"',
        f'client_secret = "{secrets.token_urlsafe(16)}"',
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
