"""Pennylane-compatible servers that depart from the documented shapes (quirks) give the same
store: scopes spelled otherwise in /me, lettering that omits the line's own id, and a server
clock ahead of or behind this machine's."""

from datetime import datetime, timedelta

import pytest

from core.config import EntityConfig, Secret
from core.ingestion.sync import run_sync
from core.store.analytical import open_snapshot
from core.store.paths import StorePaths
from pennylane_local import Quirks
from tests.jobs.conftest import seeded
from tests.jobs.sync_helpers import checksums, sync
from tests.support.pennylane_server import NOW, TOKEN, sample_dataset, serve

LEDGER = "pennylane_ledger_entry_lines"
QUIRKS = {
    "scopes spelled :read": Quirks(scopes_spelling="read"),
    "scopes in upper case": Quirks(scopes_spelling="upper"),
    "bare scope names": Quirks(scopes_spelling="bare"),
    "lettering without own ids": Quirks(lettering_without_own_id=True),
    "server clock 10 min ahead": Quirks(clock_skew=timedelta(minutes=10)),
    "server clock 10 min behind": Quirks(clock_skew=timedelta(minutes=-10)),
}


@pytest.fixture(scope="module")
def plain(tmp_path_factory, demo_dir):
    paths = seeded(tmp_path_factory.mktemp("plain") / "data", demo_dir)
    with serve(demo_dir, rate_limit=False) as server:
        assert sync(paths, demo_dir, server.base_url).ok
    return checksums(paths)


@pytest.mark.parametrize("quirks", QUIRKS.values(), ids=QUIRKS.keys())
def test_a_full_sync_from_a_quirky_server_gives_the_plain_servers_store(store, demo_dir, plain, quirks):
    with serve(demo_dir, rate_limit=False, quirks=quirks) as server:
        result = sync(store, demo_dir, server.base_url)
    assert result.ok and result.published, result.failures
    assert checksums(store) == plain


class _Clock:
    """A pinned clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


@pytest.mark.parametrize("skew", [timedelta(minutes=10), timedelta(minutes=-10)], ids=["fast", "slow"])
def test_a_client_clock_off_by_ten_minutes_loses_no_change(tmp_path, skew):
    """This machine's clock is `skew` ahead of the server's; a payment made between two runs
    must reach the published invoices whatever the skew."""
    server_clock = _Clock(NOW)
    dataset = sample_dataset()
    with serve({TOKEN: dataset}, rate_limit=False, now=server_clock) as server:
        paths = StorePaths(tmp_path / "data").ensure()
        acme = EntityConfig("acme", "ACME", Secret(TOKEN), server.base_url, rate_limited=False)
        assert run_sync(paths, [acme], now=server_clock() + skew).ok
        invoice = next(
            r for _, r in sorted(dataset.records["customer_invoices"].items())
            if not r["draft"] and not r["paid"] and r["remaining_amount_with_tax"] == r["amount"]
        )  # fmt: skip
        server_clock.moment = NOW + timedelta(minutes=1)
        dataset.mark_paid(invoice["id"], paid_on=NOW.date())
        server_clock.moment = NOW + timedelta(minutes=2)
        result = run_sync(paths, [acme], now=server_clock() + skew)
    assert result.ok and result.modes == {"acme": "incremental"}
    with open_snapshot(paths) as con:
        row = con.execute(
            "SELECT open_amount_eur, last_payment_date FROM invoices WHERE invoice_id = ?", [invoice["id"]]
        ).fetchone()
        position = con.execute("SELECT changes_since FROM sync_state").fetchone()[0]
    assert row == (0, NOW.date())
    assert position == NOW + timedelta(minutes=1)  # the server's latest processed_at, not this machine's clock
