"""Seeded stores in tmp_path: a small hand-made group with a known hierarchy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.store import operations
from core.store.paths import StorePaths
from tests.support import records as r

NOW = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)

ORGANISATION = {
    "agencies": [
        {"agency_id": "paris", "name": "Agence Paris", "entity_id": "alpha"},
        {"agency_id": "lyon", "name": "Agence Lyon", "entity_id": "alpha"},
    ],
    "users": [
        {"email": "admin@verdier.example", "full_name": "Ada Admin", "role": "admin", "agency_id": None},
        {
            "email": "dir.paris@verdier.example",
            "full_name": "Paul Directeur",
            "role": "agency_manager",
            "agency_id": "paris",
        },
        {"email": "rep.a@verdier.example", "full_name": "Rita Rep", "role": "sales_rep", "agency_id": "paris"},
        {"email": "rep.b@verdier.example", "full_name": "Bob Rep", "role": "sales_rep", "agency_id": "lyon"},
    ],
    "customer_accounts": [
        {"entity_id": "alpha", "customer_id": 1, "agency_id": "paris"},
        {"entity_id": "alpha", "customer_id": 2, "agency_id": "paris"},
        {"entity_id": "alpha", "customer_id": 3, "agency_id": "lyon"},
    ],
    "customer_managers": [
        {"entity_id": "alpha", "customer_id": 1, "email": "rep.a@verdier.example", "is_primary": 1},
        {"entity_id": "alpha", "customer_id": 2, "email": "rep.b@verdier.example", "is_primary": 1},
        {"entity_id": "alpha", "customer_id": 2, "email": "rep.a@verdier.example", "is_primary": 0},
        {"entity_id": "alpha", "customer_id": 3, "email": "rep.b@verdier.example", "is_primary": 1},
    ],
}


def small_entity(root: Path) -> Path:
    """Three customers; a partly paid overdue invoice, a paid one, one not yet due, a credited one."""
    return r.write_entity(
        root,
        "alpha",
        customers=[r.customer(1), r.customer(2, name="Transports Morel"), r.customer(3, name="Garage Petit")],
        invoices=[
            r.invoice(10, 1, "120.00", remaining="20.00", status="partially_paid"),
            r.invoice(12, 2, "50.00", remaining="0.00", status="paid"),
            r.invoice(13, 3, "30.00", deadline="2026-12-30"),
            r.invoice(14, 3, "40.00", remaining="0.00", status="cancelled"),
            r.invoice(15, 3, "-40.00", remaining="0.00", status="credit_note", credited_invoice={"id": 14, "url": "x"}),
        ],
        lines=[
            r.line(100, account=9001, entry=50010, date="2026-09-01", debit="120.00", lettered=[100, 101]),
            r.line(101, account=9001, entry=7001, date="2026-10-15", credit="100.00", lettered=[100, 101]),
            r.line(102, account=9002, entry=50012, date="2026-09-01", debit="50.00", lettered=[102, 103]),
            r.line(103, account=9002, entry=7002, date="2026-09-20", credit="50.00", lettered=[102, 103]),
            r.line(104, account=9003, entry=50014, date="2026-09-01", debit="40.00", lettered=[104, 105]),
            r.line(105, account=9003, entry=50015, date="2026-09-05", credit="40.00", lettered=[104, 105]),
        ],
    )


def seeded_store(tmp_path: Path) -> StorePaths:
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    entity_dir = small_entity(tmp_path / "source")
    publish_batches(paths, [batch_from_directory(entity_dir, "alpha", "Alpha SAS")], now=NOW, source="files")
    return paths
