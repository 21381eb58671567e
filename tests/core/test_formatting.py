"""French formats: amounts `1 234,56 €`, dates `22/11/2026`, ISO weeks, Paris time."""

from datetime import UTC, date, datetime
from decimal import Decimal

from core import formatting


def test_money_is_french():
    assert formatting.money(Decimal("1234.56")) == "1\u202f234,56\u00a0€"
    assert formatting.money(Decimal("-40")) == "-40,00\u00a0€"
    assert formatting.money(None) == ""
    assert formatting.money(Decimal("14536060.85"), cents=False) == "14\u202f536\u202f061\u00a0€"
    assert formatting.money(Decimal("-0.4"), cents=False) == "0\u00a0€"


def test_dates_and_weeks():
    assert formatting.day(date(2026, 11, 22)) == "22/11/2026"
    assert formatting.day(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == "23/11/2026"  # already the 23rd in Paris
    assert formatting.moment(datetime(2026, 11, 22, 13, 5, tzinfo=UTC)) == "22/11/2026 à 14:05"
    assert formatting.iso_week(date(2026, 11, 22)) == "S47 2026"
    assert formatting.iso_week(date(2027, 1, 1)) == "S53 2026"
    assert formatting.week_start(date(2026, 11, 22)) == date(2026, 11, 16)


def test_the_fast_euro_path_prints_exactly_what_babel_prints():
    """money() formats euros without Babel (exports format hundreds of thousands of amounts)."""
    import random

    from babel.numbers import format_currency

    rng = random.Random(10)
    values = [Decimal(rng.randint(-(10**13), 10**13)) / Decimal(10 ** rng.randint(0, 4)) for _ in range(5000)]
    values += [Decimal(v) for v in ("0.005", "0.015", "-0.005", "2.675", "-0", "0E-5", "1E+3", "999999.995")]
    values += [Decimal(3), 0.1 + 0.2, -12]
    for value in values:
        assert formatting.money(value) == format_currency(Decimal(str(value)), "EUR", locale="fr_FR"), value
    assert formatting.money(Decimal("12"), "USD") == format_currency(Decimal("12"), "USD", locale="fr_FR")
