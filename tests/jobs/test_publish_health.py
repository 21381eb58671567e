"""`python -m jobs.ingest` against the local server: one entity's bad data never harms the others
nor its own published data, and holes in the lettering make the run say so and exit non-zero."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from core.ingestion.demo_source import demo_token
from core.store.analytical import open_snapshot
from tests.jobs.cli_helpers import demo_data, ingest, runs

BAD = "verdier-formation"


def _entity_checksums(paths, entity_id):
    with open_snapshot(paths) as con:
        return {
            table: con.execute(
                "SELECT count(*), md5(string_agg(md5(CAST(t AS VARCHAR)), ',' ORDER BY md5(CAST(t AS VARCHAR)))) "
                "FROM " + table + " AS t WHERE entity_id = ?",  # noqa: S608 - test constants
                [entity_id],
            ).fetchone()
            for table in ("pennylane_customers", "pennylane_customer_invoices", "pennylane_ledger_entry_lines")
        }


@pytest.mark.slow
def test_an_entity_with_every_invoice_rejected_keeps_its_data_and_the_others_publish(tmp_path, demo_dir):
    with demo_data(tmp_path, demo_dir) as (paths, env, server):
        assert ingest(env).returncode == 0
        bad_before = _entity_checksums(paths, BAD)
        good = "verdier-conseil"
        good_before = _entity_checksums(paths, good)
        server.dataset(demo_token(paths.demo_dir, good)).update_invoices(10)
        server.faults.add(
            kind="missing_field",
            field="amount",
            path_prefix="/customer_invoices",
            token=demo_token(paths.demo_dir, BAD),
        )
        done = ingest(env, "--full")

    assert done.returncode == 1
    assert _entity_checksums(paths, BAD) == bad_before  # its previous data, whole
    assert _entity_checksums(paths, good) != good_before  # the others published their changes
    invoices = bad_before["pennylane_customer_invoices"][0]
    assert invoices > 100
    run = runs(paths)[-3:]
    failed = {r["entity_id"]: r for r in run if r["status"] == "failed"}
    assert set(failed) == {BAD}
    assert failed[BAD]["rejected"] == invoices
    assert f"montant (amount) manquant : {invoices:,}".replace(",", "\u202f") in failed[BAD]["error"]
    assert BAD in done.stderr and "précédentes sont conservées" in done.stderr
    # a summary of the rejects, not one line per record
    assert len([line for line in done.stderr.splitlines() if "écarté" in line]) <= 5


@pytest.mark.slow
def test_paid_invoices_without_payment_date_make_the_run_say_so_and_fail(tmp_path, demo_dir):
    with demo_data(tmp_path, demo_dir) as (paths, env, server):
        ds = server.dataset(demo_token(paths.demo_dir, BAD))
        payments = [
            line_id
            for line_id, line in ds.records["ledger_entry_lines"].items()
            if Decimal(line["credit"]) > 0 and line["lettered_ledger_entry_lines"]["ids"]
        ]
        for line_id in payments[: len(payments) // 5]:  # the bank side of a fifth of the letterings never arrives
            ds.delete("ledger_entry_lines", line_id)
        done = ingest(env, "--full")

    assert done.returncode == 1, done.stderr
    found = re.search(r"(\d[\d\u202f]*) factures payées sans date d'encaissement", done.stderr)
    assert found and int(found.group(1).replace("\u202f", "")) > 0
    assert "écritures lettrées avec des écritures non reçues" in done.stderr
    assert paths.published.exists()  # what arrived is published; the run says what is missing
