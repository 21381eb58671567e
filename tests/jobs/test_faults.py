"""Injected faults: transient ones are absorbed (the run succeeds, the store is right);
persistent ones fail the run with a clear message and leave the published snapshot whole."""

import httpx
import pytest

from core.store import operations
from core.store.analytical import open_snapshot
from tests.jobs.conftest import seeded
from tests.jobs.sync_helpers import checksums, sync
from tests.support.pennylane_server import serve

SHORT = httpx.Timeout(2.0, connect=2.0)
FAILING = "verdier-formation"
FAILING_TOKEN = "demo-token-verdier-formation"


@pytest.fixture
def synced(store, demo_dir):
    """A store after one clean full sync, its checksums, and a running server."""
    with serve(demo_dir, rate_limit=False) as server:
        assert sync(store, demo_dir, server.base_url).ok
        yield store, checksums(store), server


TRANSIENT = {
    "429 storm": dict(kind="rate_limit", count=4, retry_after=1),
    "500 burst": dict(kind="server_error", count=3, status=500),
    "503 burst": dict(kind="server_error", count=3, status=503),
    "slow responses": dict(kind="slow", count=5, delay=0.5),
    "timeouts": dict(kind="timeout", count=2, delay=3.0),
    "malformed JSON": dict(kind="malformed_json", count=2),
    "truncated page": dict(kind="truncated", count=2),
    "unknown field": dict(kind="unknown_field", field="brand_new_field"),
    "an expired cursor": dict(kind="expired_cursor", count=1),  # the listing restarts from page 1
}


@pytest.mark.parametrize("fault", TRANSIENT.values(), ids=TRANSIENT.keys())
def test_transient_faults_are_absorbed(synced, demo_dir, fault):
    paths, before, server = synced
    server.faults.add(path_prefix="/customer_invoices", **fault)
    result = sync(paths, demo_dir, server.base_url, full=True, timeout=SHORT)
    assert result.ok, result.failures
    assert checksums(paths) == before  # an unknown field included: the store keeps the fields it types


PERSISTENT = {
    "revoked token": (dict(kind="revoked_token"), "jeton"),
    "missing scope": (dict(kind="missing_scope", path_prefix="/customer_invoices"), "customer_invoices:readonly"),
    "expired cursor": (dict(kind="expired_cursor", path_prefix="/customer_invoices"), "curseur"),
    "server down": (dict(kind="server_error", status=503, path_prefix="/ledger_entry_lines"), "503"),
}


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "says"), PERSISTENT.values(), ids=PERSISTENT.keys())
def test_persistent_faults_fail_clearly_and_keep_the_snapshot(synced, demo_dir, fault, says):
    """The fault hits one entity: it fails with its reason and keeps its published data; the others publish."""
    paths, before, server = synced
    server.faults.add(token=FAILING_TOKEN, **fault)
    result = sync(paths, demo_dir, server.base_url, full=True, timeout=SHORT)
    assert set(result.failures) == {FAILING}
    message = result.failures[FAILING]
    assert says in message.lower() or says in message
    assert FAILING_TOKEN not in message
    assert checksums(paths) == before
    with operations.session(paths) as ops:
        runs = {r["entity_id"]: r for r in operations.latest_sync_runs(ops)}
    assert runs[FAILING]["last_status"] == "failed" and runs[FAILING]["last_error"] == message
    assert runs[FAILING]["last_success_at"]  # the earlier success is still known
    assert {r["last_status"] for e, r in runs.items() if e != FAILING} == {"success"}


def test_a_record_that_breaks_the_contract_is_reported_and_left_out(synced, demo_dir):
    paths, _, server = synced
    server.faults.add(kind="missing_field", field="amount", path_prefix="/customer_invoices", count=1)
    # one page of 100 invoices: under this threshold the entity publishes without them
    result = sync(paths, demo_dir, server.base_url, full=True, max_rejected_share=0.5)
    assert result.ok and result.report is not None
    rejects = result.report.rejects
    assert rejects and all(r.endpoint == "/customer_invoices" and r.record_id for r in rejects)
    assert all("montant (amount) manquant" in str(r) for r in rejects)
    with open_snapshot(paths) as con:
        ids = [int(r.record_id) for r in rejects if r.record_id]
        assert (
            con.execute(
                "SELECT count(*) FROM pennylane_customer_invoices WHERE list_contains(?, invoice_id)", [ids]
            ).fetchone()[0]
            == 0
        )
        assert con.execute("SELECT count(*) FROM ingest_rejects").fetchone()[0] == len(rejects)


UNUSABLE_EVENTS = {
    "event without id": dict(kind="missing_field", field="id"),
    "event with a non-integer id": dict(kind="unknown_field", field="id"),
}


@pytest.mark.parametrize("fault", UNUSABLE_EVENTS.values(), ids=UNUSABLE_EVENTS.keys())
def test_changelog_events_without_a_usable_id_harm_no_other_entity(tmp_path, fresh_demo, fault, caplog):
    """Such events cannot be re-fetched: they are skipped and counted; every entity still syncs,
    the other entities' changes are published and nothing published is lost."""
    paths = seeded(tmp_path / "data", fresh_demo)
    with serve(fresh_demo, rate_limit=False) as server:
        assert sync(paths, fresh_demo, server.base_url).ok
        before = _invoice_counts(paths)
        healthy = server.dataset("demo-token-verdier-conseil").update_invoices(3, label="changée chez Conseil")
        server.dataset(FAILING_TOKEN).update_invoices(3, label="changée chez Formation")
        server.faults.add(token=FAILING_TOKEN, path_prefix="/changelogs/customer_invoices", **fault)
        result = sync(paths, fresh_demo, server.base_url)
    assert result.ok and result.published, result.failures
    assert set(result.modes.values()) == {"incremental"}
    assert _invoice_counts(paths) == before
    with open_snapshot(paths) as con:
        labels = con.execute(
            "SELECT DISTINCT label FROM invoices WHERE entity_id = 'verdier-conseil' AND list_contains(?, invoice_id)",
            [healthy],
        ).fetchall()
    assert labels == [("changée chez Conseil",)]
    assert f"{FAILING} : 3 événement(s)" in caplog.text and "sans identifiant exploitable" in caplog.text


def _invoice_counts(paths):
    with open_snapshot(paths) as con:
        return dict(con.execute("SELECT entity_id, count(*) FROM invoices GROUP BY 1").fetchall())
