"""Every record has exactly the shape Pennylane's own OpenAPI document gives it."""

from __future__ import annotations

import re
from datetime import datetime

import jsonschema
import pytest

from tests.demo.conftest import Demo
from tests.support.openapi import item_schema, validate_item, validate_response

RESOURCES = {"customers": "/customers", "invoices": "/customer_invoices", "lines": "/ledger_entry_lines"}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+0[12]:00$")
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_every_record_validates_against_the_spec(small_demo: Demo, resource: str) -> None:
    records = small_demo.all(resource)
    for record in records[:3]:
        validate_item(record, RESOURCES[resource])  # the shared helper, as other suites use it
    schema = item_schema(RESOURCES[resource])
    validator = jsonschema.validators.validator_for(schema)(schema)  # same check, compiled once
    failures = [(r["id"], e.message) for r in records for e in validator.iter_errors(r)]
    assert failures == []


def test_me_matches_get_me(small_demo: Demo) -> None:
    organisation = {e["entity_id"]: e for e in small_demo.organisation["entities"]}
    for entity_id, entity in small_demo.entities.items():
        validate_response(entity.me, "/me")
        expected = organisation[entity_id]
        assert entity.me["company"] == {
            "id": expected["pennylane_company_id"],
            "name": expected["name"],
            "reg_no": expected["reg_no"],
        }
        assert entity.me["scopes"] == [
            "customers:readonly",
            "customer_invoices:readonly",
            "ledger_entries:readonly",
            "transactions:readonly",
        ]
        assert entity.me["user"]["email"] == "claire.martin@verdier.example"


def test_formats_of_dates_amounts_and_timestamps(small_demo: Demo) -> None:
    for record in small_demo.all("customers") + small_demo.all("invoices") + small_demo.all("lines"):
        assert TIMESTAMP.match(record["created_at"]), record["created_at"]
        assert TIMESTAMP.match(record["updated_at"]), record["updated_at"]
        assert datetime.fromisoformat(record["created_at"]) <= datetime.fromisoformat(record["updated_at"])
    for inv in small_demo.all("invoices"):
        for key in ("amount", "currency_amount", "currency_amount_before_tax", "currency_tax", "tax"):
            assert AMOUNT.match(inv[key]), (key, inv[key])
        for key in ("remaining_amount_with_tax", "remaining_amount_without_tax"):
            assert AMOUNT.match(inv[key]), (key, inv[key])
        assert DATE.match(inv["date"]) and DATE.match(inv["deadline"])
        assert re.match(r"^\d+\.(0|\d{6})$", inv["exchange_rate"])
    for line in small_demo.all("lines"):
        assert AMOUNT.match(line["debit"]) and AMOUNT.match(line["credit"])
        assert DATE.match(line["date"])
        assert line["ledger_account"]["number"].startswith("411")


def test_paris_offsets_follow_daylight_saving(small_demo: Demo) -> None:
    stamps = [r["created_at"] for r in small_demo.all("invoices")]
    assert any(s.startswith("2026-07") and s.endswith("+02:00") for s in stamps)
    assert any(s.startswith("2026-01") and s.endswith("+01:00") for s in stamps)
    assert not any(s[5:7] in ("01", "02", "12") and s.endswith("+02:00") for s in stamps)
    assert not any(s[5:7] in ("05", "06", "07", "08") and s.endswith("+01:00") for s in stamps)


def test_invoice_amounts_add_up(demo: Demo) -> None:
    for inv in demo.all("invoices"):
        before, tax, total = (
            round(float(inv[k]) * 100) for k in ("currency_amount_before_tax", "currency_tax", "currency_amount")
        )
        assert before + tax == total, inv["id"]
        if inv["currency"] == "EUR":
            assert inv["exchange_rate"] == "1.0"
            assert inv["amount"] == inv["currency_amount"] and inv["tax"] == inv["currency_tax"]
        else:
            rate = float(inv["exchange_rate"])
            assert abs(round(float(inv["amount"]) * 100) - total * rate) <= 0.5 + 1e-6, inv["id"]
        if inv["status"] != "credit_note" and before:
            assert round(tax / before * 1000) in (200, 100, 55, 0), inv["id"]


def test_invoice_numbers_and_labels(demo: Demo) -> None:
    names = {c["id"]: c["name"] for c in demo.all("customers")}
    for entity in demo.entities.values():
        numbers = [inv["invoice_number"] for inv in entity.invoices]
        assert len(numbers) == len(set(numbers))
        for inv in entity.invoices:
            series = {"credit_note": "AV", "draft": "BR"}.get(inv["status"], "F")
            assert re.match(rf"^{series}-{inv['date'][:4]}-\d{{6}}$", inv["invoice_number"]), inv["invoice_number"]
            word = "Avoir" if series == "AV" else "Facture"
            assert inv["label"] == f"{word} {inv['invoice_number']} - {names[inv['customer']['id']]}"
            assert inv["customer"]["url"].endswith(f"/customers/{inv['customer']['id']}")
            assert inv["invoice_lines"]["url"] == (
                f"https://app.pennylane.com/api/external/v2/customer_invoices/{inv['id']}/invoice_lines"
            )
        finals = sorted((inv["id"], inv["invoice_number"]) for inv in entity.invoices if inv["status"] != "draft")
        for series in ("F", "AV"):
            in_series = [n for _, n in finals if n.startswith(f"{series}-")]
            by_year: dict[str, list[int]] = {}
            for number in in_series:
                by_year.setdefault(number.split("-")[1], []).append(int(number.split("-")[2]))
            for seq in by_year.values():  # gapless and in id order within each year
                assert seq == list(range(seq[0], seq[0] + len(seq)))
