"""A small generated demo company, served over real HTTP by the project's local Pennylane server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.formatting import paris_today
from core.store import operations
from core.store.paths import StorePaths
from demo.generator import generate

DEMO_INVOICES = 3_000


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    generate(out, today=paris_today(), invoices=DEMO_INVOICES)
    return out


@pytest.fixture
def fresh_demo(tmp_path, demo_dir) -> Path:
    """A private copy, for tests that mutate what the server serves."""
    return Path(shutil.copytree(demo_dir, tmp_path / "demo"))


def seeded(data_dir: Path, demo_dir: Path) -> StorePaths:
    paths = StorePaths(data_dir).ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, json.loads((demo_dir / "organisation.json").read_text()))
    return paths


@pytest.fixture
def store(tmp_path, demo_dir) -> StorePaths:
    return seeded(tmp_path / "data", demo_dir)
