"""What one entity contributes to a run: its Pennylane company and its staged record files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.store.loader import RESOURCES

RESOURCE_NAMES = tuple(RESOURCES)  # customers, customer_invoices, ledger_entry_lines


@dataclass
class EntityBatch:
    """Staged records of one entity. `full` makes them the entity's whole data set;
    otherwise they are changes (upserts), with `deleted` ids per resource."""

    entity_id: str
    name: str
    company: dict[str, Any]
    files: dict[str, list[Path]]
    full: bool = True
    deleted: dict[str, list[int]] = field(default_factory=dict)
    changes_since: Any = None  # datetime: the changelog position, in the server's time (see pennylane_sync)
    requests: int | None = None


def batch_from_directory(entity_dir: Path, entity_id: str, name: str) -> EntityBatch:
    """An entity laid out as the demo generator writes it (me.json + one .jsonl per resource)."""
    me = json.loads((entity_dir / "me.json").read_text(encoding="utf-8"))
    return EntityBatch(
        entity_id=entity_id,
        name=name,
        company=me.get("company") or {},
        files={r: [entity_dir / f"{r}.jsonl"] for r in RESOURCE_NAMES},
    )


def batches_from_demo(demo_dir: Path) -> list[EntityBatch]:
    organisation = json.loads((demo_dir / "organisation.json").read_text(encoding="utf-8"))
    return [
        batch_from_directory(demo_dir / e["entity_id"], e["entity_id"], e["name"]) for e in organisation["entities"]
    ]
