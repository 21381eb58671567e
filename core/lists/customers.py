"""The customer list: per customer in scope, its receivables, open and overdue amounts, account
managers and last payment — filtered, sorted and paged in the database, with totals of the
whole filtered set and the same ExportTable as the invoice list.

Figures come from the `invoices` view's columns (docs/metrics.md): "Factures" counts
receivables (not_due, overdue, paid) like the home page; open is `open_amount_eur`, overdue
its part whose status is `overdue`; DSO is the dashboard's countback (the SQL macro
`dso_countback` over the customer's receivables and net sales of the last three months).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from core import formatting
from core.cache import snapshot_cached
from core.exports.table import Column, ExportTable, Row
from core.lists.choices import list_choices
from core.lists.conditions import Conditions
from core.lists.filters import (
    CUSTOMER_DEFAULT_SORT,
    CUSTOMER_SORTS,
    CustomerFilters,
    describe_customers,
    folded,
    like_pattern,
)
from core.lists.paging import Paging
from core.metrics import dso
from core.scope import Scope
from core.store.paths import StorePaths
from core.store.reading import read_session

PAGE_SIZE = 50
EXPORT_BATCH = 5_000

_CUSTOMER_ROWS = """
WITH months AS (  -- the three months DSO walks back over (core.metrics.dso), bound first
    SELECT CAST(? AS DATE) AS s1_after, CAST(? AS DATE) AS s1_until, CAST(? AS DATE) AS s2_after,
           CAST(? AS DATE) AS s2_until, CAST(? AS DATE) AS s3_after, CAST(? AS DATE) AS s3_until,
           CAST(? AS INTEGER) AS d1, CAST(? AS INTEGER) AS d2, CAST(? AS INTEGER) AS d3
),
per_customer AS (
    SELECT i.entity_id, i.customer_id,
           count(*) FILTER (WHERE i.status IN ('not_due', 'overdue', 'paid'))        AS invoices,
           sum(i.open_amount_eur)                                                   AS open_eur,
           coalesce(sum(i.open_amount_eur) FILTER (WHERE i.status = 'overdue'), 0)  AS overdue_eur,
           max(i.last_payment_date)                                                 AS last_payment_date,
           coalesce(sum(i.open_amount_eur) FILTER (WHERE i.status IN ('not_due', 'overdue', 'paid')), 0) AS receivables,
           sum(i.amount_eur - i.credited_amount_eur) FILTER (WHERE i.status IN ('not_due', 'overdue', 'paid')
               AND i.issue_date > m.s1_after AND i.issue_date <= m.s1_until)        AS s1,
           sum(i.amount_eur - i.credited_amount_eur) FILTER (WHERE i.status IN ('not_due', 'overdue', 'paid')
               AND i.issue_date > m.s2_after AND i.issue_date <= m.s2_until)        AS s2,
           sum(i.amount_eur - i.credited_amount_eur) FILTER (WHERE i.status IN ('not_due', 'overdue', 'paid')
               AND i.issue_date > m.s3_after AND i.issue_date <= m.s3_until)        AS s3
    FROM scoped_invoices AS i, months AS m
    GROUP BY i.entity_id, i.customer_id
)
SELECT c.entity_id, c.customer_id, c.customer_name, c.entity_name, c.agency_id, c.agency_name,
       c.primary_manager_email, c.account_manager_emails,
       coalesce(i.invoices, 0) AS invoices, coalesce(i.open_eur, 0) AS open_eur,
       coalesce(i.overdue_eur, 0) AS overdue_eur, i.last_payment_date,
       CAST(dso_countback(coalesce(i.receivables, 0), i.s1, i.s2, i.s3, m.d1, m.d2, m.d3) AS DOUBLE) AS dso,
       coalesce(i.receivables, 0) > 0 AND coalesce(i.receivables, 0)
           > greatest(coalesce(i.s1, 0), 0) + greatest(coalesce(i.s2, 0), 0) + greatest(coalesce(i.s3, 0), 0) AS dso_capped
FROM scoped_customers AS c
CROSS JOIN months AS m
LEFT JOIN per_customer AS i USING (entity_id, customer_id)
"""

SORT_COLUMNS: dict[str, str] = {
    "client": "customer_name",
    "entite": "entity_name",
    "agence": "agency_name",
    "factures": "invoices",
    "ouvert": "open_eur",
    "echu": "overdue_eur",
    "dernier_paiement": "last_payment_date",
    "dso": "dso",
}
assert SORT_COLUMNS.keys() == CUSTOMER_SORTS.keys()

EXPORT_COLUMNS = (
    Column("client", "Client", "text", 2.4),
    Column("entite", "Entité", "text", 1.4),
    Column("agence", "Agence", "text", 1.3),
    Column("gestionnaires", "Gestionnaires", "text", 2.0),
    Column("factures", "Factures", "int", 0.8),
    Column("ouvert", "Montant ouvert", "money", 1.2),
    Column("echu", "Dont échu", "money", 1.2),
    Column("dernier_paiement", "Dernier paiement", "date", 1.0),
    Column("dso", "DSO", "text", 0.8),
)


@dataclass(frozen=True)
class CustomerRow:
    entity_id: str
    customer_id: int
    customer_name: str | None
    entity_name: str | None
    agency_name: str | None
    managers: str
    """Account managers' names, primary first."""
    invoices: int
    open_eur: Decimal
    overdue_eur: Decimal
    last_payment_date: date | None
    dso: float
    """Days, countback over the last three months (docs/metrics.md, the SQL macro dso_countback)."""
    dso_capped: bool
    """Three months of sales do not cover the receivables: shown "> 3 mois"."""

    @property
    def dso_label(self) -> str:
        return dso_label(self.dso, self.dso_capped)


def dso_label(days: float, capped: bool) -> str:
    """`62,9 j`, or `> 3 mois` at the cap (as the dashboard says it)."""
    return dso.CAP_DAYS_LABEL if capped else formatting.number(round(Decimal(str(days)), 1)) + " j"


def month_params(today: date) -> list[Any]:
    """The values of the `months` CTE, in order: three (after, until) pairs, then their days."""
    periods = dso.periods(today)
    return [*(d for p in periods for d in (p.after, p.until)), *(p.days for p in periods)]


@dataclass(frozen=True)
class CustomerTotals:
    count: int
    open_eur: Decimal
    overdue_eur: Decimal


@dataclass(frozen=True)
class CustomerPage(Paging):
    rows: tuple[CustomerRow, ...]
    totals: CustomerTotals
    page: int
    page_size: int


def where(filters: CustomerFilters) -> tuple[str, list[Any]]:
    """`filters` as a condition on the customer rows (constant identifiers, `?` values)."""
    conditions = Conditions()
    conditions.among("entity_id", filters.entities)
    conditions.among("agency_id", filters.agencies)
    conditions.among("lower(primary_manager_email)", filters.managers)
    if filters.overdue_only:
        conditions.add("overdue_eur > 0")
    if filters.open_only:
        conditions.add("open_eur > 0")
    if filters.search:
        conditions.add("strip_accents(lower(customer_name)) LIKE ? ESCAPE '\\'", like_pattern(folded(filters.search)))
    return conditions.sql()


def order_by(sort: str) -> str:
    key = sort.lstrip("-")
    if key not in SORT_COLUMNS:
        key, sort = CUSTOMER_DEFAULT_SORT.lstrip("-"), CUSTOMER_DEFAULT_SORT
    direction = " DESC" if sort.startswith("-") else " ASC"
    return SORT_COLUMNS[key] + direction + " NULLS LAST, entity_id" + direction + ", customer_id" + direction


def _filtered(condition: str) -> str:
    return "SELECT * FROM (" + _CUSTOMER_ROWS + ") AS r WHERE " + condition  # noqa: S608


def _totals(con: duckdb.DuckDBPyConnection, condition: str, params: list[Any]) -> CustomerTotals:
    sql = (
        "SELECT count(*), coalesce(sum(open_eur), 0), coalesce(sum(overdue_eur), 0) "  # noqa: S608
        "FROM (" + _filtered(condition) + ")"
    )
    count, open_eur, overdue_eur = con.execute(sql, params).fetchone() or (0, 0, 0)
    return CustomerTotals(int(count), Decimal(open_eur), Decimal(overdue_eur))


def _manager_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {
        email.lower(): name or email for email, name in con.execute("SELECT email, full_name FROM users").fetchall()
    }


def _managers(emails: list[str] | None, names: dict[str, str]) -> str:
    return ", ".join(names.get(e.lower(), e) for e in emails or [])


_ROW_SELECT = (
    "entity_id, customer_id, customer_name, entity_name, agency_name, account_manager_emails, invoices, "
    "open_eur, overdue_eur, last_payment_date, dso, dso_capped"
)


def _rows_sql(condition: str, sort: str) -> str:
    return (
        "SELECT " + _ROW_SELECT + " FROM (" + _filtered(condition) + ") ORDER BY " + order_by(sort)  # noqa: S608
    )


def query_customer_page(
    paths: StorePaths, scope: Scope, filters: CustomerFilters, *, today: date, page_size: int = PAGE_SIZE
) -> CustomerPage:
    condition, params = where(filters)
    params = [*month_params(today), *params]
    with read_session(paths, scope, today=today) as con:
        totals = _totals(con, condition, params)
        page = min(max(1, filters.page), max(1, math.ceil(totals.count / page_size)))
        names = _manager_names(con)
        rows = con.execute(
            _rows_sql(condition, filters.sort) + " LIMIT ? OFFSET ?", [*params, page_size, (page - 1) * page_size]
        ).fetchall()
    return CustomerPage(
        tuple(
            CustomerRow(
                e, int(c), n, en, an, _managers(m, names), int(i), Decimal(o), Decimal(od), lp, float(d), bool(dc)
            )
            for e, c, n, en, an, m, i, o, od, lp, d, dc in rows
        ),
        totals,
        page,
        page_size,
    )


@snapshot_cached()
def customer_page(
    paths: StorePaths, scope: Scope, filters: CustomerFilters, today: date, page_size: int = PAGE_SIZE
) -> CustomerPage:
    """`query_customer_page`, cached per snapshot, operational revision, scope and filters."""
    return query_customer_page(paths, scope, filters, today=today, page_size=page_size)


def customer_totals_in_words(totals: CustomerTotals) -> tuple[tuple[str, str], ...]:
    return (
        ("Clients", formatting.number(totals.count)),
        ("Montant ouvert", formatting.money(totals.open_eur)),
        ("Dont échu", formatting.money(totals.overdue_eur)),
    )


def customer_export(
    paths: StorePaths, scope: Scope, filters: CustomerFilters, today: date, user_name: str, now: datetime
) -> ExportTable:
    """The whole filtered customer list as an ExportTable (rows in batches)."""
    condition, params = where(filters)
    params = [*month_params(today), *params]
    with read_session(paths, scope, today=today) as con:
        totals = _totals(con, condition, params)
    names = list_choices(paths, scope, today=today).names
    query = _rows_sql(condition, filters.sort)

    def batches() -> Iterator[Sequence[Row]]:
        with read_session(paths, scope, today=today) as con:
            managers = _manager_names(con)
            result = con.execute(query, params)
            while rows := result.fetchmany(EXPORT_BATCH):
                yield [
                    (n, en, an, _managers(m, managers), int(i), Decimal(o), Decimal(od), lp, dso_label(d, dc))
                    for _e, _c, n, en, an, m, i, o, od, lp, d, dc in rows
                ]

    return ExportTable(
        title="Clients",
        columns=EXPORT_COLUMNS,
        row_count=totals.count,
        batches=batches,
        totals=customer_totals_in_words(totals),
        filters=tuple(describe_customers(filters, names)),
        generated_by=user_name,
        generated_at=now,
    )
