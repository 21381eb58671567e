"""What `python -m jobs.ingest` writes to its log is true: real request counts and rates per
resource, what an incremental sync changed, and "instantané publié" after the summary."""

from __future__ import annotations

import re

import pytest

from core.ingestion.demo_source import demo_token
from tests.jobs.cli_helpers import demo_data, ingest

PROGRESS = re.compile(
    r"(\S+) : (clients|factures|écritures clients) — (\d+) enregistrements, (\d+) requêtes, ([\d.]+) req/s"
)


@pytest.mark.slow
def test_a_full_sync_logs_real_request_counts_and_publishes_after_its_summary(tmp_path, demo_dir):
    with demo_data(tmp_path, demo_dir) as (_, env, _server):
        done = ingest(env, "--full")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    progress = [PROGRESS.search(line) for line in lines]
    found = [m for m in progress if m]
    assert len(found) >= 9  # three resources of three entities
    for m in found:
        records, requests, rate = int(m.group(3)), int(m.group(4)), float(m.group(5))
        assert requests >= max(1, records // 100) and rate > 0, m.group(0)
    summaries = [i for i, line in enumerate(lines) if "reprise complète —" in line]
    assert len(summaries) == 3
    published = [i for i, line in enumerate(lines) if "instantané publié" in line]
    last_summary = max([*summaries, *(i for i, m in enumerate(progress) if m)])
    assert published and published[-1] > last_summary


@pytest.mark.slow
def test_an_incremental_sync_says_what_changed(tmp_path, demo_dir):
    with demo_data(tmp_path, demo_dir) as (paths, env, server):
        assert ingest(env).returncode == 0
        quiet = ingest(env)
        server.dataset(demo_token(paths.demo_dir, "verdier-conseil")).update_invoices(7)
        changed = ingest(env)
    assert quiet.returncode == 0 and changed.returncode == 0, changed.stderr
    assert quiet.stderr.count("synchro incrémentale — aucun changement depuis la précédente") == 3
    assert "{'customers': 0" not in quiet.stderr + changed.stderr
    found = re.search(r"verdier-conseil : synchro incrémentale — (\d+) enregistrements modifiés", changed.stderr)
    assert found and int(found.group(1)) >= 7
    assert changed.stderr.count("aucun changement depuis la précédente") == 2
