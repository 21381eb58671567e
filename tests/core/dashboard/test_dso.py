"""The countback DSO macro on figures worked out by hand (docs/metrics.md, "DSO")."""

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from core.metrics.dso import months_before, periods
from core.store.schema import sql_text


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute(sql_text("dso_countback"))
    return con


@pytest.mark.parametrize(
    ("r", "sales", "expected"),
    [
        ("2600", ("1000", "1500", "1600"), Decimal("62.875")),  # 30 + 31 + 30 × 100 / 1600
        ("500", ("1000", "1500", "1600"), Decimal("15")),  # half of the last month
        ("0", ("1000", "1500", "1600"), Decimal("0")),
        ("-50", ("1000", "0", "0"), Decimal("0")),  # credit balance: nothing outstanding
        ("5000", ("1000", "1500", "1600"), Decimal("91")),  # not covered: the cap, shown "> 3 mois"
        ("1500", ("0", "3100", "0"), Decimal("45")),  # a month without sales counts whole: 30 + 31 × 1500/3100
        ("1500", ("-400", "3100", "0"), Decimal("45")),  # credit notes exceeding a month's sales: same
        ("100", (None, None, "100"), Decimal("91")),  # no sales at all in two months
    ],
)
def test_countback(con, r, sales, expected):
    (value,) = con.execute(
        "SELECT dso_countback(CAST(? AS DECIMAL(18,2)), CAST(? AS DECIMAL(18,2)), CAST(? AS DECIMAL(18,2)), "
        "CAST(? AS DECIMAL(18,2)), 30, 31, 30)",
        [r, *sales],
    ).fetchone()
    assert round(Decimal(str(value)), 3) == expected


def test_periods_walk_back_calendar_months_clamped_like_duckdb(con):
    assert [(p.after, p.until, p.days) for p in periods(date(2026, 12, 2))] == [
        (date(2026, 11, 2), date(2026, 12, 2), 30),
        (date(2026, 10, 2), date(2026, 11, 2), 31),
        (date(2026, 9, 2), date(2026, 10, 2), 30),
    ]
    for day in (date(2026, 3, 31), date(2024, 5, 31), date(2027, 1, 15)):
        for k in (1, 2, 3):
            (duck,) = con.execute("SELECT CAST(? - INTERVAL (?) MONTH AS DATE)", [day, k]).fetchone()
            assert months_before(day, k) == duck
