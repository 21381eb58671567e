"""The customer list on the known book, against the same figures computed in plain Python."""

import calendar
from datetime import date, datetime
from decimal import Decimal

import pytest

from core.lists.customers import customer_export, query_customer_page
from core.lists.filters import CUSTOMER_SORTS, CustomerFilters, customer_filters_from_query, folded
from core.scope import everything, scope_of
from tests.support.invoice_book import CUSTOMERS, ORGANISATION, TODAY, portfolio

RECEIVABLE = ("not_due", "overdue", "paid")


def _months_back(day, months):
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _countback(receivables, invoices, today):
    """docs/metrics.md, DSO: walk back month by month, taking each month's net sales out of the
    receivables; the last month counts in proportion; three months at most (capped)."""
    left, days = receivables, Decimal(0)
    if left <= 0:
        return 0.0, False
    for k in (1, 2, 3):
        after, until = _months_back(today, k), _months_back(today, k - 1)
        span = (until - after).days
        sales = sum(
            (r["amount_eur"] - r["credited_amount_eur"] for r in invoices if after < r["issue_date"] <= until),
            Decimal(0),
        )
        if sales > 0 and left <= sales:
            return float(days + span * left / sales), False
        left -= max(sales, Decimal(0))
        days += span
    return float(days), True


ADMIN = everything("admin@verdier.example")


def _expected_customers(rows):
    """Per customer: agency, primary manager, receivables, open, overdue, last payment — from the invoice rows."""
    agency = {(a["entity_id"], a["customer_id"]): a["agency_id"] for a in ORGANISATION["customer_accounts"]}
    primary = {
        (m["entity_id"], m["customer_id"]): m["email"] for m in ORGANISATION["customer_managers"] if m["is_primary"]
    }
    out = {}
    for entity, customers in CUSTOMERS.items():
        for cid, name in customers.items():
            mine = [r for r in rows if (r["entity_id"], r["customer_id"]) == (entity, cid)]
            payments = [r["last_payment_date"] for r in mine if r["last_payment_date"]]
            receivables = [r for r in mine if r["status"] in RECEIVABLE]
            out[(entity, cid)] = {
                "entity_id": entity,
                "name": name,
                "agency_id": agency.get((entity, cid)),
                "manager": primary.get((entity, cid)),
                "invoices": sum(1 for r in mine if r["status"] in ("not_due", "overdue", "paid")),
                "open": sum((r["open_amount_eur"] for r in mine), Decimal(0)),
                "overdue": sum((r["open_amount_eur"] for r in mine if r["status"] == "overdue"), Decimal(0)),
                "last_payment": max(payments) if payments else None,
                "dso": _countback(sum((r["open_amount_eur"] for r in receivables), Decimal(0)), receivables, TODAY),
            }
    return out


def _matches(c, f: CustomerFilters):
    return all(
        (
            not f.entities or c["entity_id"] in f.entities,
            not f.agencies or (c["agency_id"] or "-") in f.agencies,
            not f.managers or (c["manager"] or "-") in f.managers,
            not f.overdue_only or c["overdue"] > 0,
            not f.open_only or c["open"] > 0,
            not f.search or folded(f.search) in folded(c["name"]),
        )
    )


QUERIES = [
    {},
    {"entite": ["beta"]},
    {"agence": ["paris"]},
    {"gestionnaire": ["rep.b@verdier.example"]},
    {"agence": ["-"], "gestionnaire": ["-"]},
    {"q": ["ELODIE"]},
    {"q": ["100%"]},
    {"q": ["'; --"]},
    {"echus": ["1"]},
    {"ouvertes": ["1"]},
    {"entite": ["alpha"], "echus": ["1"], "q": ["e"]},
]


@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_each_filter_gives_the_customers_and_figures_plain_python_computes(book, rows, query):
    filters, messages = customer_filters_from_query(query)
    assert messages == []
    expected = {k: c for k, c in _expected_customers(rows).items() if _matches(c, filters)}
    page = query_customer_page(book, ADMIN, filters, today=TODAY, page_size=100)
    got = {(r.entity_id, r.customer_id): r for r in page.rows}
    assert set(got) == set(expected)
    for key, c in expected.items():
        row = got[key]
        assert (row.invoices, row.open_eur, row.overdue_eur, row.last_payment_date) == (
            c["invoices"], c["open"], c["overdue"], c["last_payment"],
        )  # fmt: skip
        assert (round(row.dso, 6), row.dso_capped) == (round(c["dso"][0], 6), c["dso"][1])
    assert page.totals.count == len(expected)
    assert page.totals.open_eur == sum((c["open"] for c in expected.values()), Decimal(0))
    assert page.totals.overdue_eur == sum((c["overdue"] for c in expected.values()), Decimal(0))


def test_account_managers_are_named_primary_first(book):
    page = query_customer_page(book, ADMIN, CustomerFilters(search="Morel"), today=TODAY)
    assert [r.managers for r in page.rows] == ["Bob Rep, Rita Rep"]


@pytest.mark.parametrize("key", list(CUSTOMER_SORTS))
def test_sorting_by_every_column_and_paging(book, key):
    from core.lists.customers import SORT_COLUMNS

    attr = SORT_COLUMNS[key]  # CustomerRow's attributes are named after the columns
    for descending in (False, True):
        sort = ("-" if descending else "") + key
        whole = query_customer_page(book, ADMIN, CustomerFilters(sort=sort), today=TODAY, page_size=100).rows
        present = [r for r in whole if getattr(r, attr) is not None]
        assert [getattr(r, attr) for r in present] == sorted((getattr(r, attr) for r in present), reverse=descending)
        assert whole[len(present) :] == tuple(r for r in whole if getattr(r, attr) is None)  # nulls last
        paged = [
            r
            for n in (1, 2, 3)
            for r in query_customer_page(book, ADMIN, CustomerFilters(sort=sort, page=n), today=TODAY, page_size=2).rows
        ]
        assert paged == list(whole)


def test_a_sales_rep_sees_only_their_customers_and_their_totals(book, rows):
    scope = scope_of(book, "rep.b@verdier.example")
    allowed = portfolio("rep.b@verdier.example")
    page = query_customer_page(book, scope, CustomerFilters(), today=TODAY)
    assert {(r.entity_id, r.customer_id) for r in page.rows} == allowed
    expected = _expected_customers(rows)
    assert page.totals.open_eur == sum((expected[k]["open"] for k in allowed), Decimal(0))
    table = customer_export(book, scope, CustomerFilters(), TODAY, "Bob Rep", datetime(2026, 11, 22, 12))
    exported = [row for batch in table.batches() for row in batch]
    assert sorted(row[0] for row in exported) == sorted(expected[k]["name"] for k in allowed)
    assert table.row_count == len(exported)


def test_the_export_is_the_whole_filtered_list_with_typed_values(book):
    filters = CustomerFilters(entities=("alpha",), sort="client")
    table = customer_export(book, ADMIN, filters, TODAY, "Ada Admin", datetime(2026, 11, 22, 12))
    exported = [row for batch in table.batches() for row in batch]
    assert [row[0] for row in exported] == sorted(CUSTOMERS["alpha"].values())
    assert all(isinstance(row[5], Decimal) and isinstance(row[4], int) for row in exported)
    assert table.filters == ("Entité : Alpha SAS",)
    assert dict(table.totals)["Clients"] == "4"


def test_a_snapshot_published_before_the_dso_existed_says_so_in_french(tmp_path):
    import duckdb

    from core.store.analytical import release_idle
    from core.store.reading import SnapshotTooOld
    from tests.support.invoice_book import invoice_book_store

    paths = invoice_book_store(tmp_path)
    release_idle()  # this process's kept read-only connections would refuse the rewrite
    with duckdb.connect(str(paths.published)) as con:  # as an older Encours published it
        con.execute("DROP MACRO dso_countback")
    with pytest.raises(SnapshotTooOld, match="prochaine synchronisation"):
        query_customer_page(paths, ADMIN, CustomerFilters(), today=TODAY)
