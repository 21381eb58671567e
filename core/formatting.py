"""French formats, one function each: amounts `1 234,56 €`, dates `22/11/2026`, ISO weeks.

Babel gives the exact French typography (narrow no-break space as thousands separator).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_currency, format_decimal

PARIS = ZoneInfo("Europe/Paris")
LOCALE = "fr_FR"


def money(amount: Decimal | int | float | None, currency: str = "EUR", *, cents: bool = True) -> str:
    """`1 234,56 €` (or `1 235 €` without cents, for headline figures); empty for a missing amount."""
    if amount is None:
        return ""
    value = Decimal(str(amount))
    if not cents:
        whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP) or Decimal(0)  # never "-0 €"
        return format_currency(whole, currency, "#,##0\u00a0¤", locale=LOCALE, currency_digits=False)
    if currency == "EUR" and value.is_finite():
        return _euros(value)
    return format_currency(value, currency, locale=LOCALE)


_CENT = Decimal("0.01")


def _euros(value: Decimal) -> str:
    """Babel's `format_currency(value, "EUR", locale="fr_FR")`, character for character, 70× faster
    (33 µs a call is 7 s for the two amounts of a 100,000-row export). Babel rounds half to even;
    a test compares the two on thousands of values."""
    text = f"{value.quantize(_CENT, rounding=ROUND_HALF_EVEN):,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def number(value: int | Decimal | float | None) -> str:
    return "" if value is None else format_decimal(value, locale=LOCALE)


def day(value: date | datetime | None) -> str:
    """`22/11/2026`."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(PARIS).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def moment(value: datetime | None) -> str:
    """`22/11/2026 à 14:05` in Paris time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return _babel_datetime(value.astimezone(PARIS), "dd/MM/yyyy 'à' HH:mm", locale=LOCALE)


def iso_week(value: date) -> str:
    """`S47 2026` — the ISO week a date falls in."""
    year, week, _ = value.isocalendar()
    return f"S{week:02d} {year}"


def week_start(value: date) -> date:
    return value - timedelta(days=value.weekday())


def paris_now() -> datetime:
    return datetime.now(PARIS)


def paris_today() -> date:
    return paris_now().date()
