"""A payment re-lettered from one invoice to another reaches both invoices at the next
incremental sync, although only the payment's own line appears in the changelog."""

from datetime import date, timedelta
from decimal import Decimal

from core.config import EntityConfig, Secret
from core.ingestion.sync import run_sync
from core.store.analytical import open_snapshot
from core.store.paths import StorePaths
from pennylane_local import Dataset
from tests.support.pennylane_server import NOW, TOKEN, sample_dataset, serve

_INVOICE = "SELECT paid_amount_eur, open_amount_eur, last_payment_date FROM invoices WHERE invoice_id = ?"


class _Clock:
    def __init__(self) -> None:
        self.moment = NOW

    def __call__(self):
        return self.moment


def _customer_line(ds: Dataset, invoice: dict) -> dict:
    entry = invoice["ledger_entry"]["id"]
    return next(
        x for x in ds.records["ledger_entry_lines"].values()
        if x["ledger_entry"]["id"] == entry and x["ledger_account"]["number"].startswith("411")
    )  # fmt: skip


def _pair(ds: Dataset) -> tuple[dict, dict, dict]:
    """An invoice paid by exactly one bank receipt, that receipt, and an unpaid invoice of the same customer."""
    lines = ds.records["ledger_entry_lines"]
    for paid in ds.records["customer_invoices"].values():
        if not paid["paid"] or paid["status"] == "credit_note":
            continue
        group = _customer_line(ds, paid)["lettered_ledger_entry_lines"]["ids"]
        receipts = [lines[i] for i in group if Decimal(lines[i]["credit"]) > 0]
        if len(group) != 2 or len(receipts) != 1:
            continue
        unpaid = [
            r for r in ds.records["customer_invoices"].values()
            if r["customer"]["id"] == paid["customer"]["id"] and not r["paid"] and not r["draft"]
            and r["remaining_amount_with_tax"] == r["amount"] and r["status"] != "credit_note"
        ]  # fmt: skip
        if unpaid:
            return paid, receipts[0], unpaid[0]
    raise AssertionError("the sample has no such pair")


def _without_remaining(ds: Dataset, invoice: dict) -> None:
    """Like servers that do not give the remaining amount: what is open then comes from the lettering."""
    ds.put("customer_invoices", {**invoice, "remaining_amount_with_tax": None, "remaining_amount_without_tax": None})


def test_a_relettered_payment_moves_its_date_and_amount_to_the_other_invoice(tmp_path):
    clock = _Clock()
    ds = sample_dataset()
    with serve({TOKEN: ds}, rate_limit=False, now=clock) as server:
        paid, receipt, unpaid = _pair(ds)
        _without_remaining(ds, paid)
        _without_remaining(ds, unpaid)
        paths = StorePaths(tmp_path / "data").ensure()
        acme = EntityConfig("acme", "ACME", Secret(TOKEN), server.base_url, rate_limited=False)
        assert run_sync(paths, [acme], now=clock()).ok
        paid_on = date.fromisoformat(receipt["date"])
        amount, other = Decimal(paid["amount"]), Decimal(unpaid["amount"])
        with open_snapshot(paths) as con:
            assert con.execute(_INVOICE, [paid["id"]]).fetchone() == (amount, 0, paid_on)
            assert con.execute(_INVOICE, [unpaid["id"]]).fetchone() == (0, other, None)

        clock.moment = NOW + timedelta(minutes=1)
        ds.reletter(receipt["id"], with_line=_customer_line(ds, unpaid)["id"])
        clock.moment = NOW + timedelta(minutes=2)
        result = run_sync(paths, [acme], now=clock())
    assert result.ok and result.modes == {"acme": "incremental"}
    settled = min(amount, other)
    with open_snapshot(paths) as con:
        assert con.execute(_INVOICE, [paid["id"]]).fetchone() == (0, amount, None)
        assert con.execute(_INVOICE, [unpaid["id"]]).fetchone() == (settled, other - settled, paid_on)
