"""Demo companies generated once per test session and read back as plain records."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from demo.generator import generate

TODAY = date(2026, 11, 20)
SMALL = 3_000
ENTITY_IDS = ("verdier-conseil", "verdier-services", "verdier-formation")


@dataclass
class Entity:
    me: dict[str, Any]
    customers: list[dict[str, Any]]
    invoices: list[dict[str, Any]]
    lines: list[dict[str, Any]]


@dataclass
class Demo:
    root: Path
    manifest: dict[str, Any]
    returned: dict[str, Any]
    organisation: dict[str, Any]
    entities: dict[str, Entity] = field(default_factory=dict)

    def all(self, resource: str) -> list[dict[str, Any]]:
        return [r for e in self.entities.values() for r in getattr(e, resource)]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def load(root: Path, returned: dict[str, Any]) -> Demo:
    demo = Demo(
        root=root,
        manifest=json.loads((root / "manifest.json").read_text(encoding="utf-8")),
        returned=returned,
        organisation=json.loads((root / "organisation.json").read_text(encoding="utf-8")),
    )
    for entity_id in ENTITY_IDS:
        folder = root / entity_id
        demo.entities[entity_id] = Entity(
            me=json.loads((folder / "me.json").read_text(encoding="utf-8")),
            customers=read_jsonl(folder / "customers.jsonl"),
            invoices=read_jsonl(folder / "customer_invoices.jsonl"),
            lines=read_jsonl(folder / "ledger_entry_lines.jsonl"),
        )
    return demo


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("demo-small")
    return load(root, generate(root, today=TODAY, invoices=SMALL))


@pytest.fixture(scope="session")
def default_demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("demo-30k")
    return load(root, generate(root, today=TODAY))


@pytest.fixture(params=["small", "default"])
def demo(request: pytest.FixtureRequest) -> Demo:
    """Both sizes: invariants must hold at 3,000 and at the default 30,000 invoices."""
    return request.getfixturevalue(f"{request.param}_demo")
