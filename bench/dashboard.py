"""Dashboard figures for `make bench` on the 1M-invoice store: each query's p95 with live
follow-ups on 1,000 invoices (agreement dates and disputes recorded since the sync), and the
page's whole server-side run in AppTest, uncached and cached."""

from __future__ import annotations

import logging
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from core.dashboard import figures
from core.dashboard.filters import DashboardFilters, default_filters
from core.metrics import dso
from core.scope import everything, scope_of
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

log = logging.getLogger("encours.bench")
ROOT = Path(__file__).resolve().parents[1]


def record_live_followups(paths: StorePaths, count: int = 1_000, seed: int = 7) -> None:
    """`count` open invoices get a collector's follow-up: two in three an agreement date, the rest a dispute."""
    with read_session(paths, everything(), today=date.today()) as con:
        keys = con.execute("SELECT entity_id, invoice_id, due_date FROM dashboard_open ORDER BY ALL").fetchall()
    rng = random.Random(seed)
    picked = rng.sample(keys, min(count, len(keys)))
    now = datetime.now(UTC).isoformat()
    with operations.session(paths) as ops, operations.transaction(ops):
        ops.execute("DELETE FROM invoice_followups")
        ops.executemany(
            "INSERT INTO invoice_followups (entity_id, invoice_id, internal_status, agreement_date, updated_at, "
            "updated_by) VALUES (?, ?, ?, ?, ?, 'bench')",
            [
                (e, i, "payment_agreement", (d + timedelta(days=rng.randint(5, 60))).isoformat(), now)
                if n % 3
                else (e, i, "disputed", None, now)
                for n, (e, i, d) in enumerate(picked)
            ],
        )


def _statements(filters: DashboardFilters, today: date) -> dict[str, tuple[str, Any]]:
    """The page's queries, each as the dashboard runs it (after `selected`, `moved`, `open_live`)."""
    week_ago = today - timedelta(days=7)
    kpi: dict[str, Any] = {"today": today, "week_ago": week_ago, **dso.sales_params(today)}
    for k, p in enumerate(dso.periods(week_ago), start=1):
        kpi[f"p{k}_after"], kpi[f"p{k}_until"] = p.after, p.until
    return {
        "weekly": (figures.WEEKLY_SQL, {"first": filters.first_week, "last": filters.period_end}),
        "kpis": (figures.KPI_SQL, kpi),
        "gap_groups": (figures.GAP_GROUPS_SQL, {"today": today}),
        "gap_rows": (figures.GAP_ROWS_SQL, {"today": today, "without_tax": False, "limit": figures.GAP_ROWS}),
        "aging": (figures.AGING_SQL, {"today": today}),
    }


def query_p95_ms(paths: StorePaths, today: date, rounds: int = 40) -> dict[str, float]:
    """p95 of each query over `rounds` page loads, for three views: everything, one agency, a sales rep."""
    with read_session(paths, everything(), today=today) as con:
        agency = con.execute("SELECT agency_id FROM agencies ORDER BY agency_id LIMIT 1").fetchone()
        rep = con.execute(
            "SELECT email FROM customer_managers GROUP BY email ORDER BY count(*) DESC, email LIMIT 1"
        ).fetchone()
    base = default_filters(today)
    views = [("tous", everything(), base)]
    if agency:
        views.append(("agence", everything(), DashboardFilters(**{**base.__dict__, "agencies": (agency[0],)})))
    if rep:
        views.append(("commercial", scope_of(paths, rep[0]), base))
    timings: dict[str, list[float]] = {}
    for _ in range(rounds):
        for _, scope, filters in views:
            with read_session(paths, scope, today=today) as con:
                for name, sql, bound in (
                    ("selected", figures.SELECTED_SQL, figures.params(filters)),
                    ("moved", figures.MOVED_SQL, None),
                    ("open_live", figures.OPEN_LIVE_SQL, None),
                ):
                    started = time.perf_counter()
                    con.execute(sql, bound)
                    timings.setdefault(name, []).append(time.perf_counter() - started)
                for name, (sql, params) in _statements(filters, today).items():
                    started = time.perf_counter()
                    con.execute(sql, params).fetchall()
                    timings.setdefault(name, []).append(time.perf_counter() - started)
    p95 = {name: round(sorted(v)[int(0.95 * len(v)) - 1] * 1000, 1) for name, v in timings.items()}
    log.info("dashboard query p95 (ms): %s", p95)
    return p95


def page_run_s(paths: StorePaths, rounds: int = 5) -> tuple[float, float]:
    """Median wall time of the dashboard page's run in AppTest: caches cleared, then cached."""
    from streamlit.testing.v1 import AppTest

    from core.access.accounts import open_session
    from core.dashboard.options import customer_choices, filter_options
    from core.formatting import paris_now
    from core.home import entity_summaries

    with operations.session(paths) as ops:
        (email,) = ops.execute("SELECT email FROM users WHERE role = 'admin' AND active = 1 LIMIT 1").fetchone()
        token = open_session(ops, email, "demo", now=paris_now())
    os.environ["ENCOURS_DATA_DIR"] = str(paths.data_dir)
    os.environ.pop("PENNYLANE_API_TOKEN", None)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["encours.session_token"] = token
    at.run()
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception, at.exception
    cached_fns = [figures.dashboard, filter_options, customer_choices, entity_summaries]
    uncached, cached = [], []
    for _ in range(rounds):
        for fn in cached_fns:
            getattr(fn, "cache_clear", lambda: None)()
        started = time.perf_counter()
        at.run()
        uncached.append(time.perf_counter() - started)
        started = time.perf_counter()
        at.run()
        cached.append(time.perf_counter() - started)
        assert not at.exception
    return round(sorted(uncached)[rounds // 2], 3), round(sorted(cached)[rounds // 2], 3)


def dashboard_benchmarks(data_dir: Path, today: date) -> dict[str, Any]:
    paths = StorePaths(data_dir)
    record_live_followups(paths)
    p95 = query_p95_ms(paths, today)
    uncached, cached = page_run_s(paths)
    results: dict[str, Any] = {f"dashboard.query_p95_ms.{k}": v for k, v in p95.items()}
    results["dashboard.query_p95_ms"] = max(p95.values())
    results["dashboard.page_run_s"] = uncached
    results["dashboard.page_run_cached_s"] = cached
    return results
