"""The URL codec of the lists' filters: what a link says is what the list filters, and whatever
else a URL carries (hostile or clumsy) is a French message, never an exception."""

from datetime import date
from decimal import Decimal

import pytest

from core.lists.filters import (
    CustomerFilters,
    FilterNames,
    InvoiceFilters,
    customer_filters_from_query,
    customer_filters_to_query,
    describe,
    from_query,
    like_pattern,
    to_query,
)

FULL = InvoiceFilters(
    entities=("alpha", "beta"),
    agencies=("lyon",),
    managers=("rep.a@verdier.example",),
    customers=(("alpha", 1), ("beta", 2)),
    statuses=("not_due", "overdue"),
    internal_statuses=("disputed",),
    issued_from=date(2026, 7, 1),
    issued_to=date(2026, 9, 30),
    due_from=date(2026, 8, 1),
    due_to=date(2026, 12, 31),
    expected_from=date(2026, 8, 1),
    expected_to=date(2027, 1, 31),
    days_late_min=30,
    days_late_max=90,
    amount_min=Decimal("5000"),
    amount_max=Decimal("9000.50"),
    open_only=True,
    disputed=True,
    gap=True,
    search="Lefèvre",
    sort="-montant",
    page=3,
)


def test_every_filter_goes_to_the_url_and_comes_back():
    query = to_query(FULL)
    assert query["client"] == ["alpha:1", "beta:2"]
    assert query["montant_max"] == ["9000.50"] and query["ouvertes"] == ["1"] and query["tri"] == ["-montant"]
    assert from_query(query) == (FULL, [])


def test_the_default_filters_make_an_empty_query_string():
    assert to_query(InvoiceFilters()) == {}
    assert from_query({}) == (InvoiceFilters(), [])


def test_the_dashboard_s_parameter_names_are_read():
    filters, messages = from_query(
        {
            "entite": ["alpha"], "agence": ["lyon", "paris"], "gestionnaire": ["Rep.A@Verdier.example"],
            "statut": ["overdue"], "suivi": ["disputed"], "echeance_du": ["2026-10-01"], "echeance_au": ["2026-10-31"],
            "attendu_du": ["2026-11-01"], "retard_min": ["30"], "montant_min": ["5 000,50"], "ecart": ["1"],
            "litige": ["1"], "ouvertes": ["0"], "q": ["  Morel   Transports "], "page": ["2"],
        }
    )  # fmt: skip
    assert messages == []
    assert filters.agencies == ("lyon", "paris") and filters.managers == ("rep.a@verdier.example",)
    assert filters.due_from == date(2026, 10, 1) and filters.expected_from == date(2026, 11, 1)
    assert filters.amount_min == Decimal("5000.50") and filters.days_late_min == 30
    assert filters.gap and filters.disputed and not filters.open_only
    assert filters.search == "Morel Transports" and filters.page == 2


def test_a_single_string_value_is_read_like_a_list():
    assert from_query({"agence": "lyon"})[0].agencies == ("lyon",)


HOSTILE = [
    ({"retard_min": ["abc"]}, "retard_min"),
    ({"retard_min": ["-5"]}, "retard_min"),
    ({"retard_max": ["1e9"]}, "retard_max"),
    ({"montant_min": ["12,3,4"]}, "montant_min"),
    ({"montant_min": ["NaN"]}, "montant_min"),
    ({"montant_max": ["1e400"]}, "montant_max"),
    ({"emission_du": ["2026-02-30"]}, "emission_du"),
    ({"echeance_au": ["22/11/2026"]}, "echeance_au"),
    ({"attendu_du": ["'; DROP TABLE invoices; --"]}, "attendu_du"),
    ({"statut": ["overdue' OR 1=1 --"]}, "statut"),
    ({"suivi": ["nope"]}, "suivi"),
    ({"client": ["alpha"]}, "client"),
    ({"client": ["alpha:1 OR 1=1"]}, "client"),
    ({"gestionnaire": ["pas-un-email"]}, "gestionnaire"),
    ({"entite": ["x" * 10_000]}, "entite"),
    ({"q": ["x" * 10_000]}, "q"),
    ({"tri": ["customer_name; DROP TABLE users"]}, "tri"),
    ({"tri": ["--montant"]}, "tri"),
    ({"page": ["0"]}, "page"),
    ({"page": ["-1"]}, "page"),
    ({"ouvertes": ["peut-être"]}, "ouvertes"),
    ({"retard_min": ["60"], "retard_max": ["30"]}, "retard_min/retard_max"),
    ({"montant_min": ["-100"], "montant_max": ["-500"]}, "montant_min/montant_max"),
    ({"emission_du": ["2026-12-01"], "emission_au": ["2026-01-01"]}, "emission_du/emission_au"),
]


@pytest.mark.parametrize(("query", "name"), HOSTILE, ids=lambda v: str(v)[:40])
def test_a_hostile_or_clumsy_value_is_ignored_with_a_french_message(query, name):
    filters, messages = from_query(query)
    assert len(messages) == 1, messages
    assert f"« {name} »" in messages[0] and "ignoré" in messages[0]
    assert len(messages[0]) < 400  # a 10,000-character value is not echoed back
    assert filters == InvoiceFilters()


def test_too_many_values_are_cut_with_a_message():
    filters, messages = from_query({"agence": [f"a{i}" for i in range(500)]})
    assert len(filters.agencies) == 100 and len(messages) == 1


def test_quotes_percent_underscore_and_semicolons_are_kept_as_text_to_search():
    filters, messages = from_query({"q": ["100%_x'; --"]})
    assert messages == [] and filters.search == "100%_x'; --"
    assert like_pattern("100%_x\\") == "%100\\%\\_x\\\\%"


def test_a_negative_amount_alone_is_a_valid_bound_for_credit_notes():
    filters, messages = from_query({"montant_max": ["-10"]})
    assert messages == [] and filters.amount_max == Decimal("-10")


def test_the_filters_in_french_words():
    names = FilterNames(
        entities={"alpha": "Alpha SAS", "beta": "Beta SARL"},
        agencies={"lyon": "Agence Lyon"},
        managers={"rep.a@verdier.example": "Rita Rep"},
        customers={("alpha", 1): "Boulangerie Lefèvre"},
    )
    words = describe(FULL, names)
    assert words[:6] == [
        "Entités : Alpha SAS, Beta SARL",
        "Agence : Agence Lyon",
        "Gestionnaire : Rita Rep",
        "Clients : Boulangerie Lefèvre, beta n° 2",
        "Statuts : Non échue, Échue",
        "Suivi : En litige",
    ]
    assert "Émission : du 01/07/2026 au 30/09/2026" in words
    assert "Retard : de 30 à 90 jours" in words
    assert "Montant TTC : de 5\u202f000,00\xa0€ à 9\u202f000,50\xa0€" in words
    assert "Recherche : « Lefèvre »" in words
    assert describe(InvoiceFilters()) == []
    assert describe(InvoiceFilters(days_late_min=30)) == ["Retard : au moins 30 jours"]
    assert describe(InvoiceFilters(due_to=date(2026, 12, 1))) == ["Échéance : jusqu'au 01/12/2026"]


def test_customer_filters_round_trip_and_ignore_what_is_wrong():
    full = CustomerFilters(
        entities=("alpha",), agencies=("paris",), managers=("rep.b@verdier.example",), search="Morel",
        overdue_only=True, open_only=True, sort="client", page=2,
    )  # fmt: skip
    assert customer_filters_from_query(customer_filters_to_query(full)) == (full, [])
    filters, messages = customer_filters_from_query({"tri": ["dso; --"], "echus": ["2"]})
    assert filters == CustomerFilters() and len(messages) == 2
