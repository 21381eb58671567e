"""The invoice list on a known book: every filter, alone and combined, returns exactly the rows
the same filter written in plain Python selects from all the rows; sorting by every column,
paging, totals of the whole set, hostile input, the user's scope, the export's rows, the detail."""

import itertools
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest

from core.home import entity_summaries
from core.lists.filters import INTERNAL_STATUS_LABELS, INVOICE_SORTS, InvoiceFilters, from_query
from core.lists.invoices import invoice_detail, invoice_export, invoice_page, query_page
from core.scope import everything, scope_of
from tests.support.invoice_book import CUSTOMERS, TODAY, portfolio

ADMIN = everything("admin@verdier.example")


def _fold(text):
    return "".join(c for c in unicodedata.normalize("NFKD", (text or "").lower()) if not unicodedata.combining(c))


def _between(value, low, high):
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def matches(row, f: InvoiceFilters) -> bool:
    """The invoice list's filters, written independently of the SQL (docs/lists.md)."""
    q = f.search
    return all(
        (
            not f.entities or row["entity_id"] in f.entities,
            not f.agencies or (row["agency_id"] or "-") in f.agencies,
            not f.managers or (row["primary_manager_email"] or "-").lower() in f.managers,
            not f.customers or (row["entity_id"], row["customer_id"]) in f.customers,
            not f.statuses or row["status"] in f.statuses,
            not f.internal_statuses or row["internal_status"] in f.internal_statuses,
            _between(row["issue_date"], f.issued_from, f.issued_to),
            _between(row["due_date"], f.due_from, f.due_to),
            _between(row["expected_date"], f.expected_from, f.expected_to),
            _between(row["days_late"], f.days_late_min, f.days_late_max),
            _between(row["amount_eur"], f.amount_min, f.amount_max),
            not f.open_only or row["open_amount_eur"] > 0,
            not f.disputed or row["internal_status"] == "disputed",
            not f.gap
            or (
                row["status"] in ("not_due", "overdue")
                and row["days_past_expected"] > 0
                and row["internal_status"] != "disputed"
            ),
            not q
            or _fold(q) in _fold(row["customer_name"])
            or _fold(q) in _fold(row["invoice_number"])
            or _fold(q) in _fold(row["label"]),
        )
    )


def _keys(rows):
    return {(r["entity_id"], r["invoice_id"]) for r in rows}


def _listed(paths, scope, filters):
    page = query_page(paths, scope, filters, today=TODAY, page_size=1000)
    assert page.pages == 1
    return page


def _check(book, rows, query, scope=ADMIN, allowed=None):
    filters, messages = from_query(query)
    assert messages == []
    expected = [
        r for r in rows if matches(r, filters) and (allowed is None or (r["entity_id"], r["customer_id"]) in allowed)
    ]
    page = _listed(book, scope, filters)
    assert {(r.entity_id, r.invoice_id) for r in page.rows} == _keys(expected)
    assert page.totals.count == len(expected)
    assert page.totals.amount_eur == sum((r["amount_eur"] for r in expected), Decimal(0))
    assert page.totals.open_eur == sum((r["open_amount_eur"] for r in expected), Decimal(0))
    return expected


ALONE = {
    "entite": {"entite": ["beta"]},
    "entites": {"entite": ["beta", "gamma"]},
    "agence": {"agence": ["lyon"]},
    "agences": {"agence": ["paris", "marseille"]},
    "gestionnaire": {"gestionnaire": ["rep.b@verdier.example"]},
    "sans_agence": {"agence": ["-"]},
    "sans_agence_ou_lyon": {"agence": ["-", "lyon"]},
    "sans_gestionnaire": {"gestionnaire": ["-"]},
    "gestionnaire_majuscules": {"gestionnaire": ["REP.C@verdier.example"]},
    "client": {"client": ["alpha:1"]},
    "client_meme_numero": {"client": ["beta:1"]},
    "clients": {"client": ["alpha:4", "beta:2"]},
    "statut": {"statut": ["overdue"]},
    "statuts": {"statut": ["paid", "credit_note", "draft"]},
    "statut_archive": {"statut": ["archived", "cancelled", "not_due"]},
    "suivi": {"suivi": ["payment_agreement"]},
    "suivis": {"suivi": ["reminded", "collected", "issued"]},
    "emission_du": {"emission_du": ["2026-09-15"]},
    "emission_au": {"emission_au": ["2026-08-10"]},
    "emission": {"emission_du": ["2026-08-01"], "emission_au": ["2026-09-30"]},
    "echeance": {"echeance_du": ["2026-10-01"], "echeance_au": ["2026-11-30"]},
    "echeance_du": {"echeance_du": ["2026-11-22"]},
    "attendu": {"attendu_du": ["2026-11-01"], "attendu_au": ["2026-12-31"]},
    "attendu_au": {"attendu_au": ["2026-09-01"]},
    "retard_min": {"retard_min": ["30"]},
    "retard_max": {"retard_max": ["24"]},
    "retard": {"retard_min": ["1"], "retard_max": ["60"]},
    "retard_zero": {"retard_max": ["0"]},
    "montant_min": {"montant_min": ["5000"]},
    "montant_max": {"montant_max": ["1000,50"]},
    "montant_negatif": {"montant_max": ["-1"]},
    "montant": {"montant_min": ["2000"], "montant_max": ["6000"]},
    "ouvertes": {"ouvertes": ["1"]},
    "litige": {"litige": ["1"]},
    "ecart": {"ecart": ["1"]},
    "q_client_accents": {"q": ["lefevre"]},
    "q_client_majuscules": {"q": ["ÉLODIE"]},
    "q_numero": {"q": ["f-2026-000105"]},
    "q_libelle": {"q": ["dépannage"]},
    "q_pourcent": {"q": ["50%"]},
    "q_souligne": {"q": ["n_1"]},
    "q_apostrophe": {"q": ["O'Brien"]},
    "q_tirets": {"q": ["-- fin"]},
    "q_point_virgule": {"q": ["; rév"]},
}


@pytest.mark.parametrize("query", ALONE.values(), ids=ALONE.keys())
def test_each_filter_alone_returns_the_rows_plain_python_selects(book, rows, query):
    expected = _check(book, rows, query)
    assert 0 < len(expected) < len(rows), "the book must make this filter select something, not everything"


COMBINABLE = [
    {"entite": ["alpha"]},
    {"agence": ["paris"]},
    {"gestionnaire": ["rep.b@verdier.example"]},
    {"statut": ["overdue", "paid"]},
    {"retard_min": ["20"]},
    {"montant_min": ["3000"]},
    {"ouvertes": ["1"]},
    {"echeance_au": ["2026-11-15"]},
    {"q": ["a"]},
    {"suivi": ["issued", "disputed"]},
]


@pytest.mark.parametrize(
    "combo", list(itertools.combinations(range(len(COMBINABLE)), 2)) + [(0, 3, 4), (1, 5, 6, 8), (2, 7, 9)]
)
def test_filters_combined_return_the_rows_plain_python_selects(book, rows, combo):
    query = {k: v for i in combo for k, v in COMBINABLE[i].items()}
    _check(book, rows, query)


def test_the_gap_is_the_dashboard_s_and_follows_an_agreement_date(book, rows):
    gap = _check(book, rows, {"ecart": ["1"]})
    keys = _keys(gap)
    assert ("alpha", 101) not in keys  # overdue, but a collector agreed on a date still to come
    assert ("alpha", 116) in keys  # the agreed date has passed
    disputed_late = [r for r in rows if r["internal_status"] == "disputed" and r["days_past_expected"] > 0]
    assert disputed_late and not _keys(disputed_late) & keys  # totalled apart, as on the dashboard


def test_a_search_with_wildcards_matches_them_literally(book, rows):
    percent = _check(book, rows, {"q": ["%"]})
    assert percent and all("%" in (r["label"] + r["customer_name"]) for r in percent)
    underscore = _check(book, rows, {"q": ["_"]})
    assert underscore and all("_" in (r["label"] + r["customer_name"]) for r in underscore)
    assert _check(book, rows, {"q": ["100% bio_n"]})  # "Société 100% Bio_Net"
    assert not _check(book, rows, {"q": ["100_"]})


@pytest.mark.parametrize(
    "query",
    [
        {"q": ["'; DROP TABLE invoices; --"]},
        {"q": ['" OR 1=1 --']},
        {"q": ["x" * 200]},
        {"entite": ["alpha' OR '1'='1"]},
        {"agence": ["lyon); DELETE FROM agencies; --"]},
        {"client": ["alpha' --:1"]},
    ],
    ids=lambda q: str(q)[:30],
)
def test_hostile_values_that_pass_the_codec_match_nothing_and_break_nothing(book, rows, query):
    filters, messages = from_query(query)
    assert messages == []
    page = query_page(book, ADMIN, filters, today=TODAY)
    assert page.totals.count == 0 and page.rows == ()
    assert query_page(book, ADMIN, InvoiceFilters(), today=TODAY).totals.count == len(rows)  # nothing was dropped


def test_a_hostile_url_only_gives_messages_and_the_list_still_answers(book, rows):
    filters, messages = from_query(
        {
            "q": ["x" * 10_000],
            "retard_min": ["-3"],
            "emission_du": ["2026-13-01"],
            "montant_min": ["9"],
            "montant_max": ["1"],
        }
    )
    assert len(messages) == 4
    assert query_page(book, ADMIN, filters, today=TODAY).totals.count == len(rows)


NULLS_LAST = object()


@pytest.mark.parametrize("key", list(INVOICE_SORTS))
@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_every_column(book, rows, key, descending):
    from core.lists.invoices import SORT_COLUMNS

    column = SORT_COLUMNS[key]
    page = _listed(book, ADMIN, InvoiceFilters(sort=("-" if descending else "") + key))
    present = sorted(
        (r for r in rows if r[column] is not None), key=lambda r: (r[column], r["entity_id"], r["invoice_id"]),
        reverse=descending,
    )  # fmt: skip
    missing = sorted(
        (r for r in rows if r[column] is None), key=lambda r: (r["entity_id"], r["invoice_id"]), reverse=descending
    )
    assert [(r.entity_id, r.invoice_id) for r in page.rows] == [
        (r["entity_id"], r["invoice_id"]) for r in present + missing
    ]


def test_pages_cover_the_set_once_and_the_totals_are_the_whole_set_s(book, rows):
    filters = InvoiceFilters(sort="montant")
    seen = []
    first = query_page(book, ADMIN, filters, today=TODAY, page_size=10)
    assert first.pages == 7 and len(first.rows) == 10 and first.first == 1
    for n in range(1, first.pages + 1):
        page = query_page(book, ADMIN, InvoiceFilters(sort="montant", page=n), today=TODAY, page_size=10)
        assert page.totals == first.totals
        seen += [(r.entity_id, r.invoice_id) for r in page.rows]
    assert len(seen) == len(set(seen)) == len(rows) == first.totals.count
    assert first.totals.open_eur == sum(r["open_amount_eur"] for r in rows)
    past_the_end = query_page(book, ADMIN, InvoiceFilters(sort="montant", page=99), today=TODAY, page_size=10)
    assert past_the_end.page == 7 and len(past_the_end.rows) == 6


def test_an_empty_result_has_one_page_and_zero_totals(book):
    page = query_page(book, ADMIN, InvoiceFilters(search="aucune facture ne contient ceci"), today=TODAY)
    assert page.rows == () and page.pages == 1 and page.first == 0
    assert (page.totals.count, page.totals.amount_eur, page.totals.open_eur) == (0, 0, 0)


@pytest.mark.parametrize("email", ["rep.a@verdier.example", "rep.b@verdier.example", "rep.c@verdier.example"])
@pytest.mark.parametrize(
    "query", [{}, {"statut": ["overdue"]}, {"client": ["alpha:1", "beta:1"]}, {"q": ["e"]}], ids=str
)
def test_a_sales_rep_sees_only_their_portfolio_s_rows_and_totals(book, rows, email, query):
    allowed = portfolio(email)
    expected = _check(book, rows, query, scope=scope_of(book, email), allowed=allowed)
    assert all((r["entity_id"], r["customer_id"]) in allowed for r in expected)


def test_an_agency_manager_sees_their_agency(book, rows):
    scope = scope_of(book, "dir.paris@verdier.example")
    expected = _check(book, rows, {}, scope=scope, allowed={("alpha", 1), ("alpha", 2)})
    assert _keys(expected) == _keys(_check(book, rows, {"agence": ["paris"]}))
    assert not _check(book, rows, {"agence": ["lyon"]}, scope=scope, allowed=set())


def test_the_export_holds_the_whole_filtered_set_in_the_grid_s_order(book, rows):
    filters = InvoiceFilters(statuses=("overdue", "paid"), sort="-ouvert")
    table = invoice_export(book, ADMIN, filters, TODAY, "Ada Admin", datetime(2026, 11, 22, 12, 0))
    exported = [row for batch in table.batches() for row in batch]
    listed = _listed(book, ADMIN, filters).rows
    assert table.row_count == len(exported) == len(listed) == len([r for r in rows if matches(r, filters)])
    assert [row[0] for row in exported] == [r.invoice_number for r in listed]
    assert [c.key for c in table.columns][:2] == ["numero", "client"]
    money = [i for i, c in enumerate(table.columns) if c.kind == "money"]
    assert all(isinstance(row[i], Decimal) for row in exported for i in money)
    assert all(isinstance(row[5], date) for row in exported)
    assert table.filters == ("Statuts : Échue, Payée",)
    assert dict(table.totals)["Factures"] == str(len(exported))
    assert table.generated_by == "Ada Admin"
    assert list(table.batches()) == list(table.batches())  # each pass reads again


def test_a_sales_rep_s_export_holds_only_their_portfolio(book):
    scope = scope_of(book, "rep.a@verdier.example")
    table = invoice_export(book, scope, InvoiceFilters(), TODAY, "Rita Rep", datetime(2026, 11, 22, 12, 0))
    names = {row[1] for batch in table.batches() for row in batch}
    assert names == {CUSTOMERS["alpha"][1], CUSTOMERS["alpha"][2]}


def test_the_detail_of_an_invoice_in_scope_and_none_outside(book):
    detail = invoice_detail(book, ADMIN, "alpha", 101, TODAY)
    assert detail is not None
    assert detail["agreement_date"] == date(2026, 12, 15)
    assert detail.internal_status_label == INTERNAL_STATUS_LABELS[detail["internal_status"]]
    assert (
        detail["customer_name"] == "Transports Morel" and detail["account_manager_emails"][0] == "rep.b@verdier.example"
    )
    assert invoice_detail(book, scope_of(book, "rep.a@verdier.example"), "alpha", 101, TODAY) is not None  # secondary
    assert invoice_detail(book, scope_of(book, "rep.c@verdier.example"), "alpha", 101, TODAY) is None
    assert invoice_detail(book, ADMIN, "alpha", 999_999, TODAY) is None


@pytest.mark.parametrize("email", ["admin@verdier.example", "dir.paris@verdier.example", "rep.b@verdier.example"])
def test_the_list_s_totals_are_the_home_page_s_figures(book, email):
    scope = scope_of(book, email)
    for summary in entity_summaries(book, scope, today=TODAY):
        everything_listed = invoice_page(book, scope, InvoiceFilters(entities=(summary.entity_id,)), TODAY)
        overdue = invoice_page(book, scope, InvoiceFilters(entities=(summary.entity_id,), statuses=("overdue",)), TODAY)
        receivables = invoice_page(
            book, scope, InvoiceFilters(entities=(summary.entity_id,), statuses=("not_due", "overdue", "paid")), TODAY
        )
        assert everything_listed.totals.open_eur == summary.open_eur
        assert overdue.totals.open_eur == summary.overdue_eur
        assert receivables.totals.count == summary.invoices
        assert everything_listed.totals.count == summary.invoices + summary.set_aside


def test_the_dashboard_s_gap_drill_downs_land_on_the_same_invoices_and_amounts(book):
    """A click on a gap bar (by agency, by account manager) opens the list with ecart=1 and the group:
    the list's count and open amount are the bar's."""
    from core.dashboard.figures import dashboard
    from core.dashboard.filters import default_filters
    from core.dashboard.views import drill_down_query

    filters = default_filters(TODAY)
    board = dashboard(book, ADMIN, filters, today=TODAY)
    groups = [("agence", g) for g in board.gap_by_agency] + [("gestionnaire", g) for g in board.gap_by_manager]
    assert groups
    for param, group in groups:
        # "Sans agence" / "Sans gestionnaire" have the key "" on the dashboard; the list spells them "-"
        query = drill_down_query(filters, gap=True, **{param: group.key or "-"})
        list_filters, messages = from_query(query)
        assert messages == []
        totals = query_page(book, ADMIN, list_filters, today=TODAY).totals
        assert (totals.count, totals.open_eur) == (group.invoices, group.amount), (param, group.label)
    everything_listed = query_page(book, ADMIN, from_query(drill_down_query(filters, gap=True))[0], today=TODAY).totals
    assert (everything_listed.count, everything_listed.open_eur) == (board.gap_invoices, board.gap_total)


def test_a_snapshot_whose_invoices_view_is_older_than_the_code_says_so_in_french(tmp_path):
    import duckdb

    from core.store.analytical import release_idle
    from core.store.reading import SnapshotTooOld
    from core.store.schema import sql_text
    from tests.support.invoice_book import invoice_book_store

    older = sql_text("invoices").replace(",\n       s.snapshot_row", "")
    assert older != sql_text("invoices")
    paths = invoice_book_store(tmp_path)
    release_idle()  # this process's kept read-only connections would refuse the rewrite
    with duckdb.connect(str(paths.published)) as con:  # as the Encours before snapshot_row published it
        con.execute(older)
    with pytest.raises(SnapshotTooOld, match="prochaine synchronisation"):
        query_page(paths, ADMIN, InvoiceFilters(), today=TODAY)
