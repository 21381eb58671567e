"""Where things are in a dataset's ledger (accounts, journals, entries), and new ledger lines.

Lookups reuse what the data already has (the customer's auxiliary account,
the journal bank receipts go to) so that added lines look like their
neighbours, whether the dataset carries whole entries or, like the demo
generator, only the lines on customer accounts.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from pennylane_local.changelog import format_timestamp

if TYPE_CHECKING:
    from pennylane_local.dataset import Dataset

Record = dict[str, Any]
URL_ROOT = "https://app.pennylane.com/api/external/v2"
CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def lines_of_entry(ds: Dataset, entry_id: int) -> list[Record]:
    return [line for line in ds.records["ledger_entry_lines"].values() if line["ledger_entry"]["id"] == entry_id]


def find_account(ds: Dataset, prefix: str, default_id: int) -> dict[str, Any]:
    """An existing ledger account whose number starts with ``prefix``, or a new one."""
    for line in ds.records["ledger_entry_lines"].values():
        if line["ledger_account"]["number"].startswith(prefix):
            return dict(line["ledger_account"])
    return {"id": default_id, "number": prefix.ljust(6, "0"), "url": f"{URL_ROOT}/ledger_accounts/{default_id}"}


def customer_account(ds: Dataset, customer_id: int) -> dict[str, Any]:
    customer = ds.records["customers"][customer_id]
    account_id = (customer.get("ledger_account") or {}).get("id") or 411_000_000 + customer_id
    for line in ds.records["ledger_entry_lines"].values():
        if line["ledger_account"]["id"] == account_id:
            return dict(line["ledger_account"])
    return {"id": account_id, "number": f"411{customer_id:05d}", "url": f"{URL_ROOT}/ledger_accounts/{account_id}"}


def sales_journal(ds: Dataset) -> dict[str, Any]:
    """The journal invoices go to: that of an existing debit on a customer account."""
    for line in ds.records["ledger_entry_lines"].values():
        if line["ledger_account"]["number"].startswith("411") and Decimal(line["debit"]) > 0:
            return dict(line["journal"])
    return {"id": 900_002, "url": f"{URL_ROOT}/journals/900002"}


def bank_journal(ds: Dataset, invoice_line: Record) -> dict[str, Any]:
    """The journal receipts go to: that of a bank-account line, else of a customer-account credit in another journal."""
    lines = ds.records["ledger_entry_lines"].values()
    for line in lines:
        if line["ledger_account"]["number"].startswith("512"):
            return dict(line["journal"])
    receipts = [x for x in lines if Decimal(x["credit"]) > 0 and x["journal"]["id"] != invoice_line["journal"]["id"]]
    same_customer = [x for x in receipts if x["ledger_account"]["id"] == invoice_line["ledger_account"]["id"]]
    for line in same_customer or receipts:
        return dict(line["journal"])
    return {"id": 900_001, "url": f"{URL_ROOT}/journals/900001"}


def new_line(
    ds: Dataset,
    line_id: int,
    entry_id: int,
    *,
    account: dict[str, Any],
    journal: dict[str, Any],
    on: date,
    label: str,
    debit: Decimal,
    credit: Decimal,
) -> Record:
    stamp = format_timestamp(ds.clock())
    return {
        "id": line_id,
        "debit": money(debit),
        "credit": money(credit),
        "label": label,
        "categories": [],
        "ledger_account": account,
        "journal": journal,
        "date": on.isoformat(),
        "ledger_entry": {"id": entry_id},
        "lettered_ledger_entry_lines": {
            "ids": [],
            "url": f"{URL_ROOT}/ledger_entry_lines/{line_id}/lettered_ledger_entry_lines",
        },
        "created_at": stamp,
        "updated_at": stamp,
    }


def full_entries(ds: Dataset) -> bool:
    """Whether the dataset carries whole entries, or (like the demo generator) only customer-account lines."""
    lines = ds.records["ledger_entry_lines"].values()
    return not lines or any(not line["ledger_account"]["number"].startswith("411") for line in lines)


def next_entry_id(ds: Dataset) -> int:
    return max((line["ledger_entry"]["id"] for line in ds.records["ledger_entry_lines"].values()), default=0) + 1


def invoice_customer_line(ds: Dataset, invoice: Record) -> Record:
    account_id = customer_account(ds, invoice["customer"]["id"])["id"]
    for line in lines_of_entry(ds, invoice["ledger_entry"]["id"]):
        if line["ledger_account"]["id"] == account_id:
            return line
    raise ValueError(f"invoice {invoice['id']} has no ledger line on its customer's account")
