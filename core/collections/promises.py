"""Payment promises and whether they were kept, from Pennylane's payments.

A promise of amount A for date D, made on day C, is:
- **kept** when the bank payments allocated to its invoice (payment_allocations, kind
  `payment`) dated from C to D + grace reach A;
- **pending** until D + grace has passed without that;
- then **partly kept** when some of A came in, **broken** ("promesse non tenue") when none did.

The grace (`ENCOURS_PROMISE_GRACE_DAYS`) absorbs bank delays and the sync's. Nothing is stored:
the state is computed at each read, so a payment that arrives with a sync settles it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pyarrow as pa

from core import formatting
from core.cache import snapshot_cached
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

PENDING, KEPT, PARTLY_KEPT, BROKEN = "pending", "kept", "partly_kept", "broken"
STATE_LABELS = {
    PENDING: "En cours",
    KEPT: "Tenue",
    PARTLY_KEPT: "Partiellement tenue",
    BROKEN: "Promesse non tenue",
}
NOT_KEPT = frozenset({PARTLY_KEPT, BROKEN})


@dataclass(frozen=True)
class Promise:
    promise_id: int
    entity_id: str
    customer_id: int
    invoice_id: int
    invoice_number: str | None
    customer_name: str | None
    amount: Decimal
    promised_for: date
    source: str
    created_at: datetime
    created_by: str
    paid: Decimal
    """Payments on the invoice dated from the promise's day to its date + grace."""
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def not_kept(self) -> bool:
        return self.state in NOT_KEPT

    @property
    def shortfall(self) -> Decimal:
        return max(self.amount - self.paid, Decimal(0))


def state(amount: Decimal, paid: Decimal, promised_for: date, *, today: date, grace_days: int) -> str:
    if paid >= amount:
        return KEPT
    if today <= promised_for + timedelta(days=grace_days):
        return PENDING
    return PARTLY_KEPT if paid > 0 else BROKEN


_COLUMNS = "promise_id, entity_id, customer_id, invoice_id, amount_eur, promised_for, source, created_at, created_by"
_ALL_SQL = "SELECT " + _COLUMNS + " FROM payment_promises"  # noqa: S608 - constant column list
_BY_CUSTOMER_SQL = _ALL_SQL + " WHERE entity_id = ? AND customer_id = ?"
_BY_INVOICE_SQL = _ALL_SQL + " WHERE entity_id = ? AND invoice_id = ?"

_PAID_SQL = """
SELECT p.promise_id, i.invoice_number, i.customer_name,
       coalesce((SELECT sum(a.amount_eur) FROM payment_allocations AS a
                 WHERE a.entity_id = p.entity_id AND a.invoice_id = p.invoice_id AND a.kind = 'payment'
                   AND a.settled_on BETWEEN p.created_on AND p.promised_for + CAST($grace AS INTEGER)), 0)
FROM _promises AS p
JOIN scoped_invoices AS i USING (entity_id, invoice_id)
"""


def read_rows(ops: sqlite3.Connection, *, entity_id: str | None = None, customer_id: int | None = None,
              invoice_id: int | None = None) -> list[tuple]:  # fmt: skip
    """Stored promises: all, a customer's or an invoice's."""
    if invoice_id is not None:
        return ops.execute(_BY_INVOICE_SQL, (entity_id, invoice_id)).fetchall()
    if customer_id is not None:
        return ops.execute(_BY_CUSTOMER_SQL, (entity_id, customer_id)).fetchall()
    return ops.execute(_ALL_SQL).fetchall()


def evaluate(con: duckdb.DuckDBPyConnection, rows: Iterable[tuple], *, today: date, grace_days: int) -> list[Promise]:
    """The promises among `rows` the read session's scope covers, with their state, newest first."""
    rows = list(rows)
    if not rows:
        return []
    created = [datetime.fromisoformat(r[7]) for r in rows]
    table = pa.table(
        {
            "promise_id": pa.array([int(r[0]) for r in rows], pa.int64()),
            "entity_id": pa.array([r[1] for r in rows], pa.string()),
            "invoice_id": pa.array([int(r[3]) for r in rows], pa.int64()),
            "created_on": pa.array([c.astimezone(formatting.PARIS).date() for c in created], pa.date32()),
            "promised_for": pa.array([date.fromisoformat(r[5]) for r in rows], pa.date32()),
        }
    )
    con.register("_promises", table)
    try:
        found = {r[0]: r[1:] for r in con.execute(_PAID_SQL, {"grace": grace_days}).fetchall()}
    finally:
        con.unregister("_promises")
    out = []
    for r, at in zip(rows, created, strict=True):
        if int(r[0]) not in found:
            continue  # outside the scope
        number, customer, paid = found[int(r[0])]
        amount, promised_for, paid = Decimal(r[4]), date.fromisoformat(r[5]), Decimal(paid)
        out.append(
            Promise(
                promise_id=int(r[0]), entity_id=r[1], customer_id=int(r[2]), invoice_id=int(r[3]),
                invoice_number=number, customer_name=customer, amount=amount, promised_for=promised_for,
                source=r[6], created_at=at, created_by=r[8], paid=paid,
                state=state(amount, paid, promised_for, today=today, grace_days=grace_days),
            )
        )  # fmt: skip
    return sorted(out, key=lambda p: (p.created_at, p.promise_id), reverse=True)


@snapshot_cached(maxsize=32)
def broken_promises(paths: StorePaths, scope: Scope, *, today: date, grace_days: int) -> tuple[Promise, ...]:
    """Every promise in the scope not kept by its date + grace (broken or partly kept), oldest date first."""
    with operations.session(paths) as ops:
        rows = read_rows(ops)
    with read_session(paths, scope, today=today) as con:
        found = evaluate(con, rows, today=today, grace_days=grace_days)
    return tuple(sorted((p for p in found if p.not_kept), key=lambda p: (p.promised_for, p.promise_id)))
