"""kill -9 of the loader at several points leaves the previous snapshot readable and whole,
and the next run converges."""

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from core.store.analytical import open_snapshot
from core.store.checksums import table_checksums
from tests.conftest import ROOT
from tests.support import records as r
from tests.support.stores import seeded_store, small_entity


def _worker(paths, source, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.workers", "publish", "--data", str(paths.data_dir), "--source", str(source)],
        cwd=ROOT, env=env,
    )  # fmt: skip


def _bigger_source(tmp_path):
    """The small entity plus enough invoices that loading takes a measurable time."""
    entity = small_entity(tmp_path / "next")
    invoices = [r.invoice(1000 + i, 1 + i % 3, f"{100 + i % 900}.{i % 100:02d}") for i in range(60_000)]
    r.write_jsonl(entity / "customer_invoices.jsonl", invoices)
    return entity


def _snapshot(paths):
    with open_snapshot(paths) as con:
        return table_checksums(con)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["before_checkpoint", "before_replace"])
def test_kill_at_a_publish_step_keeps_the_previous_snapshot(tmp_path, point):
    paths = seeded_store(tmp_path)
    before = _snapshot(paths)
    source = small_entity(tmp_path / "next")
    marker = tmp_path / "marker"
    proc = _worker(paths, source, {"ENCOURS_FAILPOINT": point, "ENCOURS_FAILPOINT_MARKER": str(marker)})
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, "the loader ended before reaching the failpoint"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _snapshot(paths) == before
    assert _worker(paths, source).wait(timeout=120) == 0  # the next run converges and cleans up
    assert not list(paths.work_dir.glob("build-*"))
    assert _snapshot(paths)["pennylane_customer_invoices"] == before["pennylane_customer_invoices"]


@pytest.mark.slow
def test_kill_at_random_moments_never_publishes_a_partial_store(tmp_path):
    paths = seeded_store(tmp_path)
    before = _snapshot(paths)
    source = _bigger_source(tmp_path)
    rng = random.Random(7)
    published_whole = 0
    for _ in range(6):
        proc = _worker(paths, source)
        time.sleep(rng.uniform(0.3, 2.5))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        now = _snapshot(paths)
        count = int(now["pennylane_customer_invoices"].split(":")[0])
        assert now == before or count == 60_000, f"partial snapshot published: {count} invoices"
        if now != before:
            published_whole += 1
            before = now
    assert _worker(paths, source).wait(timeout=120) == 0
    assert int(_snapshot(paths)["pennylane_customer_invoices"].split(":")[0]) == 60_000
