"""Dataset mutations keep invoices and the ledger consistent, and stay spec-valid."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from core.ingestion.demo_source import demo_token
from pennylane_local import Dataset, load_data
from tests.support.openapi import validate_item, validate_response
from tests.support.pennylane_server import TOKEN, sample_dataset, serve, write_demo_root


def _entry(ds: Dataset, entry_id: int) -> list[dict]:
    return [line for line in ds.records["ledger_entry_lines"].values() if line["ledger_entry"]["id"] == entry_id]


def _balanced(lines: list[dict]) -> bool:
    return sum(Decimal(x["debit"]) for x in lines) == sum(Decimal(x["credit"]) for x in lines)


def _customer_line(ds: Dataset, invoice: dict) -> dict:
    account = ds.records["customers"][invoice["customer"]["id"]]["ledger_account"]["id"]
    return next(x for x in _entry(ds, invoice["ledger_entry"]["id"]) if x["ledger_account"]["id"] == account)


def _open_invoice(ds: Dataset) -> dict:
    return next(
        r
        for _, r in sorted(ds.records["customer_invoices"].items())
        if not r["draft"] and not r["paid"] and r["remaining_amount_with_tax"] == r["amount"]
    )


def test_sample_data_is_spec_valid_and_every_entry_balances() -> None:
    ds = sample_dataset()
    for resource in ("customers", "customer_invoices", "ledger_entry_lines"):
        validate_response(
            {"items": list(ds.records[resource].values()), "has_more": False, "next_cursor": None}, f"/{resource}"
        )
    entries = {line["ledger_entry"]["id"] for line in ds.records["ledger_entry_lines"].values()}
    assert all(_balanced(_entry(ds, e)) for e in entries)


def test_mark_paid_letters_a_bank_receipt_with_the_invoice_line() -> None:
    ds = sample_dataset()
    invoice = _open_invoice(ds)
    receipt_id, cash_id = ds.mark_paid(invoice["id"], paid_on=date(2026, 11, 18))
    paid = ds.records["customer_invoices"][invoice["id"]]
    assert (paid["paid"], paid["status"], paid["remaining_amount_with_tax"], paid["remaining_amount_without_tax"]) == (
        True,
        "paid",
        "0.00",
        "0.00",
    )
    receipt, cash = ds.records["ledger_entry_lines"][receipt_id], ds.records["ledger_entry_lines"][cash_id]
    line = _customer_line(ds, paid)
    assert (
        receipt["ledger_account"] == line["ledger_account"]
        and receipt["credit"] == invoice["amount"]
        and receipt["date"] == "2026-11-18"
    )
    assert cash["ledger_account"]["number"].startswith("512") and cash["debit"] == invoice["amount"]
    assert _balanced(_entry(ds, receipt["ledger_entry"]["id"]))
    group = sorted([line["id"], receipt_id])
    assert line["lettered_ledger_entry_lines"]["ids"] == group == receipt["lettered_ledger_entry_lines"]["ids"]
    for record in (paid,):
        validate_item(record, "/customer_invoices")
    for record in (receipt, cash, line):
        validate_item(record, "/ledger_entry_lines")


def test_partial_payments_grow_one_lettering_group() -> None:
    ds = sample_dataset()
    invoice = _open_invoice(ds)
    half = Decimal(invoice["amount"]) / 2
    first, _ = ds.mark_paid(invoice["id"], amount=half)
    assert ds.records["customer_invoices"][invoice["id"]]["status"] == "partially_paid"
    second, _ = ds.mark_paid(invoice["id"])
    final = ds.records["customer_invoices"][invoice["id"]]
    assert final["status"] == "paid" and final["remaining_amount_with_tax"] == "0.00"
    group = sorted([_customer_line(ds, final)["id"], first, second])
    for line_id in group:
        assert ds.records["ledger_entry_lines"][line_id]["lettered_ledger_entry_lines"]["ids"] == group
    with pytest.raises(ValueError):
        ds.mark_paid(invoice["id"])


def test_update_invoices_reprices_the_invoice_and_its_entry() -> None:
    ds = sample_dataset()
    invoice = _open_invoice(ds)
    assert ds.update_invoices(ids=[invoice["id"]], amount="1234.56") == [invoice["id"]]
    updated = ds.records["customer_invoices"][invoice["id"]]
    assert updated["amount"] == updated["remaining_amount_with_tax"] == "1234.56"
    assert Decimal(updated["currency_amount_before_tax"]) + Decimal(updated["tax"]) == Decimal("1234.56")
    assert updated["label"].endswith("(modifiée)")
    lines = _entry(ds, updated["ledger_entry"]["id"])
    assert _balanced(lines) and _customer_line(ds, updated)["debit"] == "1234.56"
    validate_item(updated, "/customer_invoices")
    paid = next(r for r in ds.records["customer_invoices"].values() if r["paid"])
    with pytest.raises(ValueError):
        ds.update_invoices(ids=[paid["id"]], amount="10.00")


def test_delete_draft_invoices_removes_only_that_customers_drafts() -> None:
    ds = sample_dataset()
    customer = ds.records["customer_invoices"][4]["customer"]["id"]
    deleted = ds.delete_draft_invoices(customer)
    assert deleted and all(i not in ds.records["customer_invoices"] for i in deleted)
    assert any(r["draft"] for r in ds.records["customer_invoices"].values())  # other customers' drafts stay
    assert not any(r["draft"] and r["customer"]["id"] == customer for r in ds.records["customer_invoices"].values())


def test_add_invoice_creates_a_valid_invoice_and_a_balanced_entry() -> None:
    ds = sample_dataset()
    invoice = ds.add_invoice(2, amount="600.00", issued_on=date(2026, 11, 20), deadline=date(2026, 12, 20))
    validate_item(invoice, "/customer_invoices")
    lines = _entry(ds, invoice["ledger_entry"]["id"])
    assert len(lines) == 3 and _balanced(lines) and _customer_line(ds, invoice)["debit"] == "600.00"
    draft = ds.add_invoice(2, amount="50.00", issued_on=date(2026, 11, 20), deadline=date(2026, 12, 20), draft=True)
    assert draft["status"] == "draft" and not _entry(ds, draft["ledger_entry"]["id"])


def test_files_round_trip_and_demo_roots_map_entities_to_tokens(tmp_path: Path) -> None:
    a, b = sample_dataset(company_id=1, invoices=5), sample_dataset(company_id=2, invoices=8)
    write_demo_root(tmp_path, {"paris": a, "lyon": b})
    datasets = load_data(tmp_path)
    assert (
        set(datasets)
        == {demo_token(tmp_path, "paris"), demo_token(tmp_path, "lyon")}
        == {"demo-token-paris", "demo-token-lyon"}
    )
    assert datasets["demo-token-lyon"].records == b.records
    assert json.loads((tmp_path / "paris" / "me.json").read_text()) == a.me
    assert set(load_data(tmp_path / "paris")) == {"demo-token-paris"}
    with pytest.raises(FileNotFoundError):
        load_data(tmp_path / "nowhere")


def test_reletter_moves_a_receipt_and_logs_only_its_own_line() -> None:
    """Some servers update the partners' lettering without an event: only the moved line is in the changelog."""
    ds = sample_dataset()
    lines = ds.records["ledger_entry_lines"]
    receipt = next(x for x in lines.values() if Decimal(x["credit"]) > 0 and len(_group(x)) == 2)
    invoice_line = next(lines[i] for i in _group(receipt) if i != receipt["id"])
    target = _customer_line(ds, _open_invoice(ds))
    later = datetime(2026, 11, 21, 8, tzinfo=UTC)
    ds.clock = lambda: later
    changed = ds.reletter(receipt["id"], with_line=target["id"])
    assert changed == sorted({receipt["id"], invoice_line["id"], target["id"]})
    assert _group(lines[receipt["id"]]) == _group(lines[target["id"]]) == sorted([receipt["id"], target["id"]])
    assert _group(lines[invoice_line["id"]]) == []
    events, _ = ds.changelog.page("ledger_entry_lines", now=later, start=later, after=None, limit=100)
    assert [e.record_id for e in events] == [receipt["id"]]
    with pytest.raises(ValueError):
        ds.reletter(receipt["id"], with_line=receipt["id"])


def _group(line: dict) -> list[int]:
    return line["lettered_ledger_entry_lines"]["ids"]


def test_update_invoices_is_all_or_nothing() -> None:
    """One invoice that cannot be re-priced (paid) refuses the whole change: nothing is modified."""
    ds = sample_dataset()
    unpaid = sorted(i for i, r in ds.records["customer_invoices"].items() if not r["draft"] and not r["paid"])[:7]
    paid = next(i for i, r in sorted(ds.records["customer_invoices"].items()) if r["paid"])
    before = json.dumps(ds.records, sort_keys=True)
    later = datetime(2026, 11, 21, 8, tzinfo=UTC)
    ds.clock = lambda: later
    for ids, amount in (([*unpaid, paid], "99.00"), ([*unpaid, 999_999], "99.00"), (unpaid, "pas un nombre")):
        with pytest.raises(ValueError):
            ds.update_invoices(ids=ids, amount=amount)
    assert json.dumps(ds.records, sort_keys=True) == before
    for resource in ("customer_invoices", "ledger_entry_lines"):
        assert ds.changelog.page(resource, now=later, start=later, after=None, limit=10) == ([], False)


def test_the_admin_api_refuses_a_partial_update_whole() -> None:
    ds = sample_dataset()
    invoices = ds.records["customer_invoices"]
    unpaid = sorted(i for i, r in invoices.items() if not r["draft"] and not r["paid"])[:7]
    paid = next(i for i, r in sorted(invoices.items()) if r["paid"])
    before = json.dumps(ds.records, sort_keys=True)
    with serve({TOKEN: ds}, rate_limit=False) as server:
        answer = httpx.post(
            f"{server.root_url}/_admin/datasets/{TOKEN}/update_invoices", json={"ids": [*unpaid, paid], "amount": "99"}
        )
    assert answer.status_code == 400 and "cannot be changed" in answer.json()["error"]
    assert json.dumps(ds.records, sort_keys=True) == before
