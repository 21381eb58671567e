"""The dashboard's filters and their form in the URL, so a view can be shared by its address.

Parameter names are the invoice list's (`entite`, `agence`, `gestionnaire`, `client`), so a
drill-down carries them over; the period is two ISO weeks (`du=2026-W36`, `au=2026-W56`…) and
`ht=1` shows amounts before tax. What cannot be read is ignored and said, in French: an address
never breaks the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from core.formatting import week_start

PAST_WEEKS = 12
"""Default period: the last 12 ISO weeks (this one included)…"""
NEXT_WEEKS = 8
"""…and the next 8."""
MAX_WEEKS = 160
"""A longer period is cut to this many weeks (about three years), counted from its end."""

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_CUSTOMER = re.compile(r"^([A-Za-z0-9_.-]{1,64}):(\d{1,18})$")
_MAX_VALUES = 200
_MAX_TEXT = 254


@dataclass(frozen=True)
class DashboardFilters:
    first_week: date
    """Monday of the first ISO week shown."""
    last_week: date
    """Monday of the last ISO week shown."""
    entities: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    """Account managers' e-mails: a customer matches when one of them is its primary manager."""
    customers: tuple[str, ...] = ()
    """`entity_id:customer_id` keys."""
    without_tax: bool = False
    notes: tuple[str, ...] = field(default=(), compare=False)
    """What the address asked for and could not be read (French, for the page)."""

    @property
    def period_end(self) -> date:
        """Sunday of the last week."""
        return self.last_week + timedelta(days=6)

    @property
    def narrowed(self) -> bool:
        """Whether anything narrows the customers (beyond the user's own scope)."""
        return bool(self.entities or self.agencies or self.managers or self.customers)


def default_filters(today: date) -> DashboardFilters:
    this_week = week_start(today)
    return DashboardFilters(
        first_week=this_week - timedelta(weeks=PAST_WEEKS - 1), last_week=this_week + timedelta(weeks=NEXT_WEEKS)
    )


def iso_week_param(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_iso_week(text: str) -> date | None:
    """`2026-W48` → Monday 23/11/2026; None when it is not an ISO week that exists."""
    found = _WEEK.match(text.strip())
    if not found:
        return None
    try:
        return date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        return None


def from_query(params: Mapping[str, Sequence[str]], today: date) -> DashboardFilters:
    """Read the filters from a query string (each name → its values); defaults where absent."""
    base = default_filters(today)
    notes: list[str] = []

    def values(name: str) -> tuple[str, ...]:
        raw = [v for v in params.get(name, ()) if v is not None]
        kept = tuple(dict.fromkeys(v.strip() for v in raw if v.strip() and len(v) <= _MAX_TEXT))
        if len(kept) < len([v for v in raw if v.strip()]):
            notes.append(f"Valeur trop longue ignorée pour « {name} ».")
        if len(kept) > _MAX_VALUES:
            notes.append(f"Trop de valeurs pour « {name} » : seules les {_MAX_VALUES} premières sont prises.")
        return kept[:_MAX_VALUES]

    customers = []
    for key in values("client"):
        if _CUSTOMER.match(key):
            customers.append(key)
        else:
            notes.append(f"Client « {key[:40]} » illisible : ignoré.")

    first, last = base.first_week, base.last_week
    for name, label in (("du", "début"), ("au", "fin")):
        given = values(name)
        if not given:
            continue
        monday = parse_iso_week(given[0])
        if monday is None:
            notes.append(f"Semaine de {label} « {given[0][:20]} » illisible (attendu : 2026-W48) : période par défaut.")
        elif name == "du":
            first = monday
        else:
            last = monday
    if first > last:
        notes.append("La semaine de début est après la semaine de fin : elles sont inversées.")
        first, last = last, first
    if (last - first).days // 7 + 1 > MAX_WEEKS:
        notes.append(f"Période limitée aux {MAX_WEEKS} dernières semaines demandées.")
        first = last - timedelta(weeks=MAX_WEEKS - 1)

    tax = values("ht")
    return DashboardFilters(
        first_week=first,
        last_week=last,
        entities=values("entite"),
        agencies=values("agence"),
        managers=tuple(m.lower() for m in values("gestionnaire")),
        customers=tuple(customers),
        without_tax=bool(tax) and tax[0] in ("1", "oui", "true"),
        notes=tuple(notes),
    )


def to_query(filters: DashboardFilters, today: date) -> dict[str, list[str]]:
    """The query string of a view: only what differs from the defaults, so addresses stay short."""
    base = default_filters(today)
    out: dict[str, list[str]] = {}
    for name, vals in (
        ("entite", filters.entities),
        ("agence", filters.agencies),
        ("gestionnaire", filters.managers),
        ("client", filters.customers),
    ):
        if vals:
            out[name] = list(vals)
    if filters.first_week != base.first_week:
        out["du"] = [iso_week_param(filters.first_week)]
    if filters.last_week != base.last_week:
        out["au"] = [iso_week_param(filters.last_week)]
    if filters.without_tax:
        out["ht"] = ["1"]
    return out
