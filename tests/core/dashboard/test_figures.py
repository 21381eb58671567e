"""The dashboard's figures on a hand-made book (tests/support/cash_book.py), every expected
value worked out by hand in the comments: late and split payments, a credit note, an agreement
date moving an invoice's week, a due date on the Sunday the clocks go back, ISO week 53."""

from datetime import date
from decimal import Decimal

import pytest

from core.dashboard.figures import dashboard
from core.dashboard.filters import DashboardFilters, default_filters
from core.scope import everything, scope_of
from tests.support.cash_book import TODAY, cash_book_store, follow_up

D = Decimal


@pytest.fixture
def paths(tmp_path):
    return cash_book_store(tmp_path)


def _weeks(board) -> dict[str, tuple[Decimal, Decimal]]:
    return {w.label: (w.expected, w.collected) for w in board.weeks if w.expected or w.collected}


def _board(paths, filters=None, scope=None, today=TODAY):
    return dashboard(paths, scope or everything(), filters or default_filters(today), today=today)


def test_default_period_is_the_last_12_iso_weeks_and_the_next_8(paths):
    weeks = _board(paths).weeks
    assert len(weeks) == 20
    assert weeks[0].start == date(2026, 9, 14) and weeks[0].label == "S38 2026"
    assert weeks[11].label == "S49 2026" and not weeks[11].future  # this week
    assert weeks[12].future and weeks[-1].start == date(2027, 1, 25)


def test_weekly_expected_and_collected_by_hand(paths):
    assert _weeks(_board(paths)) == {
        "S42 2026": (D("1000.00"), D("0.00")),  # 101 due Thu 15/10, paid late…
        "S45 2026": (D("0.00"), D("1000.00")),  # …on Thu 05/11: collected in its own week
        "S43 2026": (D("300.00"), D("0.00")),  # 103: 500 less credit note 200, due Sunday 25/10 (DST ends)
        "S44 2026": (D("600.00"), D("200.00")),  # 102 due Sat 31/10; first part paid Fri 30/10
        "S46 2026": (D("0.00"), D("400.00")),  # 102's second part, Mon 09/11
        "S47 2026": (D("800.00"), D("0.00")),  # 105 due Fri 20/11, no agreement yet
        "S49 2026": (D("400.00"), D("150.00")),  # this week: 109's whole amount expected, 150 in
        "S53 2026": (D("1000.00"), D("0.00")),  # 106 due Tue 29/12 + 107 due Sat 02/01/2027: one ISO week
    }


def test_an_agreement_date_moves_the_invoice_to_its_week_at_the_next_read(paths):
    before = _board(paths)
    follow_up(paths, 105, "payment_agreement", agreement=date(2026, 12, 10))
    after = _weeks(_board(paths))
    assert after["S50 2026"] == (D("800.00"), D("0.00"))  # a future week: what is still open
    assert "S47 2026" not in after
    # the gap before: 103 300 + 105 800 + 108 250 + 109 250; after, 105 is not late on its agreed date
    assert before.gap_total == D("1600.00")
    assert _board(paths).gap_total == D("800.00")


def test_the_gap_counts_what_should_have_been_paid_and_sets_disputes_apart(paths):
    follow_up(paths, 105, "payment_agreement", agreement=date(2026, 12, 10))
    follow_up(paths, 108, "disputed")
    board = _board(paths)
    # expected date passed, not fully paid, not disputed: 103 (300, since 25/10) and 109 (250, since 30/11)
    assert board.gap_total == D("550.00") and board.gap_invoices == 2
    assert (board.disputed_total, board.disputed_invoices) == (D("250.00"), 1)
    assert [(g.label, g.amount) for g in board.gap_by_manager] == [("Bob Rep", D("300.00")), ("Rita Rep", D("250.00"))]
    assert [(g.label, g.amount, g.invoices) for g in board.gap_by_agency] == [("Agence Paris", D("550.00"), 2)]
    rows = [(g.invoice_id, g.open_amount, g.days_past_expected, g.customer_name) for g in board.gap_rows]
    assert rows == [(103, D("300.00"), 38, "Transports Morel"), (109, D("250.00"), 2, "Boulangerie Lefèvre")]
    assert board.gap_rows[0].last_action == "Aucune"


def test_kpis_by_hand(paths):
    k = _board(paths).kpis
    # open: 103 300 + 105 800 + 106 700 + 107 300 + 108 250 + 109 250
    assert k.receivables == D("2600.00")
    # due before today: 103, 105, 108, 109
    assert k.overdue == D("1600.00")
    assert round(k.overdue_share, 3) == D("0.615")
    assert (k.collected_this_week, k.expected_this_week) == (D("150.00"), D("400.00"))
    assert (k.collected_last_week, k.expected_last_week) == (D("0.00"), D("0.00"))
    # a week ago (25/11): nothing issued since (106/107 were issued on 25/11), 150 came in → 2750;
    # overdue then: due before 25/11 and open: 103 + 105 + 108
    assert k.receivables_week_ago == D("2750.00")
    assert k.overdue_week_ago == D("1350.00")
    # DSO countback: net sales (02/11, 02/12] = 106 + 107 = 1000 (30 days), (02/10, 02/11] = 103 300 +
    # 105 800 + 109 400 = 1500 (31 days), (02/09, 02/10] = 101 + 102 = 1600 (30 days).
    # 2600 − 1000 − 1500 = 100 left → 30 + 31 + 30 × 100 / 1600 = 62.875
    assert k.dso == D("62.9") and not k.dso_capped


def test_aging_by_days_late_on_the_due_date(paths):
    follow_up(paths, 105, "payment_agreement", agreement=date(2026, 12, 10))  # aging ignores agreements
    totals: dict[str, list] = {}
    for cell in _board(paths).aging:
        t = totals.setdefault(cell.bucket, [0, D(0)])
        t[0] += cell.invoices
        t[1] += cell.amount
    assert totals == {
        "not_due": [2, D("1000.00")],  # 106, 107
        "1_30": [2, D("1050.00")],  # 105 (12 days), 109 (2 days)
        "31_60": [1, D("300.00")],  # 103 (38 days)
        "over_90": [1, D("250.00")],  # 108 (93 days)
    }


def test_amounts_before_tax(paths):
    board = _board(paths, DashboardFilters(**{**default_filters(TODAY).__dict__, "without_tax": True}))
    assert board.kpis.receivables == D("2540.00")  # 103's 300 open is 240 before tax (500 incl. 100 tax)
    assert _weeks(board)["S43 2026"] == (D("240.00"), D("0.00"))


def _filtered(**kw) -> DashboardFilters:
    return DashboardFilters(**{**default_filters(TODAY).__dict__, **kw})


@pytest.mark.parametrize(
    ("filters", "receivables", "customers"),
    [
        (_filtered(agencies=("lyon",)), D("1250.00"), 1),  # customer 3: 106 + 107 + 108
        (_filtered(managers=("rep.a@verdier.example",)), D("250.00"), 1),  # customer 1 (on 2 she is secondary)
        (_filtered(customers=("alpha:1",)), D("250.00"), 1),
        (_filtered(entities=("alpha",)), D("2600.00"), 3),
        (_filtered(entities=("beta",)), D("0.00"), 0),
        (_filtered(agencies=("paris",), managers=("rep.b@verdier.example",)), D("1100.00"), 1),  # customer 2
    ],
)
def test_filters(paths, filters, receivables, customers):
    board = _board(paths, filters)
    assert (board.kpis.receivables, board.customers) == (receivables, customers)


def test_a_sales_rep_sees_only_their_portfolio(paths):
    rep_b = scope_of(paths, "rep.b@verdier.example")  # customers 2 and 3
    board = _board(paths, scope=rep_b)
    assert board.kpis.receivables == D("2350.00")
    assert "S42 2026" not in _weeks(board)  # customer 1's invoice
    # asking for customer 1 by filter gives nothing, not customer 1's figures
    assert _board(paths, _filtered(customers=("alpha:1",)), scope=rep_b).customers == 0


def test_weeks_agree_with_the_cash_events_view(paths):
    """The prepared aggregates and the analysts' view say the same (past weeks)."""
    from core.store.reading import read_session

    follow_up(paths, 105, "payment_agreement", agreement=date(2026, 11, 27))
    board = _board(paths)
    with read_session(paths, everything(), today=TODAY) as con:
        rows = con.execute(
            "SELECT week_start, event_kind, sum(amount_eur) FROM scoped_cash_events "
            "WHERE week_start BETWEEN ? AND ? GROUP BY ALL",
            [board.weeks[0].start, board.weeks[11].start],
        ).fetchall()
    events = {(w, k): a for w, k, a in rows}
    for w in board.weeks[:12]:
        assert w.expected == events.get((w.start, "expected"), D("0.00")), w.label
        assert w.collected == events.get((w.start, "collected"), D("0.00")), w.label
