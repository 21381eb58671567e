"""The lists' filters and their URL form: what the page's sidebar, the dashboard's drill-downs,
the exports and `python -m jobs.export --filters` all speak (docs/lists.md).

`from_query` never raises: whatever arrives in a URL (quotes, `%`, 10,000 characters, a date
that is not one, a range whose minimum is above its maximum…) is either a valid filter or a
French message saying what was ignored. The values are only ever bound as SQL parameters
(core.lists.invoices); sort keys come from a whitelist.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from core import formatting

STATUS_LABELS: dict[str, str] = {
    "not_due": "Non échue",
    "overdue": "Échue",
    "paid": "Payée",
    "cancelled": "Annulée",
    "credit_note": "Avoir",
    "draft": "Brouillon",
    "archived": "Archivée",
}
"""`invoices.status` codes (docs/schema.md) and their French labels."""

INTERNAL_STATUS_LABELS: dict[str, str] = {
    "issued": "Émise",
    "reminded": "Relancée",
    "payment_agreement": "Accord de paiement",
    "disputed": "En litige",
    "collected": "Encaissée",
}
"""`invoices.internal_status` codes (collectors' follow-up) and their French labels."""

INVOICE_SORTS: dict[str, str] = {
    "numero": "N° de facture",
    "libelle": "Libellé",
    "client": "Client",
    "entite": "Entité",
    "agence": "Agence",
    "gestionnaire": "Gestionnaire",
    "emission": "Date d'émission",
    "echeance": "Échéance",
    "attendu": "Date attendue",
    "montant": "Montant TTC",
    "ouvert": "Montant ouvert",
    "retard": "Jours de retard",
    "statut": "Statut",
    "suivi": "Suivi",
}
"""The invoice list's column keys (the `tri` parameter), in the grid's order."""
INVOICE_DEFAULT_SORT = "-echeance"

CUSTOMER_SORTS: dict[str, str] = {
    "client": "Client",
    "entite": "Entité",
    "agence": "Agence",
    "factures": "Factures",
    "ouvert": "Montant ouvert",
    "echu": "Dont échu",
    "dernier_paiement": "Dernier paiement",
    "dso": "DSO",
}
CUSTOMER_DEFAULT_SORT = "-ouvert"

MAX_VALUES = 100
"""At most this many values of one repeatable parameter are read."""
MAX_SEARCH = 200
"""A longer search text is ignored (a message says so)."""
MAX_ID = 120
_DAYS_MAX = 99_999
_AMOUNT = re.compile(r"-?\d{1,13}(?:[.,]\d{1,2})?")
NONE = "-"
"""As an agency or account manager: customers without one (`agence=-`, `gestionnaire=-`)."""
NONE_LABELS = {"agence": "Sans agence", "gestionnaire": "Sans gestionnaire"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+|-")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE, _FALSE = {"1", "true", "oui", "on"}, {"0", "false", "non", "off", ""}


@dataclass(frozen=True)
class InvoiceFilters:
    """What the invoice list shows. Empty tuples and None mean "no filter on that"."""

    entities: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    """Primary account managers' e-mails (lower case), as the dashboard's totals by account manager."""
    customers: tuple[tuple[str, int], ...] = ()
    statuses: tuple[str, ...] = ()
    internal_statuses: tuple[str, ...] = ()
    issued_from: date | None = None
    issued_to: date | None = None
    due_from: date | None = None
    due_to: date | None = None
    expected_from: date | None = None
    expected_to: date | None = None
    days_late_min: int | None = None
    days_late_max: int | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    open_only: bool = False
    disputed: bool = False
    gap: bool = False
    """The dashboard's gap: status not_due/overdue, days_past_expected > 0, not disputed."""
    search: str = ""
    sort: str = INVOICE_DEFAULT_SORT
    page: int = 1

    def first_page(self) -> InvoiceFilters:
        return replace(self, page=1)


@dataclass(frozen=True)
class CustomerFilters:
    entities: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()
    search: str = ""
    overdue_only: bool = False
    open_only: bool = False
    sort: str = CUSTOMER_DEFAULT_SORT
    page: int = 1

    def first_page(self) -> CustomerFilters:
        return replace(self, page=1)


@dataclass(frozen=True)
class FilterNames:
    """Ids → names, to say the filters in words (core.lists.choices builds it in the user's scope)."""

    entities: Mapping[str, str] = field(default_factory=dict)
    agencies: Mapping[str, str] = field(default_factory=dict)
    managers: Mapping[str, str] = field(default_factory=dict)
    customers: Mapping[tuple[str, int], str] = field(default_factory=dict)


# --- reading a query string ------------------------------------------------------------------


def _shown(value: str) -> str:
    value = "".join(ch if ch.isprintable() else "?" for ch in value)
    return value if len(value) <= 40 else value[:40] + "…"


class _Reader:
    """Reads one query string's parameters, collecting a French message per ignored value."""

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self.messages: list[str] = []

    def values(self, name: str) -> list[str]:
        raw = self.params.get(name)
        if raw is None:
            return []
        items = [raw] if isinstance(raw, str) else [str(v) for v in raw]
        if len(items) > MAX_VALUES:
            self.ignore(name, None, f"plus de {MAX_VALUES} valeurs : seules les {MAX_VALUES} premières sont lues")
            items = items[:MAX_VALUES]
        return items

    def last(self, name: str) -> str | None:
        items = self.values(name)
        return items[-1].strip() if items else None

    def ignore(self, name: str, value: str | None, why: str) -> None:
        shown = f" « {_shown(value)} »" if value is not None else ""
        self.messages.append(f"Filtre « {name} »{shown} ignoré : {why}.")

    def texts(self, name: str, *, check: re.Pattern[str] | None = None, lower: bool = False) -> tuple[str, ...]:
        out: set[str] = set()
        for raw in self.values(name):
            value = raw.strip().lower() if lower else raw.strip()
            if not value:
                continue
            if len(value) > MAX_ID or not value.isprintable() or (check is not None and not check.fullmatch(value)):
                self.ignore(name, value, "valeur invalide")
                continue
            out.add(value)
        return tuple(sorted(out))

    def codes(self, name: str, allowed: Mapping[str, str]) -> tuple[str, ...]:
        out: set[str] = set()
        for raw in self.values(name):
            value = raw.strip()
            if value in allowed:
                out.add(value)
            elif value:
                self.ignore(name, value, "valeur inconnue (valeurs possibles : " + ", ".join(allowed) + ")")
        return tuple(code for code in allowed if code in out)

    def customers(self, name: str) -> tuple[tuple[str, int], ...]:
        out: set[tuple[str, int]] = set()
        for raw in self.values(name):
            value = raw.strip()
            entity, _, customer = value.rpartition(":")
            if entity and len(entity) <= MAX_ID and entity.isprintable() and customer.isdigit() and len(customer) <= 18:
                out.add((entity, int(customer)))
            elif value:
                self.ignore(name, value, "attendu <entité>:<numéro du client>")
        return tuple(sorted(out))

    def day(self, name: str) -> date | None:
        value = self.last(name)
        if not value:
            return None
        if _DAY.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.ignore(name, value, "date invalide (format attendu AAAA-MM-JJ)")
        return None

    def days(self, name: str) -> int | None:
        value = self.last(name)
        if not value:
            return None
        if value.isdigit() and value.isascii() and int(value) <= _DAYS_MAX:
            return int(value)
        self.ignore(name, value, "nombre de jours entier et positif attendu")
        return None

    def amount(self, name: str) -> Decimal | None:
        value = self.last(name)
        if not value:
            return None
        compact = re.sub(r"[\s\u00a0\u202f€]", "", value)
        if value.isprintable() and _AMOUNT.fullmatch(compact) and compact.isascii():
            try:
                return Decimal(compact.replace(",", "."))
            except InvalidOperation:
                pass
        self.ignore(name, value, "montant invalide (par exemple 5000 ou 5000,50)")
        return None

    def flag(self, name: str) -> bool:
        value = self.last(name)
        if value is None or value.lower() in _FALSE:
            return False
        if value.lower() in _TRUE:
            return True
        self.ignore(name, value, "1 ou 0 attendu")
        return False

    def search(self, name: str) -> str:
        value = " ".join((self.last(name) or "").split())
        if len(value) > MAX_SEARCH:
            self.ignore(name, None, f"recherche de plus de {MAX_SEARCH} caractères")
            return ""
        return "".join(ch for ch in value if ch.isprintable())

    def sort(self, name: str, allowed: Mapping[str, str], default: str) -> str:
        value = self.last(name)
        if not value:
            return default
        if value.lstrip("-") in allowed and value.count("-") <= 1:
            return value
        self.ignore(name, value, "colonne de tri inconnue (colonnes : " + ", ".join(allowed) + ")")
        return default

    def page(self, name: str) -> int:
        value = self.last(name)
        if not value:
            return 1
        if value.isdigit() and value.isascii() and 1 <= int(value) <= 10_000_000:
            return int(value)
        self.ignore(name, value, "numéro de page entier à partir de 1 attendu")
        return 1

    def ordered(self, label: str, low: Any, high: Any, shown: Any) -> tuple[Any, Any]:
        """A range whose minimum is above its maximum matches nothing: both ends are ignored."""
        if low is not None and high is not None and low > high:
            self.messages.append(
                f"Filtre « {label} » ignoré : le minimum ({shown(low)}) est supérieur au maximum ({shown(high)})."
            )
            return None, None
        return low, high


def from_query(params: Mapping[str, Sequence[str] | str]) -> tuple[InvoiceFilters, list[str]]:
    """The invoice filters a query string asks for, and a French message for each value ignored."""
    r = _Reader(params)
    issued = r.ordered("emission_du/emission_au", r.day("emission_du"), r.day("emission_au"), formatting.day)
    due = r.ordered("echeance_du/echeance_au", r.day("echeance_du"), r.day("echeance_au"), formatting.day)
    expected = r.ordered("attendu_du/attendu_au", r.day("attendu_du"), r.day("attendu_au"), formatting.day)
    late = r.ordered("retard_min/retard_max", r.days("retard_min"), r.days("retard_max"), str)
    amount = r.ordered("montant_min/montant_max", r.amount("montant_min"), r.amount("montant_max"), formatting.money)
    filters = InvoiceFilters(
        entities=r.texts("entite"),
        agencies=r.texts("agence"),
        managers=r.texts("gestionnaire", check=_EMAIL, lower=True),
        customers=r.customers("client"),
        statuses=r.codes("statut", STATUS_LABELS),
        internal_statuses=r.codes("suivi", INTERNAL_STATUS_LABELS),
        issued_from=issued[0],
        issued_to=issued[1],
        due_from=due[0],
        due_to=due[1],
        expected_from=expected[0],
        expected_to=expected[1],
        days_late_min=late[0],
        days_late_max=late[1],
        amount_min=amount[0],
        amount_max=amount[1],
        open_only=r.flag("ouvertes"),
        disputed=r.flag("litige"),
        gap=r.flag("ecart"),
        search=r.search("q"),
        sort=r.sort("tri", INVOICE_SORTS, INVOICE_DEFAULT_SORT),
        page=r.page("page"),
    )
    return filters, r.messages


def customer_filters_from_query(params: Mapping[str, Sequence[str] | str]) -> tuple[CustomerFilters, list[str]]:
    """The customer list's filters (entite, agence, gestionnaire, q, echus, ouvertes, tri, page)."""
    r = _Reader(params)
    filters = CustomerFilters(
        entities=r.texts("entite"),
        agencies=r.texts("agence"),
        managers=r.texts("gestionnaire", check=_EMAIL, lower=True),
        search=r.search("q"),
        overdue_only=r.flag("echus"),
        open_only=r.flag("ouvertes"),
        sort=r.sort("tri", CUSTOMER_SORTS, CUSTOMER_DEFAULT_SORT),
        page=r.page("page"),
    )
    return filters, r.messages


# --- writing a query string ------------------------------------------------------------------

_INVOICE_PARAMS = {
    "entities": "entite",
    "agencies": "agence",
    "managers": "gestionnaire",
    "customers": "client",
    "statuses": "statut",
    "internal_statuses": "suivi",
    "issued_from": "emission_du",
    "issued_to": "emission_au",
    "due_from": "echeance_du",
    "due_to": "echeance_au",
    "expected_from": "attendu_du",
    "expected_to": "attendu_au",
    "days_late_min": "retard_min",
    "days_late_max": "retard_max",
    "amount_min": "montant_min",
    "amount_max": "montant_max",
    "open_only": "ouvertes",
    "disputed": "litige",
    "gap": "ecart",
    "search": "q",
    "sort": "tri",
    "page": "page",
}
_CUSTOMER_PARAMS = {
    "entities": "entite",
    "agencies": "agence",
    "managers": "gestionnaire",
    "search": "q",
    "overdue_only": "echus",
    "open_only": "ouvertes",
    "sort": "tri",
    "page": "page",
}
INVOICE_PARAMETERS = frozenset(_INVOICE_PARAMS.values())
"""Every query-string parameter the invoice list reads."""
CUSTOMER_PARAMETERS = frozenset(_CUSTOMER_PARAMS.values())


def _encode(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["1"] if value else []
    if isinstance(value, tuple):
        return [f"{v[0]}:{v[1]}" if isinstance(v, tuple) else str(v) for v in value]
    if isinstance(value, date):
        return [value.isoformat()]
    return [str(value)]


def _to_query(filters: InvoiceFilters | CustomerFilters, names: Mapping[str, str]) -> dict[str, list[str]]:
    default = type(filters)()
    out: dict[str, list[str]] = {}
    for f in fields(filters):
        value = getattr(filters, f.name)
        if value != getattr(default, f.name) and value not in (None, "", ()):
            encoded = _encode(value)
            if encoded:
                out[names[f.name]] = encoded
    return out


def to_query(filters: InvoiceFilters) -> dict[str, list[str]]:
    """The query string of `filters` (only what differs from the defaults); `from_query` reads it back."""
    return _to_query(filters, _INVOICE_PARAMS)


def customer_filters_to_query(filters: CustomerFilters) -> dict[str, list[str]]:
    return _to_query(filters, _CUSTOMER_PARAMS)


# --- in words ---------------------------------------------------------------------------------


def _names(label: str, ids: Iterable[Any], known: Mapping[Any, str]) -> str | None:
    shown = [
        known.get(i) or ("aucun(e)" if i == NONE else None) or (f"{i[0]} n° {i[1]}" if isinstance(i, tuple) else str(i))
        for i in ids
    ]
    if not shown:
        return None
    return f"{label}{'s' if len(shown) > 1 else ''} : " + ", ".join(shown)


def _range(label: str, low: Any, high: Any, shown: Any, unit: str = "") -> str | None:
    if low is None and high is None:
        return None
    if low is not None and high is not None:
        return f"{label} : de {shown(low)} à {shown(high)}{unit}"
    if low is not None:
        return f"{label} : au moins {shown(low)}{unit}"
    return f"{label} : au plus {shown(high)}{unit}"


def _dates(label: str, low: date | None, high: date | None) -> str | None:
    if low is None and high is None:
        return None
    if low is not None and high is not None:
        return f"{label} : du {formatting.day(low)} au {formatting.day(high)}"
    if low is not None:
        return f"{label} : à partir du {formatting.day(low)}"
    return f"{label} : jusqu'au {formatting.day(high)}"


def describe(filters: InvoiceFilters, names: FilterNames | None = None) -> list[str]:
    """The filters in French words, for the page and the exports ([] = every invoice in scope)."""
    n = names or FilterNames()
    parts = [
        _names("Entité", filters.entities, n.entities),
        _names("Agence", filters.agencies, n.agencies),
        _names("Gestionnaire", filters.managers, n.managers),
        _names("Client", filters.customers, n.customers),
        _names("Statut", filters.statuses, STATUS_LABELS),
        _names("Suivi", filters.internal_statuses, INTERNAL_STATUS_LABELS),
        _dates("Émission", filters.issued_from, filters.issued_to),
        _dates("Échéance", filters.due_from, filters.due_to),
        _dates("Date attendue", filters.expected_from, filters.expected_to),
        _range("Retard", filters.days_late_min, filters.days_late_max, str, " jours"),
        _range("Montant TTC", filters.amount_min, filters.amount_max, formatting.money),
        "Ouvertes seulement (montant ouvert non nul)" if filters.open_only else None,
        "En litige" if filters.disputed else None,
        "Écart : date attendue dépassée, non encaissées, hors litiges" if filters.gap else None,
        f"Recherche : « {filters.search} »" if filters.search else None,
    ]
    return [p for p in parts if p]


def describe_customers(filters: CustomerFilters, names: FilterNames | None = None) -> list[str]:
    n = names or FilterNames()
    parts = [
        _names("Entité", filters.entities, n.entities),
        _names("Agence", filters.agencies, n.agencies),
        _names("Gestionnaire", filters.managers, n.managers),
        "Clients avec des factures échues" if filters.overdue_only else None,
        "Clients avec un montant ouvert" if filters.open_only else None,
        f"Recherche : « {filters.search} »" if filters.search else None,
    ]
    return [p for p in parts if p]


# --- search text ------------------------------------------------------------------------------


def folded(text: str) -> str:
    """Lower case without accents: how the search compares texts ("Lefèvre" ~ "lefevre")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def like_pattern(text: str) -> str:
    """`%text%` for `LIKE … ESCAPE '\\'`, with `%`, `_` and `\\` matching themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
