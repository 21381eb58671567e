"""A known book of invoices for the lists' tests: two entities, three agencies, four account
managers, every status, internal statuses and agreement dates, accents and LIKE wildcards in
names and labels — enough for every filter of the invoice list to select something and not
everything. Today is pinned (TODAY)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.scope import everything
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session
from tests.support import records as r

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 11, 0, tzinfo=UTC)

ORGANISATION = {
    "agencies": [
        {"agency_id": "paris", "name": "Agence Paris", "entity_id": "alpha"},
        {"agency_id": "lyon", "name": "Agence Lyon", "entity_id": "alpha"},
        {"agency_id": "marseille", "name": "Agence Marseille", "entity_id": "beta"},
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
        {"email": "rep.c@verdier.example", "full_name": "Chloé Rep", "role": "sales_rep", "agency_id": "marseille"},
    ],
    "customer_accounts": [
        {"entity_id": "alpha", "customer_id": 1, "agency_id": "paris"},
        {"entity_id": "alpha", "customer_id": 2, "agency_id": "paris"},
        {"entity_id": "alpha", "customer_id": 3, "agency_id": "lyon"},
        {"entity_id": "beta", "customer_id": 1, "agency_id": "marseille"},
        {"entity_id": "beta", "customer_id": 2, "agency_id": "marseille"},
    ],
    "customer_managers": [
        {"entity_id": "alpha", "customer_id": 1, "email": "rep.a@verdier.example", "is_primary": 1},
        {"entity_id": "alpha", "customer_id": 2, "email": "rep.b@verdier.example", "is_primary": 1},
        {"entity_id": "alpha", "customer_id": 2, "email": "rep.a@verdier.example", "is_primary": 0},
        {"entity_id": "alpha", "customer_id": 3, "email": "rep.b@verdier.example", "is_primary": 1},
        {"entity_id": "beta", "customer_id": 1, "email": "rep.c@verdier.example", "is_primary": 1},
        {"entity_id": "beta", "customer_id": 2, "email": "rep.c@verdier.example", "is_primary": 1},
        {"entity_id": "beta", "customer_id": 2, "email": "rep.b@verdier.example", "is_primary": 0},
    ],
}
"""alpha/4 has no agency and no account manager; beta/1 shares its customer id with alpha/1."""

CUSTOMERS = {
    "alpha": {1: "Boulangerie Lefèvre", 2: "Transports Morel", 3: "Garage Petit", 4: "Société 100% Bio_Net"},
    "beta": {1: "Élodie Durand", 2: "Café O'Brien"},
}
ENTITY_NAMES = {"alpha": "Alpha SAS", "beta": "Beta SARL"}
LABELS = ("Maintenance annuelle", "Dépannage urgent", "Remise 50% -- fin d'année", "Contrat n_1; révision", "Étude")
KINDS = ("overdue", "not_due", "partial", "paid_dated", "paid_undated", "cancelled", "draft", "archived")


def _invoices(entity: str, base: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Invoices cycling through the customers, kinds, amounts and dates; ledger lines dating payments."""
    invoices, lines = [], []
    customers = sorted(CUSTOMERS[entity])
    count = 40 if entity == "alpha" else 24
    for n in range(count):
        iid = base + n
        cid = customers[n % len(customers)]
        kind = KINDS[(n * 3 + n // len(KINDS)) % len(KINDS)]
        amount = Decimal(150 + (n * 997) % 9000) + Decimal(n % 100) / 100
        issued = date(2026, 7, 1) + timedelta(days=(n * 5) % 140)
        due = issued + timedelta(days=30 if n % 3 else 60)
        remaining: str | None = str(amount)
        extra: dict[str, Any] = {"label": f"{LABELS[n % len(LABELS)]} {iid}"}
        status = "late" if due < TODAY else "upcoming"
        if kind == "partial":
            remaining = str((amount / 3).quantize(Decimal("0.01")))
            status = "partially_paid"
        elif kind in ("paid_dated", "paid_undated"):
            remaining, status = "0.00", "paid"
        elif kind == "cancelled":
            remaining, status = "0.00", "cancelled"
        elif kind == "draft":
            extra["draft"] = True
            status = "draft"
        elif kind == "archived":
            status = "archived"
        invoices.append(
            r.invoice(
                iid, cid, str(amount), date=issued.isoformat(), deadline=due.isoformat(),
                remaining=remaining, status=status, **extra,
            )
        )  # fmt: skip
        if kind == "paid_dated":
            paid_on = due + timedelta(days=(n * 7) % 45 - 10)
            account = 9000 + cid
            lines.append(r.line(iid * 10, account=account, entry=50000 + iid, date=issued.isoformat(), debit=str(amount), lettered=[iid * 10, iid * 10 + 1]))  # fmt: skip
            lines.append(r.line(iid * 10 + 1, account=account, entry=70000 + iid, date=paid_on.isoformat(), credit=str(amount), lettered=[iid * 10, iid * 10 + 1]))  # fmt: skip
    credited = invoices[5]  # a cancelled one
    invoices.append(
        r.invoice(
            base + 90, credited["customer"]["id"], "-" + credited["amount"], remaining="0.00", status="credit_note",
            credited_invoice={"id": credited["id"], "url": "x"}, label="Avoir sur facture",
        )
    )  # fmt: skip
    return invoices, lines


FOLLOWUPS = [
    ("alpha", 100, "disputed", None),
    ("alpha", 108, "disputed", None),
    ("beta", 200, "disputed", None),
    ("alpha", 101, "payment_agreement", "2026-12-15"),  # moves an overdue invoice's expected date to the future
    ("alpha", 116, "payment_agreement", "2026-11-10"),  # an agreement already past
    ("beta", 208, "payment_agreement", "2026-12-01"),
    ("alpha", 109, "reminded", None),
    ("alpha", 117, "reminded", None),
    ("beta", 201, "collected", None),
]


def invoice_book_store(tmp_path: Path) -> StorePaths:
    """The book published in `tmp_path/data`, with the hierarchy and the follow-ups."""
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    batches = []
    for entity, base in (("alpha", 100), ("beta", 200)):
        invoices, lines = _invoices(entity, base)
        customers = [r.customer(cid, name=name) for cid, name in CUSTOMERS[entity].items()]
        directory = r.write_entity(tmp_path / "source", entity, customers=customers, invoices=invoices, lines=lines)
        batches.append(batch_from_directory(directory, entity, ENTITY_NAMES[entity]))
    publish_batches(paths, batches, now=NOW, source="files")
    with operations.session(paths) as ops:
        for entity, iid, status, agreed in FOLLOWUPS:
            operations.upsert_followup(
                ops, entity, iid, internal_status=status, agreement_date=agreed, updated_by="compta@verdier.example",
                now=NOW,
            )  # fmt: skip
    return paths


def all_invoice_rows(paths: StorePaths, today: date = TODAY) -> list[dict[str, Any]]:
    """Every row of the `invoices` view, unfiltered (what the tests' plain-Python filters run over)."""
    with read_session(paths, everything(), today=today) as con:
        result = con.execute("SELECT * FROM scoped_invoices")
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def portfolio(email: str) -> set[tuple[str, int]]:
    """The customers a sales rep is assigned to, read from ORGANISATION (not through core.scope)."""
    return {(m["entity_id"], m["customer_id"]) for m in ORGANISATION["customer_managers"] if m["email"] == email}
