"""Worker processes for the crash and concurrency tests: `python -m tests.support.workers KIND ...`.

Each runs as a separate OS process (as the ingestion, the app and the scheduler do) and
writes a JSON summary of what it did and every error it met.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from datetime import UTC, date, datetime
from pathlib import Path

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.scope import everything
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

NOW = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)


def publish_once(paths: StorePaths, source: Path) -> None:
    publish_batches(paths, [batch_from_directory(source, source.name, "Alpha SAS")], now=NOW, source="files")


def _loop(seconds: float, step) -> dict:  # type: ignore[no-untyped-def]
    done, errors, deadline = 0, [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            step(done)
            done += 1
        except Exception:  # noqa: BLE001 - the test counts every error of any kind
            errors.append(traceback.format_exc(limit=3))
    return {"iterations": done, "errors": errors}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["publish", "publish-loop", "read-loop", "ops-write-loop", "cli-read-loop"])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--source", type=Path, action="append", default=[])
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--out", type=Path)
    p.add_argument("--expect-counts", default="")
    p.add_argument("--writer-id", default="w")
    a = p.parse_args()
    paths = StorePaths(a.data)
    expected = {int(x) for x in a.expect_counts.split(",") if x}

    if a.kind == "publish":
        publish_once(paths, a.source[0])
        return 0
    if a.kind == "publish-loop":
        result = _loop(a.seconds, lambda i: publish_once(paths, a.source[i % len(a.source)]))
    elif a.kind == "read-loop":

        def read(_: int) -> None:
            with read_session(paths, everything(), today=date(2026, 11, 22)) as con:
                n = con.execute("SELECT count(*) FROM scoped_invoices").fetchone()[0]
                con.execute("SELECT week_start, sum(amount_eur) FROM scoped_cash_events GROUP BY 1").fetchall()
            if expected and n not in expected:
                raise AssertionError(f"torn snapshot: {n} invoices")

        result = _loop(a.seconds, read)
    elif a.kind == "ops-write-loop":
        written: list[int] = []

        def write(i: int) -> None:
            with operations.session(paths) as ops:
                run_id = operations.start_sync_run(ops, f"{a.writer_id}-{i}", "files", NOW)
                operations.finish_sync_run(ops, run_id, NOW, records=i)
            written.append(run_id)

        result = _loop(a.seconds, write)
        result["written"] = written
    else:

        def cli(_: int) -> None:
            out = subprocess.run(
                [str(Path(sys.executable).with_name("duckdb")), "-readonly", "-csv", "-noheader", str(paths.published),
                 "-c", "SELECT count(*) FROM invoices"],
                capture_output=True, text=True, timeout=30,
            )  # fmt: skip
            if out.returncode != 0 or (expected and int(out.stdout.strip()) not in expected):
                raise AssertionError(f"duckdb CLI: rc={out.returncode} out={out.stdout!r} err={out.stderr!r}")

        result = _loop(a.seconds, cli)
    if a.out:
        a.out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
