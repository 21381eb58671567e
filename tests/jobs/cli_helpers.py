"""Run `python -m jobs.ingest` as the scheduler does, on a demo data directory served over HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.store import operations
from core.store.paths import StorePaths
from tests.conftest import ROOT
from tests.jobs.conftest import seeded
from tests.support.pennylane_server import ServerHandle, serve


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PENNYLANE_", "ENCOURS_"))}
    return {**env, "ENCOURS_DATA_DIR": str(data_dir), **extra}


def ingest(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jobs.ingest", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


@contextmanager
def demo_data(tmp_path: Path, demo_dir: Path) -> Iterator[tuple[StorePaths, dict[str, str], ServerHandle]]:
    """A demo data directory (no token), its own copy of the demo company served on a free port."""
    paths = seeded(tmp_path / "data", demo_dir)
    shutil.copytree(demo_dir, paths.demo_dir)
    with serve(paths.demo_dir, rate_limit=False) as server:
        port = server.root_url.rsplit(":", 1)[1]
        yield paths, env_for(paths.data_dir, ENCOURS_DEMO_API_PORT=port), server


def start_at_failpoint(env: dict[str, str], marker: Path, point: str = "before_replace") -> subprocess.Popen[str]:
    """A `python -m jobs.ingest --full` stopped at a publish step, waiting to be signalled."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs.ingest", "--full"], cwd=ROOT, text=True,
        env={**env, "ENCOURS_FAILPOINT": point, "ENCOURS_FAILPOINT_MARKER": str(marker)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the run never reached the failpoint"
        time.sleep(0.05)
    return proc


def kill(proc: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str]:
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def runs(paths: StorePaths) -> list[dict[str, object]]:
    with operations.session(paths) as ops:
        cur = ops.execute("SELECT * FROM sync_runs ORDER BY run_id")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
