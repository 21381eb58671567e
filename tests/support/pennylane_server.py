"""Run the local Pennylane server for a test, and build small spec-valid datasets for it.

with serve({TOKEN: sample_dataset()}, rate_limit=False, now=lambda: NOW) as server:
    client = PennylaneClient(server.base_url, TOKEN, ...)
    server.faults.add("server_error", count=2, status=503)
    server.dataset(TOKEN).mark_paid(invoice_id)
    assert server.stats.rate_limited == 0
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pennylane_local import Dataset, Faults, Quirks, ServerState, ServerStats, ServerThread, create_app, load_data

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TOKEN = "test-token-acme-0123456789abcdef"
ALL_SCOPES = ["customers:readonly", "customer_invoices:readonly", "ledger_entries:readonly", "transactions:readonly"]
URL = "https://app.pennylane.com/api/external/v2"


@dataclass
class ServerHandle:
    base_url: str
    root_url: str
    app_state: ServerState

    @property
    def faults(self) -> Faults:
        return self.app_state.faults

    @property
    def stats(self) -> ServerStats:
        return self.app_state.stats

    def dataset(self, token: str) -> Dataset:
        return self.app_state.datasets[token]

    def set_rate_limit(self, enabled: bool) -> None:
        self.app_state.limiter.enabled = enabled
        self.app_state.limiter.reset()


@contextmanager
def serve(
    datasets_or_dir: Mapping[str, Dataset] | str | Path,
    *,
    rate_limit: bool = True,
    now: Callable[[], datetime] | None = None,
    quirks: Quirks | None = None,
) -> Iterator[ServerHandle]:
    """The local server on a free 127.0.0.1 port in a background thread, stopped on exit.

    A demo directory is served on a clock that starts after its last generated event: the demo
    spreads the day's activity over office hours, and a test on the real clock would see events
    appear between two syncs run seconds apart (CI failed so at 15:46 Paris)."""
    if isinstance(datasets_or_dir, (str, Path)):
        datasets = load_data(datasets_or_dir)
        now = now or after_demo_day(Path(datasets_or_dir))
    else:
        datasets = datasets_or_dir
    app = create_app(datasets, rate_limit=rate_limit, now=now, quirks=quirks)
    with ServerThread(app) as server:
        yield ServerHandle(server.base_url, server.root_url, app.state.pennylane)


def after_demo_day(demo_dir: Path) -> Callable[[], datetime]:
    """The real clock, moved on (never back) to just after the demo's last office hour of its ``today``."""
    manifest = demo_dir / "manifest.json"
    if not manifest.exists():
        manifest = demo_dir.parent / "manifest.json"  # one entity's directory
    if not manifest.exists():
        return lambda: datetime.now(UTC)
    today = date.fromisoformat(json.loads(manifest.read_text(encoding="utf-8"))["today"])
    settled = datetime.combine(today, time(19, 0), tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
    ahead = max(timedelta(0), settled - datetime.now(UTC))
    return lambda: datetime.now(UTC) + ahead


# -- sample data ---------------------------------------------------------------


def _address(n: int) -> dict[str, str]:
    return {
        "address": f"{n} rue de la Paix",
        "postal_code": f"750{n % 20:02d}",
        "city": "Paris",
        "country_alpha2": "FR",
    }


def _customer(customer_id: int, stamp: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": customer_id,
        "billing_iban": None,
        "payment_conditions": ["30_days", "45_days_end_of_month", "upon_receipt", "60_days"][customer_id % 4],
        "recipient": "",
        "phone": "+33 1 23 45 67 89",
        "reference": f"C{customer_id:04d}",
        "notes": None,
        "ledger_account": {"id": 411_000 + customer_id},
        "emails": [f"compta{customer_id}@client{customer_id}.example"],
        "billing_address": _address(customer_id),
        "delivery_address": _address(customer_id),
        "created_at": stamp,
        "updated_at": stamp,
        "external_reference": f"ext-{customer_id}",
        "billing_language": "fr_FR",
        "mandates": {"url": f"{URL}/customers/{customer_id}/mandates"},
        "pro_account_mandates": {"url": f"{URL}/customers/{customer_id}/pro_account_mandates"},
        "contacts": {"url": f"{URL}/customers/{customer_id}/contacts"},
    }
    if customer_id % 5 == 0:
        record.update(
            customer_type="individual",
            name=f"Camille Martin {customer_id}",
            first_name="Camille",
            last_name=f"Martin {customer_id}",
        )
    else:
        record.update(
            customer_type="company",
            name=f"Client {customer_id} SAS",
            vat_number=f"FR{customer_id:011d}",
            reg_no=f"{customer_id:09d}",
        )
    return record


def sample_dataset(
    *, customers: int = 6, invoices: int = 40, scopes: list[str] | None = None, now: datetime = NOW, company_id: int = 1
) -> Dataset:
    """A small company: invoices over the last ~4 months, some paid (lettered bank lines), some drafts, a credit note.

    Built through the dataset's own mutations, then written to disk and
    reloaded, so fixtures go through ``Dataset.from_dir`` like demo data.
    """
    me = {
        "user": {"id": 7, "first_name": "Alice", "last_name": "Durand", "email": "alice@acme.example", "locale": "fr"},
        "company": {"id": company_id, "name": f"ACME {company_id}", "reg_no": "123456789"},
        "scopes": list(ALL_SCOPES if scopes is None else scopes),
    }
    today = now.date()
    first_day = today - timedelta(days=120)
    stamp = datetime.combine(first_day, time(8), UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    ds = Dataset(me, [_customer(c, stamp) for c in range(1, customers + 1)])
    for i in range(invoices):
        issued = first_day + timedelta(days=(i * 97) % 118)
        ds.clock = lambda d=issued, i=i: datetime.combine(d, time(10), UTC) + timedelta(seconds=i)  # type: ignore[misc]
        amount = Decimal(100 + (i * 37) % 900) + Decimal(i % 100) / 100
        invoice = ds.add_invoice(
            1 + i % customers, amount=amount, issued_on=issued, deadline=issued + timedelta(days=30), draft=i % 10 == 3
        )
        paid_on = issued + timedelta(days=20)
        if not invoice["draft"] and paid_on <= today and i % 3 != 1:
            ds.clock = lambda d=paid_on: datetime.combine(d, time(15), UTC)  # type: ignore[misc]
            ds.mark_paid(invoice["id"], paid_on=paid_on, amount=None if i % 3 == 0 else amount / 2)
    credited = ds.records["customer_invoices"][1]
    negated = {
        k: "-" + credited[k] for k in ("amount", "currency_amount", "currency_amount_before_tax", "tax", "currency_tax")
    }
    credit_note = {
        **credited,
        **negated,
        "id": ds.next_id("customer_invoices"),
        "invoice_number": "AV-2026-000001",
        "status": "credit_note",
    }
    credit_note.update(
        credited_invoice={"id": 1, "url": f"{URL}/customer_invoices/1"},
        paid=False,
        remaining_amount_with_tax="0.00",
        remaining_amount_without_tax="0.00",
    )
    ds.put("customer_invoices", credit_note)
    with tempfile.TemporaryDirectory() as tmp:
        ds.to_dir(tmp)
        return Dataset.from_dir(tmp)


def write_demo_root(root: Path, entities: Mapping[str, Dataset]) -> None:
    """A demo root as the generator writes it: ``organisation.json`` and one folder per entity."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "organisation.json").write_text(json.dumps({"entities": [{"entity_id": e} for e in entities]}))
    for entity_id, ds in entities.items():
        ds.to_dir(root / entity_id)
