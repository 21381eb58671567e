"""Small, hand-made Pennylane records for store tests (the demo generator covers realism)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def customer(
    cid: int, *, name: str = "Boulangerie Lefèvre", ledger_account: int | None = None, **extra: Any
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": cid,
        "name": name,
        "customer_type": "company",
        "emails": [f"compta{cid}@client.example"],
        "billing_language": "fr_FR",
        "payment_conditions": "30_days",
        "ledger_account": {"id": ledger_account or 9000 + cid},
        "reference": f"C{cid}",
        "external_reference": f"ext-{cid}",
        "reg_no": "123456789",
        "billing_address": {
            "address": "1 rue de la Paix",
            "postal_code": "75002",
            "city": "Paris",
            "country_alpha2": "FR",
        },
        "created_at": "2025-01-02T10:00:00.000000+01:00",
        "updated_at": "2025-01-02T10:00:00.000000+01:00",
    }
    rec.update(extra)
    return rec


def invoice(
    iid: int,
    cid: int,
    amount: str,
    *,
    date: str = "2026-09-01",
    deadline: str = "2026-10-01",
    remaining: str | None = None,
    status: str = "upcoming",
    ledger_entry: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": iid,
        "invoice_number": f"F-2026-{iid:06d}",
        "label": f"Facture {iid}",
        "customer": {"id": cid, "url": f"https://app.pennylane.com/api/external/v2/customers/{cid}"},
        "date": date,
        "deadline": deadline,
        "currency": "EUR",
        "amount": amount,
        "currency_amount": amount,
        "currency_amount_before_tax": amount,
        "tax": "0.00",
        "exchange_rate": "1.0",
        "remaining_amount_with_tax": amount if remaining is None else remaining,
        "paid": remaining == "0.00",
        "status": status,
        "draft": False,
        "credited_invoice": None,
        "ledger_entry": {"id": ledger_entry or 50000 + iid},
        "e_invoicing": None,
        "language": "fr_FR",
        "archived_at": None,
        "created_at": "2026-09-01T10:00:00.000000+02:00",
        "updated_at": "2026-09-01T10:00:00.000000+02:00",
    }
    rec.update(extra)
    return rec


def line(
    lid: int,
    *,
    account: int,
    entry: int,
    date: str,
    debit: str = "0.00",
    credit: str = "0.00",
    lettered: list[int] | None = None,
) -> dict[str, Any]:
    return {
        "id": lid,
        "date": date,
        "debit": debit,
        "credit": credit,
        "label": f"ligne {lid}",
        "ledger_account": {"id": account, "number": f"411{account}", "url": "https://example.invalid"},
        "journal": {"id": 1, "url": "https://example.invalid"},
        "ledger_entry": {"id": entry},
        "lettered_ledger_entry_lines": {"ids": lettered or [], "url": "https://example.invalid"},
        "created_at": "2026-09-01T10:00:00.000000+02:00",
        "updated_at": "2026-09-01T10:00:00.000000+02:00",
    }


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(
                (rec if isinstance(rec, str) else json.dumps(rec, ensure_ascii=False, separators=(",", ":"))) + "\n"
            )
    return path


def write_entity(root: Path, entity_id: str, *, customers: list[Any], invoices: list[Any], lines: list[Any]) -> Path:
    d = root / entity_id
    d.mkdir(parents=True, exist_ok=True)
    (d / "me.json").write_text(
        json.dumps({"user": None, "company": {"id": 1, "name": entity_id, "reg_no": "1"}, "scopes": []})
    )
    write_jsonl(d / "customers.jsonl", customers)
    write_jsonl(d / "customer_invoices.jsonl", invoices)
    write_jsonl(d / "ledger_entry_lines.jsonl", lines)
    return d
