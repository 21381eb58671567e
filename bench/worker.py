"""One benchmark step in its own process (so its peak memory is its own): generate, load, an
export (bench/exports.py), or the floor — DuckDB's own `read_json_auto` into a new file, the
least any load of the same files can cost on this machine, so `make bench` reports the load as
a ratio that holds across machines."""

from __future__ import annotations

import argparse
import json
import resource
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb

from bench import exports
from core.formatting import PARIS
from core.ingestion.batches import batches_from_demo
from core.ingestion.runs import publish_batches
from core.store import operations
from core.store.analytical import open_snapshot
from core.store.paths import StorePaths
from demo.generator import generate

TODAY = date(2026, 11, 22)


def peak_mb() -> float:
    """This process's own peak RSS and its waited-for children's (Chromium's), in MB.

    VmHWM, not getrusage(RUSAGE_SELF): the kernel carries the high-water mark of the process that
    forked this one into ru_maxrss, so a worker started by a parent that had grown to 470 MB
    (the ingestion benchmarks run in bench.run itself) reported 470 MB whatever it did."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    own_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own_kb, children_kb) / 1024


def emit(result: dict) -> None:
    """The step's result as one JSON line on stdout, with its peak memory."""
    print(json.dumps(result | {"peak_mb": peak_mb()}))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("step", choices=["generate", "load", "floor", "export-pdf", "export-xlsx", "export-chromium"])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--out", type=Path)
    p.add_argument("--invoices", type=int, default=30_000)
    p.add_argument("--demo", type=Path)
    p.add_argument("--data", type=Path)
    a = p.parse_args()
    if a.step == "generate":
        manifest = generate(a.out, today=TODAY, invoices=a.invoices)
        emit({"counts": manifest["counts"]})
        return 0
    if a.step == "floor":
        return floor(a.demo, a.data)
    if a.step in ("export-pdf", "export-xlsx"):
        emit(exports.time_writer(a.step.removeprefix("export-"), a.rows, a.out))
        return 0
    if a.step == "export-chromium":
        emit(exports.time_chromium(a.rows, a.out))
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
    emit({"load_s": report.load_s, "publish_s": report.publish_s, "invoices": invoices})
    return 0


FLOOR_TABLES = ("customers", "customer_invoices", "ledger_entry_lines")


def floor(demo_dir: Path, data_dir: Path) -> int:
    """CREATE TABLE … AS SELECT * FROM read_json_auto(<every entity's file>) for each resource."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / "floor.duckdb"
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        for name in FLOOR_TABLES:  # identifiers from the constant above, file glob bound
            con.execute(
                "CREATE TABLE " + name + " AS SELECT * FROM read_json_auto(?)",  # noqa: S608
                [str(demo_dir / "*" / f"{name}.jsonl")],
            )
        con.execute("CHECKPOINT")
        invoices = con.execute("SELECT count(*) FROM customer_invoices").fetchone()
    finally:
        con.close()
    target.unlink(missing_ok=True)
    emit({"invoices": invoices[0] if invoices else 0})
    return 0


if __name__ == "__main__":
    sys.exit(main())
