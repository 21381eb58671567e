"""Late-payment penalties (L441-10): ECB rate of each half-year + 10 points, simple interest on a
365-day year, rounded once; the €40 indemnity per invoice between businesses; rates from the store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from core.reminders import penalties
from core.reminders.penalties import (
    RateMissing,
    late_penalty,
    rates_from,
    recovery_indemnity,
    seed_known_rates,
    set_rate,
)
from core.store import operations
from core.store.paths import StorePaths

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
RATES = {
    date(2024, 7, 1): Decimal("4.25"),
    date(2025, 1, 1): Decimal("3.15"),
    date(2025, 7, 1): Decimal("2.15"),
}


def test_a_lateness_across_1_july_uses_each_half_years_rate() -> None:
    # 1 000,00 € due 31/05/2025, penalties up to 15/08/2025:
    #   01/06 → 30/06/2025: 30 days at 3,15 + 10 = 13,15 %  → 1000 × 0.1315 × 30 / 365 = 3945 / 365
    #   01/07 → 15/08/2025: 46 days at 2,15 + 10 = 12,15 %  → 1000 × 0.1215 × 46 / 365 = 5589 / 365
    #   total 9534 / 365 = 26,1205… → 26,12 €
    assert late_penalty(Decimal("1000.00"), date(2025, 5, 31), date(2025, 8, 15), RATES) == Decimal("26.12")


def test_a_lateness_across_1_january_uses_each_half_years_rate() -> None:
    # 2 500,00 € due 15/12/2024, penalties up to 14/01/2025:
    #   16/12 → 31/12/2024: 16 days at 4,25 + 10 = 14,25 % → 2500 × 0.1425 × 16 / 365 = 5700 / 365
    #   01/01 → 14/01/2025: 14 days at 3,15 + 10 = 13,15 % → 2500 × 0.1315 × 14 / 365 = 4602.5 / 365
    #   total 10302.5 / 365 = 28,2260… → 28,23 €
    assert late_penalty(Decimal("2500.00"), date(2024, 12, 15), date(2025, 1, 14), RATES) == Decimal("28.23")


def test_rounding_happens_once_at_the_end() -> None:
    # 101 € due 31/05/2025, up to 01/07/2025:
    #   30 days at 13,15 %: 101 × 0.1315 × 30 / 365 = 1,09163…
    #    1 day  at 12,15 %: 101 × 0.1215 × 1 / 365  = 0,03362…
    #   rounded once: 1,12525… → 1,13 € (rounding each span would give 1,09 + 0,03 = 1,12 €)
    assert late_penalty(Decimal("101"), date(2025, 5, 31), date(2025, 7, 1), RATES) == Decimal("1.13")


def test_nothing_is_owed_before_the_day_after_the_due_date() -> None:
    assert late_penalty(Decimal("1000"), date(2025, 5, 31), date(2025, 5, 31), RATES) == Decimal("0.00")
    assert late_penalty(Decimal("0"), date(2025, 5, 31), date(2025, 8, 1), RATES) == Decimal("0.00")


def test_a_half_year_without_a_rate_stops_the_computation_and_names_it() -> None:
    with pytest.raises(RateMissing, match="1er semestre 2026") as caught:
        late_penalty(Decimal("1000"), date(2025, 12, 1), date(2026, 1, 10), RATES)
    assert caught.value.period_start == date(2026, 1, 1)


def test_forty_euros_per_invoice_between_businesses_only() -> None:
    assert penalties.RECOVERY_INDEMNITY == Decimal("40")
    assert recovery_indemnity(3, b2b=True) == Decimal("120")
    assert recovery_indemnity(3, b2b=False) == Decimal("0")


def test_rates_are_stored_per_half_year_and_an_admins_value_survives_the_seed(tmp_path: Path) -> None:
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        set_rate(ops, date(2025, 7, 1), "2,40", source="saisie", by="admin@x.example", now=NOW)
        assert seed_known_rates(ops, NOW) == 3
        assert seed_known_rates(ops, NOW) == 0
        rates = rates_from(ops)
        with pytest.raises(ValueError, match="semestre"):
            set_rate(ops, date(2025, 3, 1), "2.15", now=NOW)
        with pytest.raises(ValueError, match="taux invalide"):
            set_rate(ops, date(2026, 1, 1), "beaucoup", now=NOW)
    assert rates == {
        date(2024, 1, 1): Decimal("4.50"),
        date(2024, 7, 1): Decimal("4.25"),
        date(2025, 1, 1): Decimal("3.15"),
        date(2025, 7, 1): Decimal("2.40"),
    }
