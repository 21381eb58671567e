"""The deterministic demo company: Groupe Verdier's Pennylane data, written as JSON files.

    manifest = generate(out_dir, today=date(2026, 11, 20))        # 30,000 invoices

Same ``(seed, today, invoices)`` → byte-identical files. Customers are simulated one at a
time, twice: the first pass counts what each day creates so the second can hand out dense
chronological ids; records are streamed through month buckets, so memory stays flat
whatever ``invoices`` is.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from pathlib import Path
from typing import Any

from demo.books import INVOICES, LINES, count_history, post_history
from demo.customers import Customer, build_customers, customer_record
from demo.history import simulate
from demo.money import FxRates
from demo.numbering import Allocator, DayCounts
from demo.organisation import ENTITIES, me_document, organisation_document
from demo.spool import Spool
from demo.timeline import Timeline
from demo.volume import allocate

log = logging.getLogger(__name__)

DEMO_SEED = 20_240_611
GENERATOR_VERSION = 1
MIN_CUSTOMERS = 800
INVOICES_PER_CUSTOMER = 37
CREDIT_NOTE_OVERHEAD = 1.031
"""Credit notes come on top of the simulated invoices; this keeps the total near ``invoices``."""

_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _write_json(path: Path, document: Any) -> None:
    path.write_text(_ENCODE(document) + "\n", encoding="utf-8", newline="\n")


def _write_customers(path: Path, customers: list[Customer], timeline: Timeline) -> int:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for c in sorted(customers, key=lambda c: c.id):
            out.write(_ENCODE(customer_record(c, timeline)))
            out.write("\n")
    return len(customers)


def generate(out_dir: Path, *, today: dt.date, invoices: int = 30_000, seed: int = DEMO_SEED) -> dict[str, Any]:
    """Write the demo group under ``out_dir`` and return its manifest (also written last)."""
    if invoices < 0:
        raise ValueError(f"invoices must be >= 0, got {invoices}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / "manifest.json"
    manifest_path.unlink(missing_ok=True)  # a crash must not leave an old manifest over new files
    log.info("demo generation: seed=%s today=%s invoices=%s", seed, today.isoformat(), invoices)

    timeline = Timeline(today)
    rng = random.Random(seed)
    customers = build_customers(rng, max(MIN_CUSTOMERS, invoices // INVOICES_PER_CUSTOMER), timeline)
    fx = FxRates(rng, timeline)
    base = round(invoices / CREDIT_NOTE_OVERHEAD)
    quotas = allocate([c.weight for c in customers], [max(c.since, timeline.start) for c in customers], base, timeline)

    counts = DayCounts(timeline, len(ENTITIES))
    for c, quota in zip(customers, quotas, strict=True):
        count_history(c, simulate(c, quota, timeline, fx), counts)
    alloc = Allocator(counts, timeline, rng)

    totals = {e.entity_id: {"customers": 0, INVOICES: 0, LINES: 0} for e in ENTITIES}
    with Spool(out_dir, timeline) as spool:
        for c, quota in zip(customers, quotas, strict=True):
            post_history(c, simulate(c, quota, timeline, fx), alloc, timeline, spool.write)
        alloc.check_complete()
        for entity in ENTITIES:
            folder = out_dir / entity.entity_id
            folder.mkdir(parents=True, exist_ok=True)
            mine = [c for c in customers if c.entity == entity.index]
            counted = totals[entity.entity_id]
            counted["customers"] = _write_customers(folder / "customers.jsonl", mine, timeline)
            counted[INVOICES] = spool.merge(entity.index, INVOICES, folder / f"{INVOICES}.jsonl")
            counted[LINES] = spool.merge(entity.index, LINES, folder / f"{LINES}.jsonl")
            _write_json(folder / "me.json", me_document(entity))
            log.info("demo %s: %s", entity.entity_id, counted)

    _write_json(out_dir / "organisation.json", organisation_document(customers))
    manifest = {
        "seed": seed,
        "today": today.isoformat(),
        "invoices_requested": invoices,
        "counts": totals,
        "generator_version": GENERATOR_VERSION,
    }
    _write_json(manifest_path, manifest)
    return manifest
