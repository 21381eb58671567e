"""Three processes share the store while analysts read it: one republishes the snapshot in a
loop, two read it as the app does, one writes operational rows as the scheduler does, one
runs `duckdb -readonly` — for 30 s, with zero errors and no operational write lost."""

import json
import subprocess
import sys

import pytest

from core.store import operations
from tests.conftest import ROOT
from tests.support import records as r
from tests.support.stores import seeded_store, small_entity

SECONDS = 30


@pytest.mark.slow
def test_publish_read_write_and_cli_at_once(tmp_path):
    paths = seeded_store(tmp_path)
    small = small_entity(tmp_path / "a")
    big = small_entity(tmp_path / "b")
    r.write_jsonl(big / "customer_invoices.jsonl", [r.invoice(1000 + i, 1 + i % 3, "10.00") for i in range(3000)])
    counts = "5,3000"

    def spawn(kind, name, *extra):
        out = tmp_path / f"{name}.json"
        cmd = [sys.executable, "-m", "tests.support.workers", kind, "--data", str(paths.data_dir),
               "--seconds", str(SECONDS), "--out", str(out), "--expect-counts", counts, *extra]  # fmt: skip
        return out, subprocess.Popen(cmd, cwd=ROOT)

    # the republisher alternates two sources, both named "alpha"
    (tmp_path / "alt").mkdir()
    big_alpha = big.rename(tmp_path / "alt" / "alpha")
    workers = [
        spawn("publish-loop", "publisher", "--source", str(small), "--source", str(big_alpha)),
        spawn("read-loop", "reader1"),
        spawn("read-loop", "reader2"),
        spawn("ops-write-loop", "writer", "--writer-id", "sched"),
        spawn("cli-read-loop", "analyst"),
    ]
    results = {}
    for out, proc in workers:
        assert proc.wait(timeout=SECONDS + 120) == 0
        results[out.stem] = json.loads(out.read_text())
    for name, res in results.items():
        assert res["errors"] == [], f"{name}: {res['errors'][:2]}"
        assert res["iterations"] > 0, name
    assert results["publisher"]["iterations"] >= 5
    with operations.session(paths) as ops:
        present = {row[0] for row in ops.execute("SELECT run_id FROM sync_runs WHERE entity_id LIKE 'sched-%'")}
    assert set(results["writer"]["written"]) <= present
    assert len(results["writer"]["written"]) == len(present)
