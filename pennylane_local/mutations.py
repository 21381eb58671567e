"""Business changes applied to a served dataset, kept consistent across resources.

Each change touches invoices *and* the ledger the way Pennylane would: a
payment is a bank entry whose line on the customer account is lettered with
the invoice's line (every line of the lettering group lists all its ids), so
tests can check that an incremental sync dates payments from the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from pennylane_local.changelog import format_timestamp
from pennylane_local.ledger import (
    CENT,
    URL_ROOT,
    bank_journal,
    customer_account,
    find_account,
    full_entries,
    invoice_customer_line,
    lines_of_entry,
    money,
    new_line,
    next_entry_id,
    sales_journal,
)

if TYPE_CHECKING:
    from pennylane_local.dataset import Dataset

Record = dict[str, Any]
VAT_RATE = Decimal("0.20")


def update_invoices(
    ds: Dataset, count: int | None, *, ids: Iterable[int] | None, label: str | None, amount: Decimal | str | None
) -> list[int]:
    """Relabel (and optionally re-price) invoices: ``ids``, or the ``count`` most recent non-draft ones.

    All or nothing: every change is computed and checked before the first is applied, so a
    refused invoice (unknown, paid…) leaves the dataset exactly as it was.
    """
    with ds.lock:
        invoices = ds.records["customer_invoices"]
        chosen = (
            list(ids)
            if ids is not None
            else sorted((i for i, r in invoices.items() if not r["draft"]), reverse=True)[: count or 0]
        )
        unknown = [i for i in chosen if i not in invoices]
        if unknown:
            raise ValueError(f"unknown invoices {unknown}")
        total = _amount(amount) if amount is not None else None
        writes: list[tuple[str, Record]] = []
        for invoice_id in chosen:
            invoice = dict(invoices[invoice_id])
            invoice["label"] = label or f"{invoice.get('label') or invoice['invoice_number']} (modifiée)"
            invoice["updated_at"] = format_timestamp(ds.clock())
            if total is not None:
                writes.extend(_reprice(ds, invoice, total))
            writes.append(("customer_invoices", invoice))
        for resource, record in writes:
            ds.put(resource, record)
        return chosen


def _amount(value: Decimal | str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"amount {value!r} is not a number") from exc


def _reprice(ds: Dataset, invoice: Record, total: Decimal) -> list[tuple[str, Record]]:
    """New total incl. tax on an unpaid EUR invoice, tax rate kept; returns its ledger entry's
    lines updated to match (the caller writes them once every invoice has been checked)."""
    if invoice["paid"] or invoice["currency"] != "EUR" or invoice["remaining_amount_with_tax"] != invoice["amount"]:
        raise ValueError(f"invoice {invoice['id']} is paid, partly paid or not in EUR: its amount cannot be changed")
    before = Decimal(invoice["currency_amount_before_tax"])
    rate = Decimal(invoice["tax"]) / before if before else Decimal(0)
    new_before = (total / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    new_tax = total - new_before
    invoice.update(amount=money(total), currency_amount=money(total), currency_amount_before_tax=money(new_before))
    invoice.update(
        tax=money(new_tax),
        currency_tax=money(new_tax),
        remaining_amount_with_tax=money(total),
        remaining_amount_without_tax=money(new_before),
    )
    if invoice["draft"]:
        return []
    customer_line = invoice_customer_line(ds, invoice)
    others = [line for line in lines_of_entry(ds, invoice["ledger_entry"]["id"]) if line["id"] != customer_line["id"]]
    vat = [line for line in others if line["ledger_account"]["number"].startswith("445")]
    revenue = [line for line in others if line["ledger_account"]["number"].startswith("7")]
    changes = [(customer_line, "debit", total)]
    if others:  # a whole entry: its revenue and VAT lines follow
        if len(vat) > 1 or len(revenue) != 1 or len(others) != len(vat) + len(revenue):
            raise ValueError(f"invoice {invoice['id']}: ledger entry too complex to re-price")
        changes += [(revenue[0], "credit", new_before), *((v, "credit", new_tax) for v in vat)]
    stamp = format_timestamp(ds.clock())
    return [("ledger_entry_lines", {**line, key: money(value), "updated_at": stamp}) for line, key, value in changes]


def mark_paid(ds: Dataset, invoice_id: int, *, paid_on: date | None, amount: Decimal | str | None) -> list[int]:
    """Record a bank receipt for the invoice (all that remains by default); return the new line ids.

    The receipt's line on the customer account is lettered with the invoice's
    line; its bank-account counterpart is added only when the dataset carries
    whole entries (the demo generator exports customer-account lines only).
    """
    with ds.lock:
        invoice = dict(ds.records["customer_invoices"][invoice_id])
        if invoice["draft"]:
            raise ValueError(f"invoice {invoice_id} is a draft and cannot be paid")
        remaining = Decimal(invoice["remaining_amount_with_tax"] or invoice["amount"])
        paid = Decimal(str(amount)) if amount is not None else remaining
        if paid <= 0 or paid > remaining:
            raise ValueError(f"invoice {invoice_id}: payment {paid} outside 0 < amount <= {remaining}")
        on = paid_on or ds.clock().date()
        left = remaining - paid
        ratio = left / Decimal(invoice["amount"]) if Decimal(invoice["amount"]) else Decimal(0)
        invoice.update(
            paid=left == 0,
            status="paid" if left == 0 else "partially_paid",
            remaining_amount_with_tax=money(left),
            remaining_amount_without_tax=money(Decimal(invoice["currency_amount_before_tax"]) * ratio),
            updated_at=format_timestamp(ds.clock()),
        )
        customer_line = invoice_customer_line(ds, invoice)
        entry_id, first_id, full = next_entry_id(ds), ds.next_id("ledger_entry_lines"), full_entries(ds)
        bank = bank_journal(ds, customer_line)
        label = f"Règlement {invoice['invoice_number']}"
        receipt = new_line(
            ds,
            first_id,
            entry_id,
            account=customer_line["ledger_account"],
            journal=bank,
            on=on,
            label=label,
            debit=Decimal(0),
            credit=paid,
        )
        group = sorted({*customer_line["lettered_ledger_entry_lines"]["ids"], customer_line["id"], receipt["id"]})
        receipt["lettered_ledger_entry_lines"]["ids"] = group
        ds.put("ledger_entry_lines", receipt)
        new_ids = [receipt["id"]]
        if full:
            cash = new_line(
                ds,
                first_id + 1,
                entry_id,
                account=find_account(ds, "512", 512_000_001),
                journal=bank,
                on=on,
                label=label,
                debit=paid,
                credit=Decimal(0),
            )
            ds.put("ledger_entry_lines", cash)
            new_ids.append(cash["id"])
        for line_id in group:
            if line_id == receipt["id"]:
                continue
            line = ds.records["ledger_entry_lines"][line_id]
            lettering = {**line["lettered_ledger_entry_lines"], "ids": group}
            ds.put(
                "ledger_entry_lines",
                {**line, "lettered_ledger_entry_lines": lettering, "updated_at": format_timestamp(ds.clock())},
            )
        ds.put("customer_invoices", invoice)
        return new_ids


def delete_draft_invoices(ds: Dataset, customer_id: int) -> list[int]:
    with ds.lock:
        drafts = sorted(
            i
            for i, r in ds.records["customer_invoices"].items()
            if r["draft"] and (r.get("customer") or {}).get("id") == customer_id
        )
        for invoice_id in drafts:
            ds.delete("customer_invoices", invoice_id)
        return drafts


def add_invoice(
    ds: Dataset,
    customer_id: int,
    *,
    amount: Decimal | str,
    issued_on: date,
    deadline: date,
    label: str | None,
    draft: bool,
) -> Record:
    """A new invoice (and, unless a draft, its sales entry: customer debit, revenue and VAT credits)."""
    with ds.lock:
        if customer_id not in ds.records["customers"]:
            raise ValueError(f"unknown customer {customer_id}")
        total = Decimal(str(amount))
        before = (total / (1 + VAT_RATE)).quantize(CENT, rounding=ROUND_HALF_UP)
        invoice_id, entry_id = ds.next_id("customer_invoices"), next_entry_id(ds)
        stamp = format_timestamp(ds.clock())
        number = "" if draft else f"F-{issued_on.year}-{invoice_id:06d}"
        status = "draft" if draft else ("late" if deadline < ds.clock().date() else "upcoming")
        invoice = _invoice_record(
            invoice_id,
            entry_id,
            customer_id,
            number,
            label or f"Facture {number or 'brouillon'}",
            total,
            before,
            issued_on,
            deadline,
            status,
            draft,
            stamp,
        )
        if not draft:
            first = ds.next_id("ledger_entry_lines")
            sales = sales_journal(ds)
            lines = [(customer_account(ds, customer_id), total, Decimal(0))]
            if full_entries(ds):
                lines += [
                    (find_account(ds, "706", 706_000_001), Decimal(0), before),
                    (find_account(ds, "44571", 445_710_001), Decimal(0), total - before),
                ]
            for offset, (line_account, debit, credit) in enumerate(lines):
                line = new_line(
                    ds,
                    first + offset,
                    entry_id,
                    account=line_account,
                    journal=sales,
                    on=issued_on,
                    label=invoice["label"],
                    debit=debit,
                    credit=credit,
                )
                ds.put("ledger_entry_lines", line)
        ds.put("customer_invoices", invoice)
        return invoice


def _invoice_record(
    invoice_id: int,
    entry_id: int,
    customer_id: int,
    number: str,
    label: str,
    total: Decimal,
    before: Decimal,
    issued_on: date,
    deadline: date,
    status: str,
    draft: bool,
    stamp: str,
) -> Record:
    def link(part: str) -> dict[str, str]:
        return {"url": f"{URL_ROOT}/customer_invoices/{invoice_id}/{part}"}

    return {
        "id": invoice_id,
        "label": label,
        "invoice_number": number,
        "currency": "EUR",
        "amount": money(total),
        "currency_amount": money(total),
        "currency_amount_before_tax": money(before),
        "exchange_rate": "1.0",
        "date": issued_on.isoformat(),
        "deadline": deadline.isoformat(),
        "currency_tax": money(total - before),
        "tax": money(total - before),
        "language": "fr_FR",
        "paid": False,
        "status": status,
        "discount": {"type": "relative", "value": "0"},
        "ledger_entry": {"id": entry_id},
        "public_file_url": None,
        "filename": None if draft else f"{number}.pdf",
        "remaining_amount_with_tax": money(total),
        "remaining_amount_without_tax": money(before),
        "draft": draft,
        "special_mention": None,
        "customer": {"id": customer_id, "url": f"{URL_ROOT}/customers/{customer_id}"},
        "invoice_line_sections": link("invoice_line_sections"),
        "invoice_lines": link("invoice_lines"),
        "custom_header_fields": link("custom_header_fields"),
        "categories": link("categories"),
        "pdf_invoice_free_text": "",
        "pdf_invoice_subject": "",
        "pdf_description": None,
        "billing_subscription": None,
        "credited_invoice": None,
        "customer_invoice_template": None,
        "transaction_reference": None,
        "payments": link("payments"),
        "matched_transactions": link("matched_transactions"),
        "appendices": link("appendices"),
        "quote": None,
        "external_reference": f"encours-local-{invoice_id}",
        "e_invoicing": None,
        "archived_at": None,
        "created_at": stamp,
        "updated_at": stamp,
    }
