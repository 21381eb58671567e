"""The sidebars of the invoice and customer lists: widgets seeded from the URL, read back into
filters through the same codec as any link (core.lists.filters), and written to the URL.

Session keys: `inv.f.<parameter>` and `cli.f.<parameter>` for the widgets (named after the URL
parameter they hold), `<prefix>.page` for the page number the page renders under its grid,
`<prefix>.url` and `<prefix>.last` for what was last written and filtered (ui.query_filters).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import streamlit as st

from core.lists.choices import ListChoices
from core.lists.filters import (
    CUSTOMER_SORTS,
    INTERNAL_STATUS_LABELS,
    INVOICE_SORTS,
    STATUS_LABELS,
    CustomerFilters,
    InvoiceFilters,
    customer_filters_from_query,
    customer_filters_to_query,
    from_query,
    to_query,
)
from ui import query_filters

INVOICES, CUSTOMERS = "inv", "cli"
_OLDEST, _LATEST = date(1990, 1, 1), date(2099, 12, 31)
_DATE_PARAMS = {
    "emission_du": "issued_from",
    "emission_au": "issued_to",
    "echeance_du": "due_from",
    "echeance_au": "due_to",
    "attendu_du": "expected_from",
    "attendu_au": "expected_to",
}


def _key(prefix: str, name: str) -> str:
    return f"{prefix}.f.{name}"


def page_key(prefix: str) -> str:
    return prefix + ".page"


def _known(
    prefix: str, name: str, values: tuple[Any, ...], options: Mapping[Any, str], what: str, messages: list[str]
) -> None:
    """Seed a multiselect with the values it offers; the others are out of scope or unknown."""
    kept = [v for v in values if v in options]
    for value in values:
        if value not in options:
            shown = f"{value[0]}:{value[1]}" if isinstance(value, tuple) else str(value)
            messages.append(f"{what} « {shown[:60]} » inconnu(e) ou hors de votre périmètre : filtre ignoré.")
    st.session_state[_key(prefix, name)] = kept


def _sort(prefix: str, sort: str) -> None:
    st.session_state[_key(prefix, "tri")] = sort.lstrip("-")
    st.session_state[_key(prefix, "desc")] = sort.startswith("-")


def _seed_invoices(filters: InvoiceFilters, choices: ListChoices) -> list[str]:
    messages: list[str] = []
    p = INVOICES
    _known(p, "entite", filters.entities, choices.entities, "Entité", messages)
    _known(p, "agence", filters.agencies, choices.agencies, "Agence", messages)
    _known(p, "gestionnaire", filters.managers, choices.managers, "Gestionnaire", messages)
    _known(p, "client", filters.customers, choices.customers, "Client", messages)
    st.session_state[_key(p, "statut")] = list(filters.statuses)
    st.session_state[_key(p, "suivi")] = list(filters.internal_statuses)
    for name, attribute in _DATE_PARAMS.items():
        value = getattr(filters, attribute)
        if value is not None and not _OLDEST <= value <= _LATEST:
            messages.append(f"Date « {value.isoformat()} » hors des années 1990 à 2099 : filtre ignoré.")
            value = None
        st.session_state[_key(p, name)] = value
    st.session_state[_key(p, "retard_min")] = filters.days_late_min
    st.session_state[_key(p, "retard_max")] = filters.days_late_max
    st.session_state[_key(p, "montant_min")] = "" if filters.amount_min is None else str(filters.amount_min)
    st.session_state[_key(p, "montant_max")] = "" if filters.amount_max is None else str(filters.amount_max)
    st.session_state[_key(p, "ouvertes")] = filters.open_only
    st.session_state[_key(p, "litige")] = filters.disputed
    st.session_state[_key(p, "ecart")] = filters.gap
    st.session_state[_key(p, "q")] = filters.search
    _sort(p, filters.sort)
    st.session_state[page_key(p)] = filters.page
    return messages


def _multiselect(prefix: str, name: str, label: str, options: Mapping[Any, str], **kwargs: Any) -> None:
    st.multiselect(
        label, list(options), format_func=lambda v: options.get(v, str(v)), key=_key(prefix, name),
        placeholder="Toutes", **kwargs,
    )  # fmt: skip


def _dates(prefix: str, label: str, start: str, end: str) -> None:
    left, right = st.columns(2)
    for column, name, word in ((left, start, "du"), (right, end, "au")):
        column.date_input(
            f"{label} {word}", value=None, min_value=_OLDEST, max_value=_LATEST, format="DD/MM/YYYY",
            key=_key(prefix, name),
        )  # fmt: skip


def _state(prefix: str, name: str) -> Any:
    return st.session_state.get(_key(prefix, name))


def _values(prefix: str, name: str) -> list[str]:
    return [f"{v[0]}:{v[1]}" if isinstance(v, tuple) else str(v) for v in _state(prefix, name) or []]


def _one(value: Any) -> list[str]:
    if value is None or value == "" or value is False:
        return []
    if value is True:
        return ["1"]
    if isinstance(value, date):
        return [value.isoformat()]
    return [str(value)]


def _sorted(prefix: str) -> list[str]:
    return [("-" if _state(prefix, "desc") else "") + str(_state(prefix, "tri"))]


def invoice_sidebar(choices: ListChoices) -> tuple[InvoiceFilters, list[str]]:
    """The invoice list's filters from the sidebar (seeded from the URL when it is new), and the
    French messages for what was ignored. The page number is the one under the grid."""
    p = INVOICES
    messages: list[str] = []
    if query_filters.url_is_new(p):
        url_filters, messages = from_query(query_filters.current())
        messages += _seed_invoices(url_filters, choices)
        st.session_state.pop(p + ".last", None)  # the link's page stands
    with st.sidebar:
        st.header("Filtres")
        st.text_input("Recherche", key=_key(p, "q"), placeholder="N°, libellé ou client", max_chars=200)
        _multiselect(p, "statut", "Statut", STATUS_LABELS)
        _multiselect(p, "suivi", "Suivi interne", INTERNAL_STATUS_LABELS)
        if len(choices.entities) > 1:
            _multiselect(p, "entite", "Entité", choices.entities)
        _multiselect(p, "agence", "Agence", choices.agencies)
        _multiselect(p, "gestionnaire", "Gestionnaire", choices.managers)
        customer_names = {k: choices.customer_label(k) for k in choices.customers}
        _multiselect(p, "client", "Client", customer_names)
        _dates(p, "Émission", "emission_du", "emission_au")
        _dates(p, "Échéance", "echeance_du", "echeance_au")
        _dates(p, "Attendue", "attendu_du", "attendu_au")
        left, right = st.columns(2)
        left.number_input(
            "Retard min. (j)", value=None, min_value=0, max_value=99_999, step=1, key=_key(p, "retard_min")
        )
        right.number_input(
            "Retard max. (j)", value=None, min_value=0, max_value=99_999, step=1, key=_key(p, "retard_max")
        )
        left.text_input("Montant TTC min. (€)", key=_key(p, "montant_min"), max_chars=20)
        right.text_input("Montant TTC max. (€)", key=_key(p, "montant_max"), max_chars=20)
        st.checkbox("Ouvertes seulement", key=_key(p, "ouvertes"), help="Montant ouvert non nul.")
        st.checkbox("En litige", key=_key(p, "litige"))
        st.checkbox(
            "Écart : date attendue dépassée", key=_key(p, "ecart"),
            help="Factures non encaissées dont la date attendue (accord de paiement, sinon échéance) est passée, "
            "hors litiges (comptés à part, comme au tableau de bord).",
        )  # fmt: skip
        _sort_widgets(p, INVOICE_SORTS)
    query = {
        name: _values(p, name) for name in ("entite", "agence", "gestionnaire", "client", "statut", "suivi")
    } | {
        name: _one(_state(p, name))
        for name in (*_DATE_PARAMS, "retard_min", "retard_max", "montant_min", "montant_max", "ouvertes", "litige", "ecart", "q")
    }  # fmt: skip
    filters, widget_messages = from_query(query | {"tri": _sorted(p)})
    return _paged(p, filters), messages + widget_messages


def _sort_widgets(prefix: str, sorts: Mapping[str, str]) -> None:
    st.selectbox("Trier par", list(sorts), format_func=sorts.__getitem__, key=_key(prefix, "tri"), filter_mode=None)
    st.checkbox("Ordre décroissant", key=_key(prefix, "desc"))


def _paged(prefix: str, filters: Any) -> Any:
    """`filters` with the page under the grid; back to page 1 when anything else changed."""
    previous = st.session_state.get(prefix + ".last")
    st.session_state[prefix + ".last"] = filters
    if previous is not None and previous != filters:
        st.session_state[page_key(prefix)] = 1
    page = st.session_state.get(page_key(prefix)) or 1
    return replace(filters, page=int(page))


def remember(prefix: str, query: dict[str, list[str]], page: int) -> None:
    """After the query: the page actually shown (a page past the end is the last one) and the URL."""
    st.session_state[page_key(prefix)] = page
    query_filters.write(prefix, query)


def remember_invoices(filters: InvoiceFilters, page: int) -> None:
    remember(INVOICES, to_query(replace(filters, page=page)), page)


def _seed_customers(filters: CustomerFilters, choices: ListChoices) -> list[str]:
    messages: list[str] = []
    p = CUSTOMERS
    _known(p, "entite", filters.entities, choices.entities, "Entité", messages)
    _known(p, "agence", filters.agencies, choices.agencies, "Agence", messages)
    _known(p, "gestionnaire", filters.managers, choices.managers, "Gestionnaire", messages)
    st.session_state[_key(p, "q")] = filters.search
    st.session_state[_key(p, "echus")] = filters.overdue_only
    st.session_state[_key(p, "ouvertes")] = filters.open_only
    _sort(p, filters.sort)
    st.session_state[page_key(p)] = filters.page
    return messages


def customer_sidebar(choices: ListChoices) -> tuple[CustomerFilters, list[str]]:
    p = CUSTOMERS
    messages: list[str] = []
    if query_filters.url_is_new(p):
        url_filters, messages = customer_filters_from_query(query_filters.current())
        messages += _seed_customers(url_filters, choices)
        st.session_state.pop(p + ".last", None)
    with st.sidebar:
        st.header("Filtres")
        st.text_input("Recherche", key=_key(p, "q"), placeholder="Nom du client", max_chars=200)
        if len(choices.entities) > 1:
            _multiselect(p, "entite", "Entité", choices.entities)
        _multiselect(p, "agence", "Agence", choices.agencies)
        _multiselect(p, "gestionnaire", "Gestionnaire", choices.managers)
        st.checkbox("Avec des factures échues", key=_key(p, "echus"))
        st.checkbox("Avec un montant ouvert", key=_key(p, "ouvertes"))
        _sort_widgets(p, CUSTOMER_SORTS)
    query = {name: _values(p, name) for name in ("entite", "agence", "gestionnaire")} | {
        name: _one(_state(p, name)) for name in ("q", "echus", "ouvertes")
    }
    filters, widget_messages = customer_filters_from_query(query | {"tri": _sorted(p)})
    return _paged(p, filters), messages + widget_messages


def remember_customers(filters: CustomerFilters, page: int) -> None:
    remember(CUSTOMERS, customer_filters_to_query(replace(filters, page=page)), page)


PageMove = Callable[[], None]


def page_moves(prefix: str, pages: int) -> tuple[PageMove, PageMove]:
    """Callbacks of the "previous" and "next" buttons (they run before the page's next run)."""

    def move(step: int) -> PageMove:
        def go() -> None:
            current = int(st.session_state.get(page_key(prefix)) or 1)
            st.session_state[page_key(prefix)] = min(max(1, current + step), pages)

        return go

    return move(-1), move(1)
