"""Payer profiles: how late each customer pays, fixed per customer.

A cockpit for overdue receivables is only interesting if customers differ: a few pay
early, most a little late, some very late, and a handful never. Delays are counted in
days after the deadline (negative = early).
"""

from __future__ import annotations

import random

PROMPT = "prompt"
NORMAL = "normal"
SLOW = "slow"
VERY_LATE = "very_late"

PROFILES = (PROMPT, NORMAL, SLOW, VERY_LATE)

_COMPANY_WEIGHTS = (30, 38, 21, 11)
_INDIVIDUAL_WEIGHTS = (40, 33, 17, 10)

NEVER_PAYS_SHARE = 0.25
"""Share of a very late payer's invoices that are never paid at all."""

DISPUTE_REASONS = (
    "Prestation contestée par le client",
    "Montant différent du bon de commande",
    "Bon de commande manquant",
    "Prestation non réalisée en totalité",
    "Facture en double",
    "Taux de TVA contesté",
    "Adresse de facturation erronée",
    "Attente de validation du service achats",
)


def draw_profile(rng: random.Random, customer_type: str) -> str:
    weights = _INDIVIDUAL_WEIGHTS if customer_type == "individual" else _COMPANY_WEIGHTS
    return rng.choices(PROFILES, weights)[0]


def draw_dispute_rate(rng: random.Random) -> float:
    """Per-invoice dispute probability: most customers rarely dispute, a few often do."""
    return 0.08 if rng.random() < 0.1 else 0.015


def draw_delay(rng: random.Random, profile: str) -> int | None:
    """Days between deadline and payment for one invoice; ``None`` if it will never be paid."""
    if profile == PROMPT:
        return -rng.randint(0, 10)
    if profile == NORMAL:
        return rng.randint(0, 15) if rng.random() < 0.9 else rng.randint(16, 30)
    if profile == SLOW:
        return rng.randint(15, 60)
    if rng.random() < NEVER_PAYS_SHARE:
        return None
    return rng.randint(60, 180)
