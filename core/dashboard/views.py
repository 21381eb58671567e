"""What the dashboard page prints, prepared without Streamlit: the KPI tiles with their change,
the entities' freshness line, and the invoice-list address a drill-down opens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from core import formatting
from core.dashboard.figures import Kpis
from core.dashboard.filters import DashboardFilters
from core.home import entity_summaries
from core.lists.filters import NONE
from core.metrics.dso import CAP_DAYS_LABEL
from core.scope import Scope
from core.store.paths import StorePaths


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None
    delta_color: Literal["normal", "inverse", "off"]
    help: str


def _signed_money(value: Decimal) -> str:
    text = formatting.money(value, cents=False)
    return text if value < 0 else "+" + text


def _percent(value: Decimal | None) -> str:
    return "—" if value is None else formatting.number(round(value * 100, 1)) + " %"


def kpi_tiles(k: Kpis) -> list[Tile]:
    """Five tiles: receivables, overdue (and share), this week's cash vs expected, DSO, each with
    its change since a week ago (docs/metrics.md)."""
    share, share_before = k.overdue_share, k.overdue_share_week_ago
    share_delta = None
    if share is not None and share_before is not None:
        points = round((share - share_before) * 100, 1)
        share_delta = ("+" if points >= 0 else "") + formatting.number(points) + " pt"
    dso = CAP_DAYS_LABEL if k.dso_capped else formatting.number(k.dso) + " j"
    dso_delta = k.dso - k.dso_week_ago
    return [
        Tile(
            "Encours",
            formatting.money(k.receivables, cents=False),
            _signed_money(k.receivables - k.receivables_week_ago) + " sur 7 j",
            "inverse",
            f"Montant restant dû des factures émises : {formatting.money(k.receivables)}. "
            f"Il y a 7 jours : {formatting.money(k.receivables_week_ago)}.",
        ),
        Tile(
            "Échu",
            formatting.money(k.overdue, cents=False),
            _signed_money(k.overdue - k.overdue_week_ago) + " sur 7 j",
            "inverse",
            f"Restant dû des factures dont l'échéance est passée : {formatting.money(k.overdue)}. "
            f"Il y a 7 jours : {formatting.money(k.overdue_week_ago)}.",
        ),
        Tile(
            "Part échue",
            _percent(share),
            share_delta,
            "inverse",
            f"Échu ÷ encours. Il y a 7 jours : {_percent(share_before)}.",
        ),
        Tile(
            "Encaissé (semaine)",
            formatting.money(k.collected_this_week, cents=False),
            f"attendu {formatting.money(k.expected_this_week, cents=False)}",
            "off",
            f"Semaine précédente : {formatting.money(k.collected_last_week)} encaissés "
            f"pour {formatting.money(k.expected_last_week)} attendus.",
        ),
        Tile(
            "DSO",
            dso,
            ("+" if dso_delta >= 0 else "") + formatting.number(dso_delta) + " j sur 7 j",
            "inverse",
            "Délai moyen d'encaissement, méthode de l'épuisement sur 3 mois. "
            f"Il y a 7 jours : {formatting.number(k.dso_week_ago)} j.",
        ),
    ]


def entity_freshness(paths: StorePaths, scope: Scope, *, today: date) -> list[str]:
    """One short line per entity of the scope: when its data was synchronised, or what is wrong."""
    lines = []
    for s in entity_summaries(paths, scope, today=today):
        synced = formatting.moment(s.published_sync_at) if s.published_sync_at else "jamais synchronisée"
        warnings = ["dernière synchronisation en échec"] if s.last_error else []
        if s.rejected:
            warnings.append(f"{formatting.number(s.rejected)} enregistrement(s) Pennylane écarté(s)")
        if s.gaps:
            warnings.append(s.gaps)
        tail = "".join(f" ⚠ {w}" for w in warnings)
        lines.append(f"{s.name} : données du {synced}{tail}")
    return lines


def drill_down_query(
    filters: DashboardFilters,
    *,
    expected_week: date | None = None,
    gap: bool = False,
    agence: str | None = None,
    gestionnaire: str | None = None,
    search: str | None = None,
) -> dict[str, list[str]]:
    """The invoice list's query string for what was clicked, with the dashboard's filters carried over."""
    query: dict[str, list[str]] = {}
    for name, values in (
        ("entite", filters.entities),
        ("agence", filters.agencies),
        ("gestionnaire", filters.managers),
        ("client", filters.customers),
    ):
        if values:
            query[name] = list(values)
    if agence is not None:
        query["agence"] = [agence or NONE]  # "": the customers without an agency
    if gestionnaire is not None:
        query["gestionnaire"] = [gestionnaire or NONE]
    if expected_week is not None:
        query["attendu_du"] = [expected_week.isoformat()]
        query["attendu_au"] = [(expected_week + timedelta(days=6)).isoformat()]
    if gap:
        query["ecart"] = ["1"]
    if search:
        query["q"] = [search]
    return query
