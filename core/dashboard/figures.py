"""The dashboard's figures, computed in the database from the aggregates prepared at publish
(dashboard_invoices, dashboard_open, dashboard_collected) combined with the live operational
store: an agreement date or a dispute recorded since the last sync counts at the next page run.

Every definition is in docs/metrics.md; this module only adds up. All queries run in one
read session (core.store.reading), restricted to the user's scope there, then to the filters
here, with bound parameters only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from core.cache import snapshot_cached
from core.dashboard.filters import DashboardFilters
from core.formatting import week_start
from core.metrics import dso
from core.scope import Scope
from core.store.paths import StorePaths
from core.store.reading import read_session

ZERO = Decimal("0.00")
GAP_ROWS = 50
"""The gap table shows the largest invoices; the invoice list shows them all."""

AGING_BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")
AGING_LABELS = {
    "not_due": "Non échu",
    "1_30": "1 à 30 j",
    "31_60": "31 à 60 j",
    "61_90": "61 à 90 j",
    "over_90": "> 90 j",
}
INTERNAL_STATUS_LABELS = {
    "issued": "Émise",
    "reminded": "Relancée",
    "payment_agreement": "Accord de paiement",
    "disputed": "En litige",
    "collected": "Encaissée",
    "on_hold": "En attente",
    "legal": "Contentieux",
}

# The customers the view covers: the user's scope (scoped_customers), then the filters, kept
# in a temporary table of the session for the queries below. An account manager is the
# customer's primary one, as in the invoice list and the gap's groups; "-" stands for none.
# Lists are bound as VARCHAR[]; an empty list means "no filter on this".
SELECTED_SQL = """
CREATE OR REPLACE TEMP TABLE selected AS
WITH primary_managers AS (
    SELECT m.entity_id, m.customer_id, any_value(m.email) AS manager_email, any_value(u.full_name) AS manager_name
    FROM customer_managers AS m
    LEFT JOIN users AS u ON u.email = m.email
    WHERE m.is_primary
    GROUP BY ALL
)
SELECT k.customer_key,
       coalesce(a.agency_id, '')                                       AS agency_id,
       coalesce(ag.name, 'Sans agence')                                AS agency_name,
       coalesce(pm.manager_email, '')                                  AS manager_email,
       coalesce(pm.manager_name, pm.manager_email, 'Sans gestionnaire') AS manager_name
FROM dashboard_customers AS k
SEMI JOIN scoped_customer_keys AS sk USING (entity_id, customer_id)
LEFT JOIN customer_accounts AS a USING (entity_id, customer_id)
LEFT JOIN agencies AS ag ON ag.agency_id = a.agency_id
LEFT JOIN primary_managers AS pm USING (entity_id, customer_id)
WHERE (len($entities::VARCHAR[]) = 0 OR list_contains($entities::VARCHAR[], k.entity_id))
  AND (len($agencies::VARCHAR[]) = 0 OR list_contains($agencies::VARCHAR[], coalesce(a.agency_id, '-')))
  AND (len($managers::VARCHAR[]) = 0 OR list_contains($managers::VARCHAR[], lower(coalesce(pm.manager_email, '-'))))
  AND (len($customers::VARCHAR[]) = 0
       OR list_contains($customers::VARCHAR[], k.entity_id || ':' || CAST(k.customer_id AS VARCHAR)))
"""

# Invoices whose live agreement date moves them away from their due date (a few rows, looked up
# by invoice id once per computation).
MOVED_SQL = """
CREATE OR REPLACE TEMP TABLE moved AS
    SELECT d.customer_key, d.entity_id, d.invoice_id, f.agreement_date,
           d.net_ttc, d.net_ht, d.open_ttc, d.open_ht
    FROM dashboard_invoices AS d
    JOIN invoice_followups AS f ON f.entity_id = d.entity_id AND f.invoice_id = d.invoice_id
    WHERE d.invoice_id IN (SELECT invoice_id FROM invoice_followups WHERE agreement_date IS NOT NULL)
      AND f.agreement_date IS NOT NULL AND f.agreement_date <> d.due_date
"""

WEEKLY_SQL = """
WITH expected AS (
    SELECT d.customer_key, d.due_date AS expected_date, d.net_ttc, d.net_ht, d.open_ttc, d.open_ht
    FROM dashboard_invoices AS d
    ANTI JOIN moved AS m USING (entity_id, invoice_id)
    WHERE d.due_date BETWEEN $first AND $last
    UNION ALL
    SELECT customer_key, agreement_date, net_ttc, net_ht, open_ttc, open_ht
    FROM moved
    WHERE agreement_date BETWEEN $first AND $last
),
expected_weeks AS (
    SELECT CAST(date_trunc('week', e.expected_date) AS DATE) AS week,
           sum(e.net_ttc) AS net_ttc, sum(e.net_ht) AS net_ht,
           sum(e.open_ttc) AS open_ttc, sum(e.open_ht) AS open_ht,
           count(*) AS invoices
    FROM expected AS e
    SEMI JOIN selected AS s USING (customer_key)
    GROUP BY 1
),
collected_weeks AS (
    SELECT CAST(date_trunc('week', c.settled_on) AS DATE) AS week,
           sum(c.amount_ttc) AS collected_ttc, sum(c.amount_ht) AS collected_ht
    FROM dashboard_collected AS c
    SEMI JOIN selected AS s USING (customer_key)
    WHERE c.settled_on BETWEEN $first AND $last
    GROUP BY 1
)
SELECT coalesce(e.week, c.week) AS week,
       coalesce(e.net_ttc, 0), coalesce(e.net_ht, 0), coalesce(e.open_ttc, 0), coalesce(e.open_ht, 0),
       coalesce(e.invoices, 0), coalesce(c.collected_ttc, 0), coalesce(c.collected_ht, 0)
FROM expected_weeks AS e
FULL JOIN collected_weeks AS c USING (week)
ORDER BY week
"""

# Open invoices with their live follow-up: expected date, dispute, last action.
OPEN_LIVE_SQL = """
CREATE OR REPLACE TEMP VIEW open_live AS
    SELECT o.customer_key, o.entity_id, o.customer_id, o.invoice_id, o.invoice_number, o.due_date,
           o.open_ttc, o.open_ht,
           coalesce(f.agreement_date, o.due_date)      AS expected_date,
           coalesce(f.internal_status, 'issued')       AS internal_status,
           f.updated_at, f.updated_by
    FROM dashboard_open AS o
    SEMI JOIN selected AS s USING (customer_key)
    LEFT JOIN invoice_followups AS f USING (entity_id, invoice_id)
"""

GAP_GROUPS_SQL = """
SELECT s.agency_id, s.agency_name, s.manager_email, s.manager_name,
       count(*) FILTER (WHERE o.internal_status <> 'disputed')                        AS invoices,
       coalesce(sum(o.open_ttc) FILTER (WHERE o.internal_status <> 'disputed'), 0)    AS gap_ttc,
       coalesce(sum(o.open_ht) FILTER (WHERE o.internal_status <> 'disputed'), 0)     AS gap_ht,
       count(*) FILTER (WHERE o.internal_status = 'disputed')                         AS disputed,
       coalesce(sum(o.open_ttc) FILTER (WHERE o.internal_status = 'disputed'), 0)     AS disputed_ttc,
       coalesce(sum(o.open_ht) FILTER (WHERE o.internal_status = 'disputed'), 0)      AS disputed_ht
FROM open_live AS o
JOIN selected AS s USING (customer_key)
WHERE o.expected_date < $today
GROUP BY ALL
"""

GAP_ROWS_SQL = """
WITH largest AS (
    SELECT o.*, s.manager_name, s.agency_name
    FROM open_live AS o
    JOIN selected AS s USING (customer_key)
    WHERE o.expected_date < $today AND o.internal_status <> 'disputed'
    ORDER BY CASE WHEN $without_tax THEN o.open_ht ELSE o.open_ttc END DESC, o.expected_date, o.invoice_id
    LIMIT $limit
)
SELECT l.entity_id, l.invoice_id, l.invoice_number, c.name, l.manager_name, l.agency_name,
       l.open_ttc, l.open_ht, l.due_date, l.expected_date, $today - l.expected_date AS days_past_expected,
       l.internal_status, l.updated_at, l.updated_by
FROM largest AS l
LEFT JOIN pennylane_customers AS c USING (entity_id, customer_id)
ORDER BY CASE WHEN $without_tax THEN l.open_ht ELSE l.open_ttc END DESC, l.expected_date, l.invoice_id
"""

AGING_SQL = """
SELECT CASE WHEN o.due_date >= $today THEN 'not_due'
            WHEN $today - o.due_date <= 30 THEN '1_30'
            WHEN $today - o.due_date <= 60 THEN '31_60'
            WHEN $today - o.due_date <= 90 THEN '61_90'
            ELSE 'over_90' END                  AS bucket,
       s.agency_name, s.manager_name,
       count(*) AS invoices, sum(o.open_ttc) AS open_ttc, sum(o.open_ht) AS open_ht
FROM dashboard_open AS o
JOIN selected AS s USING (customer_key)
GROUP BY ALL
"""

# Receivables and overdue now; what came in and was invoiced since a week ago (to roll them
# back to a week ago, docs/metrics.md); net sales of the three months before today and before
# a week ago (DSO).
KPI_SQL = """
WITH open_now AS (
    SELECT sum(o.open_ttc) AS open_ttc, sum(o.open_ht) AS open_ht,
           sum(o.open_ttc) FILTER (WHERE o.due_date < $today) AS overdue_ttc,
           sum(o.open_ht) FILTER (WHERE o.due_date < $today) AS overdue_ht,
           sum(o.open_ttc) FILTER (WHERE o.due_date < $week_ago) AS overdue_then_ttc,
           sum(o.open_ht) FILTER (WHERE o.due_date < $week_ago) AS overdue_then_ht
    FROM dashboard_open AS o SEMI JOIN selected AS s USING (customer_key)
),
collected_since AS (
    SELECT sum(c.amount_ttc) AS ttc, sum(c.amount_ht) AS ht,
           sum(c.amount_ttc) FILTER (WHERE c.due_date < $week_ago) AS overdue_ttc,
           sum(c.amount_ht) FILTER (WHERE c.due_date < $week_ago) AS overdue_ht
    FROM dashboard_collected AS c SEMI JOIN selected AS s USING (customer_key)
    WHERE c.settled_on > $week_ago AND c.settled_on <= $today
),
sales AS (
    SELECT sum(d.net_ttc) FILTER (WHERE d.issue_date > $week_ago AND d.issue_date <= $today) AS issued_ttc,
           sum(d.net_ht) FILTER (WHERE d.issue_date > $week_ago AND d.issue_date <= $today) AS issued_ht,
           sum(d.net_ttc) FILTER (WHERE d.issue_date > $s1_after AND d.issue_date <= $s1_until) AS s1_ttc,
           sum(d.net_ttc) FILTER (WHERE d.issue_date > $s2_after AND d.issue_date <= $s2_until) AS s2_ttc,
           sum(d.net_ttc) FILTER (WHERE d.issue_date > $s3_after AND d.issue_date <= $s3_until) AS s3_ttc,
           sum(d.net_ht) FILTER (WHERE d.issue_date > $s1_after AND d.issue_date <= $s1_until) AS s1_ht,
           sum(d.net_ht) FILTER (WHERE d.issue_date > $s2_after AND d.issue_date <= $s2_until) AS s2_ht,
           sum(d.net_ht) FILTER (WHERE d.issue_date > $s3_after AND d.issue_date <= $s3_until) AS s3_ht,
           sum(d.net_ttc) FILTER (WHERE d.issue_date > $p1_after AND d.issue_date <= $p1_until) AS p1_ttc,
           sum(d.net_ttc) FILTER (WHERE d.issue_date > $p2_after AND d.issue_date <= $p2_until) AS p2_ttc,
           sum(d.net_ttc) FILTER (WHERE d.issue_date > $p3_after AND d.issue_date <= $p3_until) AS p3_ttc,
           sum(d.net_ht) FILTER (WHERE d.issue_date > $p1_after AND d.issue_date <= $p1_until) AS p1_ht,
           sum(d.net_ht) FILTER (WHERE d.issue_date > $p2_after AND d.issue_date <= $p2_until) AS p2_ht,
           sum(d.net_ht) FILTER (WHERE d.issue_date > $p3_after AND d.issue_date <= $p3_until) AS p3_ht
    FROM dashboard_invoices AS d SEMI JOIN selected AS s USING (customer_key)
    WHERE d.issue_date > $p3_after AND d.issue_date <= $today
)
SELECT coalesce(o.open_ttc, 0), coalesce(o.open_ht, 0), coalesce(o.overdue_ttc, 0), coalesce(o.overdue_ht, 0),
       coalesce(o.overdue_then_ttc, 0) + coalesce(c.overdue_ttc, 0),
       coalesce(o.overdue_then_ht, 0) + coalesce(c.overdue_ht, 0),
       coalesce(c.ttc, 0), coalesce(c.ht, 0), coalesce(sa.issued_ttc, 0), coalesce(sa.issued_ht, 0),
       dso_countback(coalesce(o.open_ttc, 0), sa.s1_ttc, sa.s2_ttc, sa.s3_ttc, $d1, $d2, $d3),
       dso_countback(coalesce(o.open_ht, 0), sa.s1_ht, sa.s2_ht, sa.s3_ht, $d1, $d2, $d3),
       coalesce(sa.s1_ttc, 0) + coalesce(sa.s2_ttc, 0) + coalesce(sa.s3_ttc, 0),
       coalesce(sa.s1_ht, 0) + coalesce(sa.s2_ht, 0) + coalesce(sa.s3_ht, 0),
       coalesce(sa.p1_ttc, 0), coalesce(sa.p2_ttc, 0), coalesce(sa.p3_ttc, 0),
       coalesce(sa.p1_ht, 0), coalesce(sa.p2_ht, 0), coalesce(sa.p3_ht, 0)
FROM open_now AS o, collected_since AS c, sales AS sa
"""

DSO_SQL = "SELECT dso_countback(CAST(? AS DECIMAL(18, 2)), ?, ?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class Week:
    start: date
    expected: Decimal
    """Net amount of the invoices expected that week (only what is still open, for a future week)."""
    collected: Decimal
    invoices: int
    future: bool

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"S{week:02d} {year}"


@dataclass(frozen=True)
class GapGroup:
    key: str
    label: str
    invoices: int
    amount: Decimal
    disputed: int
    disputed_amount: Decimal


@dataclass(frozen=True)
class GapInvoice:
    entity_id: str
    invoice_id: int
    invoice_number: str | None
    customer_name: str | None
    manager_name: str
    agency_name: str
    open_amount: Decimal
    due_date: date
    expected_date: date
    days_past_expected: int
    internal_status: str
    updated_at: datetime | None
    updated_by: str | None

    @property
    def last_action(self) -> str:
        """The collectors' latest move on the invoice, in words ("Accord de paiement (28/11/2026)")."""
        if self.updated_at is None:
            return "Aucune"
        label = INTERNAL_STATUS_LABELS.get(self.internal_status, self.internal_status)
        return f"{label} ({self.updated_at.date().strftime('%d/%m/%Y')})"


@dataclass(frozen=True)
class AgingCell:
    bucket: str
    agency: str
    manager: str
    invoices: int
    amount: Decimal


@dataclass(frozen=True)
class Kpis:
    receivables: Decimal
    receivables_week_ago: Decimal
    overdue: Decimal
    overdue_week_ago: Decimal
    collected_this_week: Decimal
    expected_this_week: Decimal
    collected_last_week: Decimal
    expected_last_week: Decimal
    dso: Decimal
    dso_week_ago: Decimal
    dso_capped: bool

    @property
    def overdue_share(self) -> Decimal | None:
        return None if self.receivables <= 0 else self.overdue / self.receivables

    @property
    def overdue_share_week_ago(self) -> Decimal | None:
        return None if self.receivables_week_ago <= 0 else self.overdue_week_ago / self.receivables_week_ago


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    today: date
    weeks: tuple[Week, ...]
    kpis: Kpis
    gap_total: Decimal
    gap_invoices: int
    disputed_total: Decimal
    disputed_invoices: int
    gap_by_manager: tuple[GapGroup, ...]
    gap_by_agency: tuple[GapGroup, ...]
    gap_rows: tuple[GapInvoice, ...]
    aging: tuple[AgingCell, ...]
    customers: int
    """Customers the view covers (scope and filters); 0 = the filters match nobody."""

    @property
    def empty(self) -> bool:
        """Nothing at all to show: no receivable, no cash in the period."""
        return (
            self.kpis.receivables == 0
            and not any(w.expected or w.collected for w in self.weeks)
            and self.kpis.collected_this_week == 0
        )


def params(filters: DashboardFilters) -> dict[str, Any]:
    """The filters as bound parameters of SELECTED_SQL."""
    return {
        "entities": list(filters.entities),
        "agencies": list(filters.agencies),
        "managers": list(filters.managers),
        "customers": list(filters.customers),
    }


@snapshot_cached(maxsize=64)
def dashboard(paths: StorePaths, scope: Scope, filters: DashboardFilters, *, today: date) -> Dashboard:
    """Every figure of the page for one view, in one read session (cached per store version)."""
    with read_session(paths, scope, today=today) as con:
        return compute(con, filters, today)


def compute(con: duckdb.DuckDBPyConnection, filters: DashboardFilters, today: date) -> Dashboard:
    base = params(filters)
    tax = filters.without_tax
    customers = select_customers(con, base)
    weeks = _weeks(con, filters.first_week, filters.period_end, today, tax)
    kpis = _kpis(con, today, tax)
    groups = con.execute(GAP_GROUPS_SQL, {"today": today}).fetchall()
    by_manager = _gap_groups(groups, key=2, label=3, tax=tax)
    by_agency = _gap_groups(groups, key=0, label=1, tax=tax)
    rows = con.execute(GAP_ROWS_SQL, {"today": today, "without_tax": tax, "limit": GAP_ROWS}).fetchall()
    gap_rows = tuple(
        GapInvoice(
            entity_id=r[0], invoice_id=r[1], invoice_number=r[2], customer_name=r[3], manager_name=r[4],
            agency_name=r[5], open_amount=r[7] if tax else r[6], due_date=r[8], expected_date=r[9],
            days_past_expected=int(r[10]), internal_status=r[11], updated_at=r[12], updated_by=r[13],
        )
        for r in rows
    )  # fmt: skip
    aging = tuple(
        AgingCell(bucket=r[0], agency=r[1], manager=r[2], invoices=int(r[3]), amount=r[5] if tax else r[4])
        for r in con.execute(AGING_SQL, {"today": today}).fetchall()
    )
    return Dashboard(
        filters=filters,
        today=today,
        weeks=weeks,
        kpis=kpis,
        gap_total=sum((g.amount for g in by_agency), ZERO),
        gap_invoices=sum(g.invoices for g in by_agency),
        disputed_total=sum((g.disputed_amount for g in by_agency), ZERO),
        disputed_invoices=sum(g.disputed for g in by_agency),
        gap_by_manager=tuple(g for g in by_manager if g.invoices),
        gap_by_agency=tuple(g for g in by_agency if g.invoices),
        gap_rows=gap_rows,
        aging=aging,
        customers=customers,
    )


def select_customers(con: duckdb.DuckDBPyConnection, base: dict[str, Any]) -> int:
    """Fill the session's `selected` customers (scope, then filters); how many they are."""
    con.execute(SELECTED_SQL, base)
    con.execute(MOVED_SQL)
    con.execute(OPEN_LIVE_SQL)
    row = con.execute("SELECT count(*) FROM selected").fetchone()
    return int(row[0]) if row else 0


def _weeks(con: duckdb.DuckDBPyConnection, first: date, last: date, today: date, tax: bool) -> tuple[Week, ...]:
    """One row per ISO week of [first, last], weeks with nothing included (a chart needs them)."""
    found = {r[0]: r for r in con.execute(WEEKLY_SQL, {"first": first, "last": last}).fetchall()}
    this_week = week_start(today)
    out = []
    monday = week_start(first)
    while monday <= last:
        r = found.get(monday)
        future = monday > this_week
        if r is None:
            out.append(Week(monday, ZERO, ZERO, 0, future))
        else:
            net, opened, collected = (r[2], r[4], r[7]) if tax else (r[1], r[3], r[6])
            out.append(Week(monday, opened if future else net, collected, int(r[5]), future))
        monday += timedelta(weeks=1)
    return tuple(out)


def _gap_groups(rows: list[tuple[Any, ...]], *, key: int, label: int, tax: bool) -> tuple[GapGroup, ...]:
    merged: dict[str, list[Any]] = {}
    for r in rows:
        g = merged.setdefault(r[key], [r[label], 0, ZERO, 0, ZERO])
        g[1] += int(r[4])
        g[2] += r[6] if tax else r[5]
        g[3] += int(r[7])
        g[4] += r[9] if tax else r[8]
    groups = [GapGroup(k, v[0], v[1], v[2], v[3], v[4]) for k, v in merged.items() if v[1] or v[3]]
    return tuple(sorted(groups, key=lambda g: (-g.amount, g.label)))


def _kpis(con: duckdb.DuckDBPyConnection, today: date, tax: bool) -> Kpis:
    week_ago = today - timedelta(days=7)
    bound: dict[str, Any] = {"today": today, "week_ago": week_ago}
    bound.update(dso.sales_params(today))
    for k, p in enumerate(dso.periods(week_ago), start=1):
        bound[f"p{k}_after"], bound[f"p{k}_until"] = p.after, p.until
    r = con.execute(KPI_SQL, bound).fetchone()
    assert r is not None
    i = 1 if tax else 0
    receivables, overdue, overdue_then = r[0 + i], r[2 + i], r[4 + i]
    collected_since, issued_since = r[6 + i], r[8 + i]
    dso_now, sales_3m = r[10 + i], r[12 + i]
    receivables_then = receivables - issued_since + collected_since
    then = [r[14 + 3 * i + k] for k in range(3)]
    then_days = [p.days for p in dso.periods(week_ago)]
    row = con.execute(DSO_SQL, [receivables_then, *then, *then_days]).fetchone()
    dso_then = row[0] if row else 0
    weekly = _weeks(con, week_start(today) - timedelta(weeks=1), week_start(today) + timedelta(days=6), today, tax)
    last_week, this_week = weekly[0], weekly[1]
    return Kpis(
        receivables=receivables,
        receivables_week_ago=receivables_then,
        overdue=overdue,
        overdue_week_ago=overdue_then,
        collected_this_week=this_week.collected,
        expected_this_week=this_week.expected,
        collected_last_week=last_week.collected,
        expected_last_week=last_week.expected,
        dso=Decimal(str(round(dso_now, 1))),
        dso_week_ago=Decimal(str(round(dso_then, 1))),
        dso_capped=receivables > 0 and receivables > max(sales_3m, ZERO),
    )
