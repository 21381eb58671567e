"""The HTTP sync against the local Pennylane-compatible server: same store as the direct
load, requests at the floor, incremental runs from the changelogs, the rate limit kept."""

import time

import httpx
import pytest

from core.formatting import paris_now
from core.ingestion.batches import batches_from_demo
from core.ingestion.runs import publish_batches
from core.store.analytical import open_snapshot
from tests.jobs.conftest import seeded
from tests.jobs.sync_helpers import checksums, floor_requests, sync
from tests.support.pennylane_server import serve


def test_full_sync_gives_the_direct_load_store_at_the_request_floor(tmp_path, demo_dir, store):
    with serve(demo_dir, rate_limit=False) as server:
        result = sync(store, demo_dir, server.base_url)
    assert result.ok and result.published
    assert set(result.modes.values()) == {"full"}

    direct = seeded(tmp_path / "direct", demo_dir)
    publish_batches(direct, batches_from_demo(demo_dir), now=paris_now(), source="files")
    assert checksums(store) == checksums(direct)

    floor = floor_requests(demo_dir)
    total = sum(result.requests.values())
    assert total <= 1.1 * floor + 3 * 10, (total, floor)  # per entity: /me and one partial page per filter chunk
    with open_snapshot(store) as con:
        kinds = dict(con.execute("SELECT kind, count(*) FROM payment_allocations GROUP BY 1").fetchall())
        partial = con.execute(
            "SELECT count(*) FROM pennylane_customer_invoices WHERE pennylane_status = 'partially_paid'"
        ).fetchone()[0]
    assert kinds["payment"] > 1000 and kinds["credit_note"] > 10 and partial > 0


def test_incremental_sync_reads_the_changelogs_and_converges(tmp_path, fresh_demo):
    paths = seeded(tmp_path / "data", fresh_demo)
    with serve(fresh_demo, rate_limit=False) as server:
        assert sync(paths, fresh_demo, server.base_url).ok
        ds = server.dataset("demo-token-verdier-conseil")
        invoices = ds.records["customer_invoices"]
        changed = ds.update_invoices(100)
        unpaid = sorted(i for i, r in invoices.items() if r["status"] in ("upcoming", "late") and not r["draft"])[:20]
        for invoice_id in unpaid:
            ds.mark_paid(invoice_id)
        customers_with_drafts = sorted({r["customer"]["id"] for r in invoices.values() if r["draft"]})[:5]
        deleted = [i for c in customers_with_drafts for i in ds.delete_draft_invoices(c)]
        assert len(changed) == 100 and len(unpaid) == 20 and deleted

        result = sync(paths, fresh_demo, server.base_url)
        assert result.ok and set(result.modes.values()) == {"incremental"}
        changed_records = len(set(changed) | set(unpaid)) + 2 * len(unpaid)  # invoices, new and re-lettered lines
        assert result.requests["verdier-conseil"] <= 10 + changed_records / 100
        assert all(n == 3 for e, n in result.requests.items() if e != "verdier-conseil")  # its 3 changelogs

        fresh = seeded(tmp_path / "fresh", fresh_demo)
        assert sync(fresh, fresh_demo, server.base_url, full=True).ok
    assert checksums(paths) == checksums(fresh)
    with open_snapshot(paths) as con:
        paid = con.execute(
            "SELECT count(*) FROM pennylane_customer_invoices WHERE entity_id = 'verdier-conseil' AND paid AND list_contains(?, invoice_id)",
            [unpaid],
        ).fetchone()[0]
        left = con.execute(
            "SELECT count(*) FROM pennylane_customer_invoices WHERE list_contains(?, invoice_id)", [deleted]
        ).fetchone()[0]
    assert paid == 20 and left == 0


class _RecordingTransport(httpx.HTTPTransport):
    """Real HTTP, with the time each request was sent, per token."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: dict[str, list[float]] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.setdefault(request.headers["authorization"], []).append(time.monotonic())
        return super().handle_request(request)


@pytest.mark.serial
@pytest.mark.slow
def test_sync_keeps_the_pace_the_rate_limit_allows_without_429(store, demo_dir):
    transport = _RecordingTransport()
    with serve(demo_dir, rate_limit=True) as server:
        result = sync(store, demo_dir, server.base_url, paced=True, transport=transport)
        assert result.ok
        assert server.stats.rate_limited == 0 and server.stats.injected_429 == 0
    for sent in transport.sent.values():
        # 25 requests per sliding 5 s: n requests need at least 5 s per full window after the first
        # (plus the requests' own latency); the sync must take at most 1/0.9 of that minimum.
        n, span = len(sent), sent[-1] - sent[0]
        minimum = 5 * ((n - 1) // 25) + 0.05 * n
        assert span <= minimum / 0.9, f"{n} requests took {span:.2f} s; the limit allows {minimum:.2f} s"
