"""Bad input to the loader: a clear reason naming the record, and nothing published is lost."""

import json

import pytest

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.scope import everything
from core.store.analytical import open_snapshot
from core.store.checksums import table_checksums
from core.store.loader import StagingError
from tests.support import records as r
from tests.support.stores import NOW, seeded_store, small_entity


def _publish(paths, entity_dir):
    """Publish however many records break the contract (the threshold is tested in tests/jobs)."""
    batch = batch_from_directory(entity_dir, "alpha", "Alpha SAS")
    return publish_batches(paths, [batch], now=NOW, source="files", max_rejected_share=1.0)


def _rejects(paths):
    with open_snapshot(paths) as con:
        return {
            (e, i): reason
            for e, i, reason in con.execute("SELECT endpoint, record_id, reason FROM ingest_rejects").fetchall()
        }


def test_contract_breaches_are_left_out_with_their_id_and_reason(tmp_path):
    paths = seeded_store(tmp_path)
    entity = small_entity(tmp_path / "bad")
    bad_invoices = [json.loads(x) for x in (entity / "customer_invoices.jsonl").read_text().splitlines()]
    missing_customer = r.invoice(20, 1, "10.00")
    del missing_customer["customer"]
    bad_invoices += [
        r.invoice(21, 1, "12,50"),  # not a number
        r.invoice(22, 1, "10.005"),  # would be rounded: never written
        missing_customer,
        r.invoice(23, 1, "10.00", status="disputed_by_robot"),  # unknown status: documented default
        r.invoice(24, 1, "10.00"),
        r.invoice(24, 1, "99.00"),  # same id, different contents
        r.invoice(12, 2, "50.00", remaining="0.00", status="paid"),  # exact duplicate: kept once
    ]
    r.write_jsonl(entity / "customer_invoices.jsonl", bad_invoices)
    report = _publish(paths, entity)

    messages = [str(x) for x in report.rejects]
    assert any("/customer_invoices id=21" in m and "12,50" in m for m in messages)
    rejects = _rejects(paths)
    assert rejects[("/customer_invoices", "22")].startswith("montant (amount) invalide")
    assert rejects[("/customer_invoices", "20")] == "client (customer.id) manquant"
    assert "double" in rejects[("/customer_invoices", "24")]
    with open_snapshot(paths) as con:
        ids = {i for (i,) in con.execute("SELECT invoice_id FROM pennylane_customer_invoices").fetchall()}
        status = con.execute(
            "SELECT pennylane_status FROM pennylane_customer_invoices WHERE invoice_id = 23"
        ).fetchone()
        assert con.execute("SELECT count(*) FROM pennylane_customer_invoices WHERE invoice_id = 12").fetchone()[0] == 1
    assert ids == {10, 12, 13, 14, 15, 23}
    assert status == ("disputed_by_robot",)


def test_an_unreadable_file_fails_the_load_and_keeps_the_published_snapshot(tmp_path):
    paths = seeded_store(tmp_path)
    with open_snapshot(paths) as con:
        before = table_checksums(con)
    entity = small_entity(tmp_path / "broken")
    (entity / "customer_invoices.jsonl").write_text('{"id": 1, "amount": "1.00"}\n{"id": 2, "amou')
    with pytest.raises(StagingError, match="/customer_invoices"):
        _publish(paths, entity)
    with open_snapshot(paths) as con:
        assert table_checksums(con) == before
    assert not list(paths.work_dir.glob("build-*")), "the failed build is cleaned up"


def test_scope_object_is_required_to_read(tmp_path):
    paths = seeded_store(tmp_path)
    assert everything().sees_everything
    with open_snapshot(paths) as con:
        assert con.execute("SELECT count(*) FROM invoices").fetchone()[0] == 5
