"""One customer's two years: invoices, payments, credit notes, disputes and drafts.

The simulation is a pure function of the customer (its own seed) and the window, so the
generator can replay it: once to count what happens on each day, once to write it with
ids that are dense and chronological. All money is integer cents; payments are in euros.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from demo import payers, terms
from demo.customers import Customer
from demo.money import VAT_INTERMEDIATE, VAT_REDUCED, VAT_STANDARD, FxRates, draw_amount, share, to_eur, vat
from demo.timeline import Timeline
from demo.volume import sample_days

PARTIAL_SHARE = 0.06
"""Invoices settled in 2–3 instalments (some still partly open today)."""
CREDIT_SHARE = 0.033
"""Invoices that get a credit note (full → cancelled, partial → rest still due)."""
FULL_CREDIT_SHARE = 0.55
DRAFT_SHARE = 0.06
"""Share of the last 30 days' invoices still in draft."""
GROUP_START = 0.065
"""Chance that an eligible payment starts a grouped transfer settling 2–4 invoices."""


@dataclass(slots=True)
class Credit:
    """A credit note against one invoice; amounts are magnitudes (the record makes them negative)."""

    day: int
    before_tax: int
    tax: int
    total: int
    total_eur: int
    tax_eur: int
    full: bool


@dataclass(slots=True)
class Invoice:
    day: int
    deadline: int
    currency: str
    rate: int
    vat_bp: int
    discount: int
    before_tax: int
    tax: int
    total: int
    total_eur: int
    tax_eur: int
    draft: bool = False
    dispute: str | None = None
    payments: list[tuple[int, int]] = field(default_factory=list)
    """Bank receipts of this invoice alone: ``(day, euro cents)``."""
    group: int = -1
    """Index of the grouped transfer that settled it, or -1."""
    credit: Credit | None = None

    def remaining_eur(self) -> int:
        if self.group >= 0:
            return 0
        settled = sum(amount for _, amount in self.payments)
        if self.credit is not None:
            settled += self.credit.total_eur
        return self.total_eur - settled


@dataclass(slots=True)
class GroupPayment:
    """One transfer settling several invoices of the customer at once."""

    day: int
    invoices: list[int]
    total_eur: int


@dataclass(slots=True)
class History:
    invoices: list[Invoice]
    groups: list[GroupPayment]


def _bank_day(timeline: Timeline, day: int, earliest: int, early: bool) -> int:
    """A day banks credit transfers on; prompt payers move to the business day before."""
    day = max(day, earliest)
    if early:
        before = timeline.previous_business(day)
        if before >= earliest:
            return before
    return timeline.next_business(day)


def _instalments(
    rng: random.Random, inv: Invoice, planned: int, earliest: int, timeline: Timeline
) -> list[tuple[int, int]]:
    count = 2 if rng.random() < 0.7 else 3
    first = inv.total_eur * rng.randint(30, 60) // 100
    amounts = [first]
    if count == 3:
        amounts.append((inv.total_eur - first) * rng.randint(30, 70) // 100)
    amounts.append(inv.total_eur - sum(amounts))
    day = _bank_day(timeline, planned - rng.randint(0, 10), earliest, False)
    result: list[tuple[int, int]] = []
    for amount in amounts:
        if day > timeline.end:
            break
        if amount > 0:
            result.append((day, amount))
        day = timeline.next_business(day + rng.randint(12, 45))
    return result


def _credit_note(rng: random.Random, inv: Invoice, planned: int | None, earliest: int, timeline: Timeline) -> bool:
    """Attach a credit note (and the net payment, if any); False when it would fall after today."""
    day = timeline.next_business(inv.day + rng.randint(2, 45))
    if day > timeline.end:
        return False
    if rng.random() < FULL_CREDIT_SHARE:
        inv.credit = Credit(day, inv.before_tax, inv.tax, inv.total, inv.total_eur, inv.tax_eur, True)
        return True
    before_tax = max(1, share(inv.before_tax, rng.randint(1_000, 5_000)))
    tax = vat(before_tax, inv.vat_bp)
    total = before_tax + tax
    total_eur, tax_eur = to_eur(total, inv.rate), to_eur(tax, inv.rate)
    inv.credit = Credit(day, before_tax, tax, total, total_eur, tax_eur, False)
    if planned is not None:
        paid_on = _bank_day(timeline, max(planned, day + rng.randint(1, 10)), earliest, False)
        if paid_on <= timeline.end:
            inv.payments = [(paid_on, inv.total_eur - total_eur)]
    return True


def _invoice(rng: random.Random, c: Customer, day: int, timeline: Timeline, fx: FxRates) -> Invoice:
    rate_bp = c.vat_bp
    if rate_bp == VAT_STANDARD and rng.random() < 0.04:
        rate_bp = VAT_INTERMEDIATE if rng.random() < 0.6 else VAT_REDUCED
    low = 2_000 if c.kind == "individual" else 8_000
    before_tax = draw_amount(rng, c.ticket, c.ticket_spread, low, 9_500_000)
    discount = 0
    if rng.random() < 0.05:
        discount = 5 if rng.random() < 0.6 else 10
        before_tax -= before_tax * discount // 100
    tax = vat(before_tax, rate_bp)
    total = before_tax + tax
    rate = fx.rate(c.currency, day)
    inv = Invoice(
        day, terms.deadline(day, c.terms), c.currency, rate, rate_bp, discount,
        before_tax, tax, total, to_eur(total, rate), to_eur(tax, rate),
    )  # fmt: skip
    if day > timeline.end - 30 and rng.random() < DRAFT_SHARE:
        inv.draft = True
        return inv
    if rng.random() < c.dispute_rate:
        inv.dispute = rng.choice(payers.DISPUTE_REASONS)
        return inv
    delay = payers.draw_delay(rng, c.payer)
    earliest = day if c.terms == "upon_receipt" else day + 1
    planned = None
    if delay is not None:
        planned = _bank_day(timeline, inv.deadline + delay, earliest, c.payer == payers.PROMPT)
    roll = rng.random()
    if planned is not None and roll < PARTIAL_SHARE:
        inv.payments = _instalments(rng, inv, planned, earliest, timeline)
        return inv
    if PARTIAL_SHARE <= roll < PARTIAL_SHARE + CREDIT_SHARE:
        if _credit_note(rng, inv, planned, earliest, timeline):
            return inv
    if planned is not None and planned <= timeline.end:
        inv.payments = [(planned, inv.total_eur)]
    return inv


def _group_payments(rng: random.Random, invoices: list[Invoice]) -> list[GroupPayment]:
    """Merge runs of 2–4 fully paid invoices (issued within ~2 months) into one transfer."""
    eligible = [
        i
        for i, inv in enumerate(invoices)
        if inv.credit is None and len(inv.payments) == 1 and inv.payments[0][1] == inv.total_eur
    ]
    groups: list[GroupPayment] = []
    pos = 0
    while pos < len(eligible):
        if rng.random() >= GROUP_START:
            pos += 1
            continue
        size = rng.choice((2, 2, 2, 3, 3, 4))
        head = invoices[eligible[pos]]
        members = [eligible[pos]]
        nxt = pos + 1
        while nxt < len(eligible) and len(members) < size and invoices[eligible[nxt]].day <= head.day + 62:
            members.append(eligible[nxt])
            nxt += 1
        if len(members) < 2:
            pos += 1
            continue
        day = max(invoices[m].payments[0][0] for m in members)
        total = sum(invoices[m].total_eur for m in members)
        for m in members:
            invoices[m].payments = []
            invoices[m].group = len(groups)
        groups.append(GroupPayment(day, members, total))
        pos = nxt
    return groups


def simulate(c: Customer, count: int, timeline: Timeline, fx: FxRates) -> History:
    """The customer's history with ``count`` invoices (credit notes come on top)."""
    rng = random.Random(c.sim_seed)
    days = sample_days(rng, count, max(c.since, timeline.start), timeline)
    invoices = [_invoice(rng, c, day, timeline, fx) for day in days]
    return History(invoices, _group_payments(rng, invoices))
