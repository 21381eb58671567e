"""Payment conditions: which ones customers get, and the deadline each one implies.

The deadline rules follow French practice (LME): "30 jours fin de mois" is the end of the
month in which issue date + 30 days falls, and likewise for 45 days.
"""

from __future__ import annotations

import random

from demo.timeline import end_of_month

DAYS = {
    "upon_receipt": 0,
    "7_days": 7,
    "15_days": 15,
    "30_days": 30,
    "45_days": 45,
    "60_days": 60,
    "30_days_end_of_month": 30,
    "45_days_end_of_month": 45,
}
"""Days added to the issue date, before any end-of-month rounding."""

END_OF_MONTH = frozenset({"30_days_end_of_month", "45_days_end_of_month"})

_COMPANY_TERMS = (
    ("30_days", 30),
    ("30_days_end_of_month", 22),
    ("45_days_end_of_month", 15),
    ("60_days", 11),
    ("45_days", 10),
    ("15_days", 6),
    ("upon_receipt", 6),
)
_INDIVIDUAL_TERMS = (
    ("upon_receipt", 35),
    ("15_days", 25),
    ("30_days", 35),
    ("30_days_end_of_month", 5),
)


def draw_terms(rng: random.Random, customer_type: str) -> str:
    """A customer's standing payment conditions; individuals get short ones."""
    table = _INDIVIDUAL_TERMS if customer_type == "individual" else _COMPANY_TERMS
    names = [name for name, _ in table]
    weights = [weight for _, weight in table]
    return rng.choices(names, weights)[0]


def deadline(issued: int, terms: str) -> int:
    """Due date (ordinal) of an invoice issued on ``issued`` under ``terms``."""
    due = issued + DAYS[terms]
    return end_of_month(due) if terms in END_OF_MONTH else due
