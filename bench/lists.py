"""`lists.first_page_p95_ms`: the invoice list's first page and the totals of the whole filtered
set, uncached, on the 1M-invoice store, over five typical filters (issue 10's target ≤ 200 ms)."""

from __future__ import annotations

import logging
import os
import time
from datetime import date
from typing import Any

from core.lists.choices import list_choices
from core.lists.filters import from_query
from core.lists.invoices import query_page
from core.scope import everything
from core.store.paths import StorePaths

log = logging.getLogger("encours.bench")

TYPICAL_FILTERS: dict[str, dict[str, list[str]]] = {
    "tout": {},
    "agence_lyon_retard_30": {"agence": ["lyon"], "retard_min": ["30"]},
    "echues_5000_par_montant_ouvert": {"statut": ["overdue"], "montant_min": ["5000"], "tri": ["-ouvert"]},
    "ecart_gestionnaire": {"ecart": ["1"]},  # + the store's first account manager (a dashboard drill-down)
    "recherche_client": {"q": ["boul"]},
}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def lists_benchmark(paths: StorePaths, today: date, rounds: int = 20) -> dict[str, Any]:
    """Each filter `rounds` times, through core.lists.invoices.query_page (no cache): wall time of
    the read session, the totals query and the LIMITed page query together."""
    timings: dict[str, list[float]] = {name: [] for name in TYPICAL_FILTERS}
    scope = everything()
    manager = next(iter(list_choices(paths, scope, today=today).managers), "")
    query_page(paths, scope, from_query({})[0], today=today)  # warm the OS cache and the live overlay once
    for _ in range(rounds):
        for name, query in TYPICAL_FILTERS.items():
            extra = {"gestionnaire": [manager]} if name == "ecart_gestionnaire" else {}
            filters, messages = from_query(query | extra)
            assert not messages, messages
            started = time.perf_counter()
            query_page(paths, scope, filters, today=today)
            timings[name].append((time.perf_counter() - started) * 1000)
    every = [t for values in timings.values() for t in values]
    results: dict[str, Any] = {
        "lists.first_page_p95_ms": round(p95(every), 1),
        "lists.first_page_p50_ms": round(sorted(every)[len(every) // 2], 1),
        "lists.load_average_1m": round(os.getloadavg()[0], 2),  # other processes on the machine skew it
    }
    for name, values in timings.items():
        results[f"lists.first_page_p95_ms.{name}"] = round(p95(values), 1)
    log.info("lists: %s", results)
    return results
