"""The invoice list: the filters as a SQL `WHERE` with bound values, one page of rows, the totals
of the whole filtered set, the ExportTable of that set and one invoice's read-only detail.

Everything reads `scoped_invoices` in a read session, so the user's scope is applied there and
only there. The database filters, sorts and counts: a page loads `page_size` rows at most (LIMIT
/ OFFSET), the totals are one aggregate, the exports stream batches with `fetchmany`. Days late,
open amount and status are the `invoices` view's columns (docs/metrics.md), never recomputed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from core import formatting
from core.cache import snapshot_cached
from core.exports.table import Column, ExportTable, Row
from core.lists.choices import list_choices
from core.lists.conditions import Conditions
from core.lists.filters import (
    INTERNAL_STATUS_LABELS,
    INVOICE_DEFAULT_SORT,
    INVOICE_SORTS,
    STATUS_LABELS,
    InvoiceFilters,
    describe,
    folded,
    like_pattern,
)
from core.lists.paging import Paging
from core.scope import Scope
from core.store.paths import StorePaths
from core.store.reading import read_session

PAGE_SIZE = 50
_SEPARATOR = "\x1f"  # between number and label in `search_text`
EXPORT_BATCH = 5_000

SORT_COLUMNS: dict[str, str] = {
    "numero": "invoice_number",
    "libelle": "label",
    "client": "customer_name",
    "entite": "entity_name",
    "agence": "agency_name",
    "gestionnaire": "primary_manager_name",
    "emission": "issue_date",
    "echeance": "due_date",
    "attendu": "expected_date",
    "montant": "amount_eur",
    "ouvert": "open_amount_eur",
    "retard": "days_late",
    "statut": "status",
    "suivi": "internal_status",
}
"""Sort key (the `tri` parameter, core.lists.filters.INVOICE_SORTS) → column of `invoices`: the only
identifiers an ORDER BY is built from."""
assert SORT_COLUMNS.keys() == INVOICE_SORTS.keys()

_ROW_COLUMNS = (
    "entity_id, invoice_id, invoice_number, label, customer_id, customer_name, entity_name, agency_name, "
    "primary_manager_name, issue_date, due_date, expected_date, amount_eur, open_amount_eur, days_late, "
    "status, internal_status"
)

EXPORT_COLUMNS = (
    Column("numero", "N° de facture", "text", 1.3),
    Column("client", "Client", "text", 2.2),
    Column("entite", "Entité", "text", 1.3),
    Column("agence", "Agence", "text", 1.2),
    Column("gestionnaire", "Gestionnaire", "text", 1.3),
    Column("emission", "Émission", "date", 0.9),
    Column("echeance", "Échéance", "date", 0.9),
    Column("attendu", "Attendue le", "date", 0.9),
    Column("montant", "Montant TTC", "money", 1.1),
    Column("ouvert", "Montant ouvert", "money", 1.1),
    Column("retard", "Jours de retard", "int", 0.7),
    Column("statut", "Statut", "status", 0.9, tuple(STATUS_LABELS.items())),
    Column("suivi", "Suivi", "status", 1.1, tuple(INTERNAL_STATUS_LABELS.items())),
)
_EXPORT_SELECT = (
    "invoice_number, customer_name, entity_name, agency_name, primary_manager_name, issue_date, due_date, "
    "expected_date, amount_eur, open_amount_eur, days_late, status, internal_status"
)


@dataclass(frozen=True)
class InvoiceRow:
    entity_id: str
    invoice_id: int
    invoice_number: str | None
    label: str | None
    customer_id: int
    customer_name: str | None
    entity_name: str | None
    agency_name: str | None
    manager_name: str | None
    issue_date: date | None
    due_date: date | None
    expected_date: date | None
    amount_eur: Decimal
    open_amount_eur: Decimal
    days_late: int | None
    status: str
    internal_status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def internal_status_label(self) -> str:
        return INTERNAL_STATUS_LABELS.get(self.internal_status, self.internal_status)


@dataclass(frozen=True)
class InvoiceTotals:
    count: int
    amount_eur: Decimal
    open_eur: Decimal


@dataclass(frozen=True)
class InvoicePage(Paging):
    rows: tuple[InvoiceRow, ...]
    totals: InvoiceTotals
    page: int
    """1-based; a page past the end is brought back to the last one."""
    page_size: int


def where(filters: InvoiceFilters) -> tuple[str, list[Any]]:
    """`filters` as a SQL condition on `invoices` columns, and its bound values in order.

    Identifiers are constants of this function; every value is a `?` parameter.
    """
    conditions = Conditions()
    add, among = conditions.add, conditions.among
    among("entity_id", filters.entities)
    among("agency_id", filters.agencies)
    among("lower(primary_manager_email)", filters.managers)
    if filters.customers:
        pairs = " OR ".join("(entity_id = ? AND customer_id = ?)" for _ in filters.customers)
        add("(" + pairs + ")", *(v for pair in filters.customers for v in pair))
    among("status", filters.statuses)
    among("internal_status", filters.internal_statuses)
    for column, low, high in (
        ("issue_date", filters.issued_from, filters.issued_to),
        ("due_date", filters.due_from, filters.due_to),
        ("expected_date", filters.expected_from, filters.expected_to),
        ("days_late", filters.days_late_min, filters.days_late_max),
        ("amount_eur", filters.amount_min, filters.amount_max),
    ):
        if low is not None:
            add(column + " >= ?", low)
        if high is not None:
            add(column + " <= ?", high)
    if filters.open_only:
        add("open_amount_eur > 0")
    if filters.disputed:
        add("internal_status = 'disputed'")
    if filters.gap:
        # the dashboard's gap (docs/metrics.md): disputed invoices are totalled apart there
        add("status IN ('not_due', 'overdue') AND days_past_expected > 0 AND internal_status <> 'disputed'")
    if filters.search:
        # Number, label and customer name, without case nor accents: `search_text`, folded once per
        # sync. A search holding U+001F, its separator, matches nothing (it would span two fields).
        if _SEPARATOR in filters.search:
            add("false")
        else:
            add("search_text LIKE ? ESCAPE '\\'", like_pattern(folded(filters.search)))
    return conditions.sql()


def order_by(sort: str) -> str:
    """ORDER BY from a whitelisted key (unknown keys fall back to the default), ties broken by id."""
    column, direction = _sort_parts(sort)
    return column + direction + " NULLS LAST, entity_id" + direction + ", invoice_id" + direction


def _totals_sql(condition: str) -> str:
    return (
        "SELECT count(*), coalesce(sum(amount_eur), 0), coalesce(sum(open_amount_eur), 0) "  # noqa: S608
        "FROM scoped_invoices WHERE " + condition
    )


def _sort_parts(sort: str) -> tuple[str, str]:
    """(column, direction) of a whitelisted sort key; unknown keys fall back to the default."""
    key = sort.lstrip("-")
    if key not in SORT_COLUMNS:
        key, sort = INVOICE_DEFAULT_SORT.lstrip("-"), INVOICE_DEFAULT_SORT
    return SORT_COLUMNS[key], " DESC" if sort.startswith("-") else " ASC"


def _summary_sql(condition: str, sort: str) -> str:
    """Totals of the whole filtered set and the positions of one page's rows (`snapshot_row`), from
    ONE evaluation of the view: the filtered rows keep only what the totals and the sort need, then
    a LIMITed top-N reads them."""
    column, direction = _sort_parts(sort)
    order = "k" + direction + " NULLS LAST, entity_id" + direction + ", invoice_id" + direction
    return (
        "WITH f AS MATERIALIZED (SELECT entity_id, invoice_id, snapshot_row, amount_eur, open_amount_eur, "  # noqa: S608
        + column + " AS k FROM scoped_invoices WHERE " + condition + "), "
        "t AS (SELECT count(*) AS n, coalesce(sum(amount_eur), 0) AS amount, coalesce(sum(open_amount_eur), 0) AS open "
        "FROM f), "
        "p AS (SELECT entity_id, invoice_id, snapshot_row, k FROM f ORDER BY " + order + " LIMIT ? OFFSET ?) "
        "SELECT t.n, t.amount, t.open, p.snapshot_row FROM t LEFT JOIN p ON true ORDER BY " + order
    )  # fmt: skip


def _export_sql(condition: str, sort: str) -> str:
    return (
        "SELECT " + _EXPORT_SELECT + " FROM scoped_invoices WHERE " + condition  # noqa: S608
        + " ORDER BY " + order_by(sort)
    )  # fmt: skip


_ROWS_SQL = "SELECT snapshot_row, " + _ROW_COLUMNS + " FROM scoped_invoices WHERE snapshot_row = ANY(?)"  # noqa: S608
"""The full rows of a page, by position: DuckDB reads just those rows (`= ANY`, not `IN (…)`, which
it turns into a join scanning the whole table)."""


def query_page(
    paths: StorePaths, scope: Scope, filters: InvoiceFilters, *, today: date, page_size: int = PAGE_SIZE
) -> InvoicePage:
    """One page of the filtered invoices and the totals of all of them (uncached; see invoice_page).

    Two queries: the totals and the page's row positions (one pass over the filtered rows), then
    the page's rows by position. A page past the end is read again as the last page.
    """
    page = max(1, filters.page)
    with read_session(paths, scope, today=today) as con:
        condition, params = where(filters)
        summary = _summary_sql(condition, filters.sort)
        found = con.execute(summary, [*params, page_size, (page - 1) * page_size]).fetchall()
        last = max(1, math.ceil(int(found[0][0]) / page_size))
        if page > last:
            page = last
            found = con.execute(summary, [*params, page_size, (page - 1) * page_size]).fetchall()
        count, amount, open_eur = found[0][:3]
        positions = [row[3] for row in found if row[3] is not None]
        rows = con.execute(_ROWS_SQL, [positions]).fetchall() if positions else []
    by_position = {r[0]: r[1:] for r in rows}
    ordered = tuple(InvoiceRow(*by_position[n]) for n in positions if n in by_position)
    return InvoicePage(ordered, InvoiceTotals(int(count), Decimal(amount), Decimal(open_eur)), page, page_size)


@snapshot_cached()
def invoice_page(
    paths: StorePaths, scope: Scope, filters: InvoiceFilters, today: date, page_size: int = PAGE_SIZE
) -> InvoicePage:
    """`query_page`, cached per snapshot, operational revision, scope and filters."""
    return query_page(paths, scope, filters, today=today, page_size=page_size)


@snapshot_cached()
def invoice_totals(paths: StorePaths, scope: Scope, filters: InvoiceFilters, today: date) -> InvoiceTotals:
    """Count, amount and open amount of the whole filtered set."""
    condition, params = where(filters)
    with read_session(paths, scope, today=today) as con:
        count, amount, open_eur = con.execute(_totals_sql(condition), params).fetchone() or (0, 0, 0)
    return InvoiceTotals(int(count), Decimal(amount), Decimal(open_eur))


def totals_in_words(totals: InvoiceTotals) -> tuple[tuple[str, str], ...]:
    return (
        ("Factures", formatting.number(totals.count)),
        ("Montant TTC", formatting.money(totals.amount_eur)),
        ("Montant ouvert", formatting.money(totals.open_eur)),
    )


def invoice_export(
    paths: StorePaths, scope: Scope, filters: InvoiceFilters, today: date, user_name: str, now: datetime
) -> ExportTable:
    """The whole filtered set as an ExportTable, in the grid's order; rows stream in batches."""
    condition, params = where(filters)
    totals = invoice_totals(paths, scope, filters, today)
    names = list_choices(paths, scope, today=today).names
    query = _export_sql(condition, filters.sort)

    def batches() -> Iterator[Sequence[Row]]:
        with read_session(paths, scope, today=today) as con:
            result = con.execute(query, params)
            while rows := result.fetchmany(EXPORT_BATCH):
                yield rows

    return ExportTable(
        title="Factures",
        columns=EXPORT_COLUMNS,
        row_count=totals.count,
        batches=batches,
        totals=totals_in_words(totals),
        filters=tuple(describe(filters, names)),
        generated_by=user_name,
        generated_at=now,
    )


@dataclass(frozen=True)
class InvoiceDetail:
    """Every column of one invoice as the `invoices` view has it (docs/schema.md)."""

    values: dict[str, Any]

    def __getitem__(self, column: str) -> Any:
        return self.values[column]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self["status"], self["status"])

    @property
    def internal_status_label(self) -> str:
        return INTERNAL_STATUS_LABELS.get(self["internal_status"], self["internal_status"])


def invoice_detail(
    paths: StorePaths, scope: Scope, entity_id: str, invoice_id: int, today: date
) -> InvoiceDetail | None:
    """One invoice of the user's scope, or None (unknown, or another portfolio's)."""
    with read_session(paths, scope, today=today) as con:
        result = con.execute(
            "SELECT * FROM scoped_invoices WHERE entity_id = ? AND invoice_id = ?", [entity_id, int(invoice_id)]
        )
        row = result.fetchone()
        names = [d[0] for d in result.description] if row is not None else []
    return None if row is None else InvoiceDetail(dict(zip(names, row, strict=True)))
