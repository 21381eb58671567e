"""Helpers shared by the ingestion tests."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

from core.config import EntityConfig
from core.formatting import paris_now
from core.ingestion.demo_source import demo_entities
from core.ingestion.sync import SyncResult, run_sync
from core.store.analytical import open_snapshot
from core.store.checksums import table_checksums
from core.store.paths import StorePaths

RUN_METADATA = ("sync_state",)


def entities(demo_dir: Path, base_url: str, *, paced: bool = False) -> tuple[EntityConfig, ...]:
    found = demo_entities(demo_dir, base_url)
    return tuple(replace(e, rate_limited=True) for e in found) if paced else found


def sync(paths: StorePaths, demo_dir: Path, base_url: str, **kwargs) -> SyncResult:
    paced = kwargs.pop("paced", False)
    return run_sync(paths, entities(demo_dir, base_url, paced=paced), now=paris_now(), **kwargs)


def checksums(paths: StorePaths) -> dict[str, str]:
    with open_snapshot(paths) as con:
        return table_checksums(con, exclude=RUN_METADATA)


def floor_requests(demo_dir: Path) -> int:
    """The fewest list requests a full sync can make: every record once, 100 per page."""
    manifest = json.loads((demo_dir / "manifest.json").read_text())
    return sum(math.ceil(n / 100) for counts in manifest["counts"].values() for n in counts.values())
