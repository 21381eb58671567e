"""One benchmark step in its own process (so its peak memory is its own): generate or load."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

from core.formatting import PARIS
from core.ingestion.batches import batches_from_demo
from core.ingestion.runs import publish_batches
from core.store import operations
from core.store.analytical import open_snapshot
from core.store.paths import StorePaths
from demo.generator import generate

TODAY = date(2026, 11, 22)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("step", choices=["generate", "load"])
    p.add_argument("--out", type=Path)
    p.add_argument("--invoices", type=int, default=30_000)
    p.add_argument("--demo", type=Path)
    p.add_argument("--data", type=Path)
    a = p.parse_args()
    if a.step == "generate":
        manifest = generate(a.out, today=TODAY, invoices=a.invoices)
        print(json.dumps({"counts": manifest["counts"]}))
        return 0
    paths = StorePaths(a.data).ensure()
    paths.published.unlink(missing_ok=True)
    organisation = json.loads((a.demo / "organisation.json").read_text(encoding="utf-8"))
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, organisation)
    now = datetime.combine(TODAY, datetime.min.time(), PARIS)
    report = publish_batches(paths, batches_from_demo(a.demo), now=now, source="files")
    with open_snapshot(paths) as con:
        invoices = con.execute("SELECT count(*) FROM pennylane_customer_invoices").fetchone()[0]
    print(json.dumps({"load_s": report.load_s, "publish_s": report.publish_s, "invoices": invoices}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
