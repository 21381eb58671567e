"""`make bench`: figures that prove the speed and memory goals, written to bench/results.json.

Each load runs in its own process so its peak memory (max RSS) is measured alone.
The results file is a flat JSON object; later benchmarks add their own keys.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bench.dashboard import dashboard_benchmarks
from bench.ingest import ingest_benchmarks, rate_limited_benchmark
from bench.lists import lists_benchmark
from bench.reminders import reminders_benchmarks
from core.formatting import PARIS
from core.scope import everything
from core.store.paths import StorePaths
from core.store.reading import read_session

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
TODAY = date(2026, 11, 22)
log = logging.getLogger("encours.bench")


def _child(args: list[str]) -> tuple[dict[str, Any], float, float]:
    """Run `python -m bench.worker ARGS`; return its JSON output, wall seconds and its own peak RSS
    (MB), as the worker measured it (bench.worker.peak_mb: wait4's ru_maxrss starts from this
    process's own, however large it has grown)."""
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "bench.worker", *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, args, output)
    result = json.loads(output.strip().splitlines()[-1])
    return result, wall, float(result.get("peak_mb", usage.ru_maxrss / 1024))


def store_benchmarks(work: Path, sizes: dict[str, int]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for label, invoices in sizes.items():
        demo_dir, data_dir = work / f"demo-{label}", work / f"data-{label}"
        gen, gen_wall, _ = _child(["generate", "--out", str(demo_dir), "--invoices", str(invoices)])
        results[f"store.generate_{label}_s"] = round(gen_wall, 2)
        load, wall, peak_mb = _child(["load", "--demo", str(demo_dir), "--data", str(data_dir)])
        results[f"store.load_{label}_s"] = round(wall, 2)
        results[f"store.load_{label}_peak_mb"] = round(peak_mb)
        results[f"store.publish_{label}_s"] = round(load["publish_s"], 3)
        results[f"store.invoices_{label}"] = load["invoices"]
        _, floor_wall, floor_peak_mb = _child(["floor", "--demo", str(demo_dir), "--data", str(data_dir)])
        results[f"store.floor_{label}_s"] = round(floor_wall, 2)
        results[f"store.floor_{label}_peak_mb"] = round(floor_peak_mb)
        results[f"store.load_vs_floor_{label}"] = round(wall / floor_wall, 2)
        log.info("%s: %s", label, {k: v for k, v in results.items() if label in k})
    largest = list(sizes)[-1]
    results["store.publish_s"] = results[f"store.publish_{largest}_s"]
    results["store.read_open_ms"] = read_open_ms(StorePaths(work / f"data-{largest}"))
    return results


def read_open_ms(paths: StorePaths, rounds: int = 30) -> float:
    """Mean time to open a read session (snapshot + live overlay + scope) and run one small query."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        with read_session(paths, everything(), today=TODAY) as con:
            con.execute("SELECT count(*) FROM entities").fetchone()
        timings.append((time.perf_counter() - started) * 1000)
    return round(sorted(timings)[len(timings) // 2], 1)


def export_benchmarks(work: Path, *, quick: bool = False) -> dict[str, Any]:
    """PDF at 1k, 10k, 100k rows (time, and peak memory at 100k), xlsx at 100k, and Chromium's
    print of the same 10k rows: the in-process writers against the service they replace."""
    work.mkdir(parents=True, exist_ok=True)
    scale = 100 if quick else 1
    results: dict[str, Any] = {}
    for label, rows in {"1k": 1_000, "10k": 10_000, "100k": 100_000}.items():
        out, _, peak_mb = _child(
            ["export-pdf", "--rows", str(rows // scale), "--out", str(work / f"export-{label}.pdf")]
        )
        results[f"export.pdf_{label}_s"] = round(out["seconds"], 2)
        if label == "100k":
            results["export.pdf_100k_peak_mb"] = round(peak_mb)
        log.info("pdf %s: %.2f s, %.0f MB peak", label, out["seconds"], peak_mb)
    out, _, peak_mb = _child(["export-xlsx", "--rows", str(100_000 // scale), "--out", str(work / "export-100k.xlsx")])
    results["export.xlsx_100k_s"] = round(out["seconds"], 2)
    results["export.xlsx_100k_peak_mb"] = round(peak_mb)
    out, _, peak_mb = _child(["export-chromium", "--rows", str(10_000 // scale), "--out", str(work / "chromium")])
    results["export.chromium_10k_s"] = round(out["seconds"], 2) if out.get("ok") else None
    results["export.chromium_10k_peak_mb"] = round(peak_mb)  # its largest process (wait4 counts waited-for children)
    results["export.chromium_10k_error"] = out.get("error")
    if out.get("ok"):
        results["export.pdf_vs_chromium_10k"] = round(out["seconds"] / results["export.pdf_10k_s"], 1)
    log.info("exports: %s", results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the harness")
    parser.add_argument(
        "--only",
        choices=["dashboard", "exports", "lists", "reminders"],
        help="run one part alone (dashboard and lists read the stores a previous full run left in --work)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sizes = {"30k": 30_000, "1m": 1_000_000} if not args.quick else {"30k": 3_000, "1m": 10_000}
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.only is None:
        results.update(store_benchmarks(args.work, sizes))
        results.update(ingest_benchmarks(args.work / "demo-30k", args.work))
        results.update(rate_limited_benchmark(args.work / "demo-30k", args.work))
    if args.only in (None, "exports"):
        results.update(export_benchmarks(args.work / "exports", quick=args.quick))
    if args.only in (None, "dashboard"):
        results.update(dashboard_benchmarks(args.work / "data-1m", TODAY))
    if args.only in (None, "lists"):
        results.update(lists_benchmark(StorePaths(args.work / "data-1m"), TODAY))
    if args.only in (None, "reminders"):
        results.update(reminders_benchmarks(args.work / "reminders", quick=args.quick))
    results.pop("ingest.rate_limited_full_sync_estimate_s", None)
    ran_at = (
        "bench.run_at" if args.only is None else f"bench.{args.only}_run_at"
    )  # a part alone keeps the full run's date
    results[ran_at] = datetime.now(PARIS).isoformat(timespec="seconds")
    if not args.quick:
        RESULTS.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
