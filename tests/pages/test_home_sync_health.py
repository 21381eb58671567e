"""The home page says plainly when a sync was interrupted and when the published data has holes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.store import operations
from core.store.lock import ingestion_lock
from tests.support import records as r
from tests.support.apptest import app_on
from tests.support.stores import NOW, seeded_store, small_entity


def _start_run(paths):
    with operations.session(paths) as ops:
        ok = operations.start_sync_run(ops, "alpha", "full", datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
        operations.finish_sync_run(ops, ok, datetime(2026, 11, 22, 8, 1, tzinfo=UTC))
        operations.start_sync_run(ops, "alpha", "incremental", datetime(2026, 11, 22, 9, 0, tzinfo=UTC))


def test_a_run_whose_process_died_shows_as_interrupted(tmp_path, monkeypatch):
    paths = seeded_store(tmp_path)
    _start_run(paths)  # a `running` row, and nobody holds the ingestion lock: its process is gone
    at = app_on(monkeypatch, paths).run()
    assert not at.exception
    assert any("interrompue" in e.value for e in at.error)


def test_a_run_in_progress_is_not_an_error(tmp_path, monkeypatch):
    paths = seeded_store(tmp_path)
    _start_run(paths)
    with ingestion_lock(paths.ingest_lock):
        at = app_on(monkeypatch, paths).run()
    assert not at.exception
    assert not at.error


def test_paid_invoices_without_a_payment_date_are_counted_on_the_freshness_line(tmp_path, monkeypatch):
    paths = seeded_store(tmp_path)
    entity = small_entity(tmp_path / "holes")
    lines = [json.loads(x) for x in (entity / "ledger_entry_lines.jsonl").read_text().splitlines()]
    r.write_jsonl(entity / "ledger_entry_lines.jsonl", [x for x in lines if x["id"] != 103])  # invoice 12's payment
    report = publish_batches(paths, [batch_from_directory(entity, "alpha", "Alpha SAS")], now=NOW, source="files")
    assert report.gaps["alpha"].paid_without_date == 1 and report.gaps["alpha"].lettered_to_missing == 1
    at = app_on(monkeypatch, paths).run()
    assert not at.exception
    freshness = [c.value for c in at.caption if "Données synchronisées" in c.value]
    assert freshness and "1 facture payée sans date d'encaissement" in freshness[0]
    assert "1 écriture lettrée avec des écritures non reçues" in freshness[0]
