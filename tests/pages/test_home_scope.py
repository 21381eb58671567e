"""Item 8 of issue 7: the home page shows each role only what its scope allows — the entities
where it has customers (never the name of another), and the records the sync left out only to
people who see every customer (rejects belong to no customer)."""

import json

import pytest

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.store import operations
from core.store.paths import StorePaths
from tests.support import records as r
from tests.support.apptest import app_on
from tests.support.stores import NOW, ORGANISATION, small_entity

GROUP = {
    **ORGANISATION,
    "users": [
        *ORGANISATION["users"],
        {"email": "compta@verdier.example", "full_name": "Claire Compta", "role": "accounting", "agency_id": None},
        {"email": "treso@verdier.example", "full_name": "Théo Tréso", "role": "treasury", "agency_id": None},
        {"email": "rep.c@verdier.example", "full_name": "Chloé Rep", "role": "sales_rep", "agency_id": "lyon"},
    ],
    "customer_accounts": [
        *ORGANISATION["customer_accounts"],
        {"entity_id": "beta", "customer_id": 1, "agency_id": "lyon"},
    ],
    "customer_managers": [
        *ORGANISATION["customer_managers"],
        {"entity_id": "beta", "customer_id": 1, "email": "rep.b@verdier.example", "is_primary": 1},
    ],
}


@pytest.fixture
def two_entities(tmp_path):
    """Alpha SAS (customers 1-3, one rejected invoice) and Beta SARL (customer 1, Lyon, rep.b)."""
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, GROUP)
    alpha = small_entity(tmp_path / "alpha")
    invoices = [json.loads(x) for x in (alpha / "customer_invoices.jsonl").read_text().splitlines()]
    r.write_jsonl(alpha / "customer_invoices.jsonl", [*invoices, r.invoice(99, 1, "abc")])
    beta = r.write_entity(
        tmp_path / "beta",
        "beta",
        customers=[r.customer(1, name="Scierie Beta")],
        invoices=[r.invoice(20, 1, "70.00")],
        lines=[],
    )
    batches = [batch_from_directory(alpha, "alpha", "Alpha SAS"), batch_from_directory(beta, "beta", "Beta SARL")]
    publish_batches(paths, batches, now=NOW, source="files", max_rejected_share=0.5)  # Alpha: 1 of 4 rejected
    return paths


def _home_as(monkeypatch, paths, email):
    at = app_on(monkeypatch, paths, as_user=email).run()
    assert not at.exception
    return at


def _page_text(at):
    parts = [m.value for m in at.markdown] + [str(x.value) for x in (*at.caption, *at.info, *at.warning, *at.error)]
    parts += [df.value.to_string() for df in at.dataframe]
    return " ".join(parts)


@pytest.mark.parametrize("email", ["admin@verdier.example", "compta@verdier.example", "treso@verdier.example"])
def test_people_who_see_every_customer_see_every_entity_and_the_rejected_records(monkeypatch, two_entities, email):
    at = _home_as(monkeypatch, two_entities, email)
    text = _page_text(at)
    assert "Alpha SAS" in text and "Beta SARL" in text
    assert "1 enregistrement(s) Pennylane écarté(s)" in text
    assert "« abc »" in text


@pytest.mark.parametrize(
    ("email", "seen", "unseen"),
    [
        ("dir.paris@verdier.example", "Alpha SAS", "Beta SARL"),  # agency manager: Paris customers, all in Alpha
        ("rep.a@verdier.example", "Alpha SAS", "Beta SARL"),  # sales rep: customers 1 and 2 of Alpha
    ],
)
def test_a_scoped_user_never_sees_an_entity_without_their_customers(monkeypatch, two_entities, email, seen, unseen):
    at = _home_as(monkeypatch, two_entities, email)
    text = _page_text(at)
    assert seen in text
    assert unseen not in text  # neither its card nor its name
    assert len([m for m in at.metric if m.label == "Clients"]) == 1


@pytest.mark.parametrize("email", ["dir.paris@verdier.example", "rep.a@verdier.example", "rep.b@verdier.example"])
def test_rejected_records_are_not_shown_to_scoped_users(monkeypatch, two_entities, email):
    at = _home_as(monkeypatch, two_entities, email)
    text = _page_text(at)
    assert "écarté" not in text and "abc" not in text
    assert not at.dataframe


def test_a_sales_rep_with_customers_in_two_entities_sees_both(monkeypatch, two_entities):
    at = _home_as(monkeypatch, two_entities, "rep.b@verdier.example")
    text = _page_text(at)
    assert "Alpha SAS" in text and "Beta SARL" in text
    assert [m.value for m in at.metric if m.label == "Clients"] == ["2", "1"]


def test_a_sales_rep_without_customers_sees_no_entity(monkeypatch, two_entities):
    at = _home_as(monkeypatch, two_entities, "rep.c@verdier.example")
    text = _page_text(at)
    assert "Alpha SAS" not in text and "Beta SARL" not in text
    assert not at.metric
    assert any("Aucune entité à afficher" in i.value for i in at.info)
