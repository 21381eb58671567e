"""The figures above a list or an entity: one `st.metric` style for amounts, so every page shows
euros the same way (rounded to the euro, the exact amount to the cent on hover)."""

from __future__ import annotations

from decimal import Decimal

from streamlit.delta_generator import DeltaGenerator

from core import formatting


def money_metric(where: DeltaGenerator, label: str, amount: Decimal) -> None:
    where.metric(label, formatting.money(amount, cents=False), help=formatting.money(amount))


def totals_row(where: DeltaGenerator, count_label: str, count: int, *amounts: tuple[str, Decimal]) -> None:
    """A count, then each (label, amount): the totals of a whole filtered set."""
    first, *rest = where.columns(1 + len(amounts))
    first.metric(count_label, formatting.number(count))
    for column, (label, amount) in zip(rest, amounts, strict=True):
        money_metric(column, label, amount)
