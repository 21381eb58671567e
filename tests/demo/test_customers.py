"""Customers are varied the way real ones are, and organisation.json only points at real things."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

from tests.demo.conftest import ENTITY_IDS, Demo

VALID_EMAIL = re.compile(r"^[a-z0-9.\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.example$")
AGENCIES = {
    "verdier-conseil": {"paris", "lyon"},
    "verdier-services": {"lille", "nantes"},
    "verdier-formation": {"bordeaux", "marseille"},
}


def test_company_and_individual_customers(demo: Demo) -> None:
    customers = demo.all("customers")
    kinds = Counter(c["customer_type"] for c in customers)
    assert 0.12 <= kinds["individual"] / len(customers) <= 0.3
    for c in customers:
        if c["customer_type"] == "individual":
            assert c["name"] == f"{c['first_name']} {c['last_name']}"
            assert "reg_no" not in c and "vat_number" not in c
        else:
            assert c["reg_no"] and c["vat_number"][:2] in ("FR", "GB", "DE")
        assert c["ledger_account"]["id"] > 0
    assert len({c["ledger_account"]["id"] for c in customers}) == len(customers)


def test_languages_and_foreign_addresses(demo: Demo) -> None:
    customers = demo.all("customers")
    languages = Counter(c["billing_language"] for c in customers)
    assert set(languages) == {"fr_FR", "en_GB", "de_DE"}
    assert 0.8 <= languages["fr_FR"] / len(customers) <= 0.94
    country = {"fr_FR": "FR", "en_GB": "GB", "de_DE": "DE"}
    for c in customers:
        assert c["billing_address"]["country_alpha2"] == country[c["billing_language"]]
    invoice_languages = {inv["customer"]["id"]: inv["language"] for e in demo.entities.values() for inv in e.invoices}
    by_id = {c["id"]: c for c in customers}
    assert all(by_id[cid]["billing_language"] == lang for cid, lang in invoice_languages.items())


def test_emails_missing_broken_and_never_real(demo: Demo) -> None:
    customers = demo.all("customers")
    none = [c for c in customers if not c["emails"]]
    broken = [c for c in customers if any(not VALID_EMAIL.match(e) for e in c["emails"])]
    assert 0.02 <= len(none) / len(customers) <= 0.09
    assert 0.01 <= len(broken) / len(customers) <= 0.06
    assert Counter(len(c["emails"]) for c in customers)[2] > 0
    for c in customers:
        for email in c["emails"]:
            for domain in re.findall(r"@+([^@\s;]*)", email):
                assert domain.rstrip(".").endswith(".example") or "." not in domain, email
    users = demo.organisation["users"]
    assert all(u["email"].endswith("@verdier.example") for u in users)


def test_payment_conditions(demo: Demo) -> None:
    terms = Counter(c["payment_conditions"] for c in demo.all("customers"))
    mainstream = {"30_days", "45_days", "60_days", "30_days_end_of_month", "45_days_end_of_month"}
    assert set(terms) <= mainstream | {"upon_receipt", "15_days"}
    assert sum(terms[t] for t in mainstream) > 0.7 * sum(terms.values())
    assert terms["upon_receipt"] > 0 and terms["15_days"] > 0


def test_organisation_hierarchy(demo: Demo) -> None:
    org = demo.organisation
    assert org["group"] == "Groupe Verdier"
    assert [e["entity_id"] for e in org["entities"]] == list(ENTITY_IDS)
    assert [e["name"] for e in org["entities"]] == [
        "Verdier Conseil SAS",
        "Verdier Services SARL",
        "Verdier Formation SAS",
    ]
    agencies = {a["agency_id"]: a for a in org["agencies"]}
    assert {a: agencies[a]["entity_id"] for a in agencies} == {a: e for e, group in AGENCIES.items() for a in group}
    assert all(a["name"] == f"Agence {a['agency_id'].capitalize()}" for a in agencies.values())
    users = {u["email"]: u for u in org["users"]}
    assert len(users) == len(org["users"])
    roles = Counter(u["role"] for u in org["users"])
    assert 1 <= roles["admin"] <= 2 and roles["accounting"] == 2 and roles["treasury"] == 1
    assert 18 <= roles["sales_rep"] <= 22
    managers = Counter(u["agency_id"] for u in org["users"] if u["role"] == "agency_manager")
    assert managers == Counter(set(agencies))
    for u in org["users"]:
        assert (u["agency_id"] is not None) == (u["role"] in ("agency_manager", "sales_rep"))
        assert u["agency_id"] is None or u["agency_id"] in agencies
    assert users["claire.martin@verdier.example"]["role"] == "admin"


def test_every_customer_has_one_account_and_a_primary_rep_of_its_agency(demo: Demo) -> None:
    org = demo.organisation
    users = {u["email"]: u for u in org["users"]}
    entity_of = {c["id"]: entity_id for entity_id, e in demo.entities.items() for c in e.customers}
    accounts = org["customer_accounts"]
    assert sorted(a["customer_id"] for a in accounts) == sorted(entity_of)
    agency_of = {}
    for a in accounts:
        assert a["entity_id"] == entity_of[a["customer_id"]]
        assert a["agency_id"] in AGENCIES[a["entity_id"]]
        agency_of[a["customer_id"]] = a["agency_id"]
    per_customer: dict[int, list[dict]] = {}
    for m in org["customer_managers"]:
        assert m["entity_id"] == entity_of[m["customer_id"]]
        user = users[m["email"]]
        assert user["role"] == "sales_rep" and user["agency_id"] == agency_of[m["customer_id"]]
        per_customer.setdefault(m["customer_id"], []).append(m)
    assert set(per_customer) == set(entity_of)
    secondaries = 0
    for rows in per_customer.values():
        assert [r["is_primary"] for r in rows].count(True) == 1
        assert len({r["email"] for r in rows}) == len(rows) <= 2
        secondaries += len(rows) - 1
    assert 0.08 <= secondaries / len(per_customer) <= 0.22
    reps_used = {m["email"] for m in org["customer_managers"]}
    assert len(reps_used) >= 15


def test_invoices_reference_customers_of_their_entity_created_before(demo: Demo) -> None:
    for entity in demo.entities.values():
        created = {c["id"]: datetime.fromisoformat(c["created_at"]) for c in entity.customers}
        for inv in entity.invoices:
            assert datetime.fromisoformat(inv["created_at"]) > created[inv["customer"]["id"]]
