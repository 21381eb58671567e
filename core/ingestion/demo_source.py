"""The demo company as Pennylane entities: one token per entity, served by the project's own
Pennylane-compatible server, so the demo goes through exactly the real sync path."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from core.config import EntityConfig, Secret
from core.pennylane.scopes import API_PREFIX
from core.pennylane_local import ServerThread, create_app, demo_token, load_data

log = logging.getLogger(__name__)


def demo_entities(demo_dir: Path, base_url: str) -> tuple[EntityConfig, ...]:
    organisation = json.loads((demo_dir / "organisation.json").read_text(encoding="utf-8"))
    return tuple(
        EntityConfig(
            entity_id=e["entity_id"],
            name=e["name"],
            token=Secret(demo_token(e["entity_id"])),
            api_url=base_url,
            rate_limited=False,
        )
        for e in organisation["entities"]
    )


def answers(base_url: str, token: str) -> bool:
    """Whether a Pennylane-compatible server answers GET /me for this token."""
    try:
        return httpx.get(base_url + "/me", headers={"Authorization": f"Bearer {token}"}, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def demo_api(demo_dir: Path, port: int) -> Iterator[str]:
    """The base URL of a local server for the demo: the one `make run` started on `port` if it
    answers, else one started in this process for the duration of the block."""
    base_url = f"http://127.0.0.1:{port}{API_PREFIX}"
    organisation = json.loads((demo_dir / "organisation.json").read_text(encoding="utf-8"))
    probe_token = demo_token(organisation["entities"][0]["entity_id"])
    if answers(base_url, probe_token):
        yield base_url
        return
    log.info("serveur Pennylane local démarré pour cette synchronisation")
    with ServerThread(create_app(load_data(demo_dir), rate_limit=False)) as server:
        yield server.base_url
