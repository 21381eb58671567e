"""The demo company as Pennylane entities, reached over HTTP like Pennylane itself.

The project's Pennylane-compatible server (`pennylane_local/`) serves a demo data directory;
this module only knows the convention both sides share: one bearer token per entity, made of
a secret generated once per data directory (`api-token` in the demo folder). A server that
serves another data directory — another checkout on the same port — answers 401 to it, and
the sync stops with a clear message instead of syncing someone else's data.

The sync never starts a server of its own: whoever needs one starts it (the scheduler under
`make run`, the tests), so a slow or busy server never makes a sync swap its data source.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.config import ConfigError, EntityConfig, Secret
from core.pennylane.scopes import API_PREFIX

log = logging.getLogger(__name__)

TOKEN_FILE = "api-token"
LEGACY_TOKEN_PREFIX = "demo-token-"
"""Tokens of a demo folder with no `api-token` file (the small datasets tests build)."""
PROBE_TIMEOUT_S = 30.0


class DemoServerUnavailable(RuntimeError):
    """The demo's local Pennylane server is not running, or is not this data directory's."""


def ensure_token(demo_dir: Path) -> str:
    """The data directory's demo secret, created on first use (never committed: data/ is ignored)."""
    path = demo_dir / TOKEN_FILE
    if not path.exists():
        demo_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(16) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def demo_token(demo_dir: Path, entity_id: str) -> str:
    """The bearer token under which entity `entity_id` of this demo folder is served."""
    path = demo_dir / TOKEN_FILE
    if path.exists():
        return f"demo-{path.read_text(encoding='utf-8').strip()}-{entity_id}"
    return f"{LEGACY_TOKEN_PREFIX}{entity_id}"


def entity_ids(demo_dir: Path) -> list[str]:
    organisation = json.loads((demo_dir / "organisation.json").read_text(encoding="utf-8"))
    return [str(e["entity_id"]) for e in organisation["entities"]]


def demo_entities(demo_dir: Path, base_url: str) -> tuple[EntityConfig, ...]:
    organisation = json.loads((demo_dir / "organisation.json").read_text(encoding="utf-8"))
    return tuple(
        EntityConfig(
            entity_id=e["entity_id"],
            name=e["name"],
            token=Secret(demo_token(demo_dir, e["entity_id"])),
            api_url=base_url,
            rate_limited=False,
        )
        for e in organisation["entities"]
    )


def demo_base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}{API_PREFIX}"


def probe(base_url: str, token: str, *, timeout_s: float = PROBE_TIMEOUT_S) -> int | None:
    """GET /me's status for this token, or None when nothing answers on that address."""
    try:
        return httpx.get(base_url + "/me", headers={"Authorization": f"Bearer {token}"}, timeout=timeout_s).status_code
    except httpx.HTTPError:
        return None


def check_server(demo_dir: Path, base_url: str, *, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Raise DemoServerUnavailable unless this data directory's demo server answers at base_url.

    Busy answers (429, 5xx) are not a verdict: the sync's client waits and retries them.
    """
    status = probe(base_url, demo_token(demo_dir, entity_ids(demo_dir)[0]), timeout_s=timeout_s)
    if status is None:
        raise DemoServerUnavailable(
            f"le serveur Pennylane local de démonstration ne répond pas sur {base_url} : "
            "lancez `make run` (ou `python -m jobs.scheduler`), qui le démarre."
        )
    if status in (401, 403):
        raise DemoServerUnavailable(
            f"le serveur qui répond sur {base_url} ne sert pas la société de démonstration de ce répertoire "
            f"de données ({demo_dir}) : une autre installation utilise ce port (ENCOURS_DEMO_API_PORT)."
        )


@contextmanager
def demo_api(demo_dir: Path, port: int) -> Iterator[str]:
    """The base URL of this data directory's demo server, checked; it must already be running."""
    if not (demo_dir / "organisation.json").exists():
        raise ConfigError("aucun jeton Pennylane et pas de société de démonstration : lancez `make run`.")
    base_url = demo_base_url(port)
    check_server(demo_dir, base_url)
    yield base_url
