"""The dashboard's sidebar: filters read from the address, shown as widgets, written back to it.

The address is the source of truth on a page's first run (a shared link opens the same view);
after that the widgets are, and every change rewrites the query string.
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from core import formatting
from core.dashboard.filters import DashboardFilters, from_query, to_query
from core.dashboard.options import MAX_MATCHES, customer_choices, filter_options
from core.scope import Scope
from core.store.paths import StorePaths

_PREFIX = "dashboard.filter."


def _query_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def sidebar_filters(paths: StorePaths, scope: Scope, today: date) -> DashboardFilters:
    from_url = from_query(_query_params(), today)
    options = filter_options(paths, scope, today=today)
    initial = {
        "entities": [e for e in from_url.entities if e in dict(options.entities)],
        "agencies": [a for a in from_url.agencies if a in dict(options.agencies)],
        "managers": [m for m in from_url.managers if m in dict(options.managers)],
        "customers": list(from_url.customers),
        "period": (from_url.first_week, from_url.period_end),
        "without_tax": from_url.without_tax,
    }
    for name, value in initial.items():
        st.session_state.setdefault(_PREFIX + name, value)

    with st.sidebar:
        st.header("Filtres")
        entity_names = dict(options.entities)
        st.multiselect(
            "Entité", list(entity_names), format_func=entity_names.__getitem__,
            key=_PREFIX + "entities", placeholder="Toutes",
        )  # fmt: skip
        agency_names = dict(options.agencies)
        st.multiselect(
            "Agence", list(agency_names), format_func=agency_names.__getitem__,
            key=_PREFIX + "agencies", placeholder="Toutes",
        )  # fmt: skip
        manager_names = dict(options.managers)
        st.multiselect(
            "Gestionnaire de compte", list(manager_names), format_func=manager_names.__getitem__,
            key=_PREFIX + "managers", placeholder="Tous",
        )  # fmt: skip
        search = st.text_input("Rechercher un client", key=_PREFIX + "search", max_chars=100)
        chosen = tuple(st.session_state[_PREFIX + "customers"])
        choices = dict(customer_choices(paths, scope, search if search else "", chosen, today=today))
        if not search and not chosen:
            choices = {}
        st.multiselect(
            "Client", list(dict.fromkeys([*chosen, *choices])), format_func=lambda k: choices.get(k, k),
            key=_PREFIX + "customers", placeholder="Tous" if not search else f"{len(choices)} client(s) trouvé(s)",
            help=f"Tapez une partie du nom ci-dessus : les {MAX_MATCHES} premiers clients trouvés sont proposés.",
        )  # fmt: skip
        period = st.date_input(
            "Période (semaines ISO)", key=_PREFIX + "period", format="DD/MM/YYYY",
            help="Par défaut : les 12 dernières semaines et les 8 prochaines.",
        )  # fmt: skip
        st.toggle("Montants hors taxes", key=_PREFIX + "without_tax")

    first, last = from_url.first_week, from_url.last_week
    if isinstance(period, tuple) and len(period) == 2:
        first, last = formatting.week_start(period[0]), formatting.week_start(period[1])
    filters = DashboardFilters(
        first_week=first,
        last_week=last,
        entities=tuple(st.session_state[_PREFIX + "entities"]),
        agencies=tuple(st.session_state[_PREFIX + "agencies"]),
        managers=tuple(st.session_state[_PREFIX + "managers"]),
        customers=tuple(st.session_state[_PREFIX + "customers"]),
        without_tax=bool(st.session_state[_PREFIX + "without_tax"]),
        notes=from_url.notes,
    )
    wanted = to_query(filters, today)
    if wanted != _query_params():
        st.query_params.from_dict(wanted)
    with st.sidebar:
        st.caption(
            f"Du {formatting.day(first)} au {formatting.day(last + timedelta(days=6))} "
            f"({formatting.iso_week(first)} à {formatting.iso_week(last)})."
        )
    return filters
