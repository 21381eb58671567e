"""The group's customers: who they are, how they buy and pay, and their Pennylane record.

Every attribute that later drives invoices (terms, payer profile, typical amount, activity,
first purchase) is drawn here once, so a customer behaves consistently across two years.
Ids grow with ``created_at`` inside each entity, as Pennylane's do.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from demo import contacts, identifiers, names, payers, places, terms
from demo.money import VAT_INTERMEDIATE, VAT_NONE, VAT_REDUCED, VAT_STANDARD
from demo.organisation import API, ENTITIES, sales_reps
from demo.timeline import WINDOW_DAYS, Timeline

CUSTOMER_ID_BASE = 11_000_000
LEDGER_ACCOUNT_ID_BASE = 61_000_000
ENTITY_ID_STRIDE = 1_000_000
_OLDEST_CUSTOMER = dt.date(2016, 1, 4).toordinal()

# (median before-tax cents, spread) per entity for companies and individuals
_TICKETS = {
    (0, "company"): (420_000, 0.8), (0, "individual"): (65_000, 0.4),
    (1, "company"): (110_000, 0.8), (1, "individual"): (24_000, 0.5),
    (2, "company"): (170_000, 0.6), (2, "individual"): (85_000, 0.3),
}  # fmt: skip
_NOTES = (
    "Relancer par téléphone avant tout envoi de mise en demeure.",
    "Client historique : remise commerciale de 5 % accordée.",
    "Paiement par virement uniquement.",
    "Envoyer les factures en copie à la direction financière.",
    "Numéro de bon de commande obligatoire sur chaque facture.",
)


@dataclass(slots=True)
class Customer:
    entity: int
    agency: str
    kind: str
    language: str
    name: str
    first_name: str
    last_name: str
    address: dict[str, str]
    emails: list[str]
    phone: str
    recipient: str
    terms: str
    payer: str
    dispute_rate: float
    weight: float
    since: int
    created: int
    created_secs: int
    updated: int
    updated_secs: int
    currency: str
    ticket: int
    ticket_spread: float
    vat_bp: int
    bank_journal: int
    pay_method: str
    cites_invoices: bool
    reg_no: str
    vat_number: str
    has_reference: bool
    notes: str | None
    external_reference: str
    iban: str | None
    managers: list[str]
    sim_seed: int
    render_seed: int
    id: int = 0
    ledger_account_id: int = 0
    ledger_account_number: str = ""
    reference: str | None = None
    bank_name: str = field(default="")


def _draw_one(rng: random.Random, entity: int, timeline: Timeline, taken: set[str]) -> Customer:
    ent = ENTITIES[entity]
    agency = ent.agencies[0] if rng.random() < 0.58 else ent.agencies[1]
    kind = "individual" if rng.random() < 0.2 else "company"
    roll = rng.random()
    language = "fr_FR" if roll < 0.88 else "en_GB" if roll < 0.98 else "de_DE"
    postal, city = places.town(rng, language, agency)
    first, last = names.person(rng, language)
    if kind == "individual":
        name = f"{first} {last}"
        recipient = name
    else:
        name = names.company_name(rng, language, city)
        for _ in range(4):
            if name not in taken:
                break
            name = names.company_name(rng, language, city)
        if name in taken:
            name = f"{name} ({city})"
        base, suffix = name, 2
        while name in taken:
            name, suffix = f"{base} {suffix}", suffix + 1
        taken.add(name)
        recipient = contacts.draw_recipient(rng, language, first, last)
    address = places.address(rng, language, postal, city)
    emails = contacts.draw_emails(rng, kind, language, name, first, last)
    phone = contacts.draw_phone(rng, language, kind)
    terms_name = terms.draw_terms(rng, kind)
    payer = payers.draw_profile(rng, kind)
    dispute_rate = payers.draw_dispute_rate(rng)
    weight = math.exp(rng.gauss(0.0, 1.0)) * (0.25 if kind == "individual" else 1.0)
    if language != "fr_FR":
        weight *= 0.6  # export customers buy less often
    if rng.random() < 0.65:
        since = timeline.start
        created = rng.randint(_OLDEST_CUSTOMER, timeline.start - 1)
    else:
        since = timeline.start + int(rng.random() * 0.96 * WINDOW_DAYS)
        created = since - rng.randint(1, 20)
    created_secs = rng.randint(28_800, 68_399)
    if rng.random() < 0.3:
        updated, updated_secs = rng.randint(created, timeline.end), rng.randint(28_800, 68_399)
        if (updated, updated_secs) < (created, created_secs):
            updated, updated_secs = created, created_secs
    else:
        updated, updated_secs = created, created_secs
    foreign_company = kind == "company" and language != "fr_FR"
    currency = "EUR"
    if foreign_company and language == "en_GB" and rng.random() < 0.2:
        currency = "GBP" if rng.random() < 0.75 else "USD"
    median, spread = _TICKETS[(entity, kind)]
    ticket = int(median * math.exp(rng.gauss(0.0, 0.5)))
    if foreign_company:
        vat_bp = VAT_NONE
    elif kind == "individual" and entity == 1 and rng.random() < 0.35:
        vat_bp = VAT_INTERMEDIATE
    elif kind == "individual" and entity == 2 and rng.random() < 0.25:
        vat_bp = VAT_REDUCED
    else:
        vat_bp = VAT_STANDARD
    bank_journal = ent.bank_journals[0] if rng.random() < 0.8 else ent.bank_journals[1]
    method_roll = rng.random()
    if kind == "individual":
        pay_method = "VIR SEPA" if method_roll < 0.6 else "CB" if method_roll < 0.85 else "REMISE CHQ"
    elif language != "fr_FR":
        pay_method = "VIR INTL"
    else:
        pay_method = "VIR SEPA" if method_roll < 0.95 else "REMISE CHQ"
    cites_invoices = rng.random() < 0.85
    reg_no, vat_number = "", ""
    if kind == "company":
        if language == "en_GB":
            reg_no, vat_number = identifiers.uk_company(rng)
        elif language == "de_DE":
            reg_no, vat_number = identifiers.german_company(rng)
        else:
            reg_no = identifiers.siren(rng)
            vat_number = identifiers.french_vat(reg_no)
    has_reference = rng.random() < 0.75
    notes = rng.choice(_NOTES) if rng.random() < 0.08 else None
    external_reference = identifiers.uuid4(rng)
    iban = identifiers.french_iban(rng) if language == "fr_FR" and rng.random() < 0.1 else None
    reps = sales_reps(agency)
    primary = rng.choices(reps, [len(reps) - i + 1 for i in range(len(reps))])[0]
    managers = [primary]
    if rng.random() < 0.15:
        managers.append(rng.choice([r for r in reps if r != primary]))
    return Customer(
        entity, agency, kind, language, name, first, last, address, emails, phone, recipient,
        terms_name, payer, dispute_rate, weight, since, created, created_secs, updated,
        updated_secs, currency, ticket, spread, vat_bp, bank_journal, pay_method, cites_invoices,
        reg_no, vat_number, has_reference, notes, external_reference, iban, managers,
        rng.getrandbits(63), rng.getrandbits(63),
    )  # fmt: skip


def _account_number(name: str, taken: set[str]) -> str:
    letters = "".join(ch for ch in identifiers.ascii_upper(name) if "A" <= ch <= "Z")[:6] or "CLIENT"
    number, n = f"411{letters}", 1
    while number in taken:
        number, n = f"411{letters}{n:02d}", n + 1
    taken.add(number)
    return number


def build_customers(rng: random.Random, count: int, timeline: Timeline) -> list[Customer]:
    """``count`` customers, entity by entity, each entity's in ascending id order."""
    shares = [round(count * e.customer_share) for e in ENTITIES[:-1]]
    shares.append(count - sum(shares))
    result: list[Customer] = []
    for entity, n in enumerate(shares):
        taken: set[str] = set()
        drawn = [_draw_one(rng, entity, timeline, taken) for _ in range(n)]
        order = sorted(range(n), key=lambda i: (drawn[i].created, drawn[i].created_secs, i))
        next_id = CUSTOMER_ID_BASE + entity * ENTITY_ID_STRIDE + rng.randint(1_000, 9_000)
        next_account = LEDGER_ACCOUNT_ID_BASE + entity * ENTITY_ID_STRIDE + rng.randint(1_000, 9_000)
        numbers: set[str] = set()
        for rank, i in enumerate(order):
            c = drawn[i]
            c.id, c.ledger_account_id = next_id, next_account
            next_id += rng.randint(1, 3)
            next_account += rng.randint(1, 3)
            holder = c.name if c.kind == "company" else f"{c.last_name} {c.first_name}"
            c.ledger_account_number = _account_number(holder, numbers)
            c.reference = f"CL{rank + 1:05d}" if c.has_reference else None
            c.bank_name = identifiers.ascii_upper(c.name)
            result.append(c)
    return result


def _mandates_url(path: str, customer_id: int) -> str:
    flt = f'[{{"field":"customer_id","operator":"eq","value":"{customer_id}"}}]'
    return f"{API}/{path}?filter={quote(flt, safe='')}"


def customer_record(c: Customer, timeline: Timeline) -> dict[str, Any]:
    """The customer as ``GET /customers`` lists it (company or individual shape)."""
    record: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "billing_iban": c.iban,
        "payment_conditions": c.terms,
        "recipient": c.recipient,
        "phone": c.phone,
        "reference": c.reference,
        "notes": c.notes,
    }
    if c.kind == "company":
        record["vat_number"] = c.vat_number
        record["reg_no"] = c.reg_no
    else:
        record["first_name"] = c.first_name
        record["last_name"] = c.last_name
    record.update(
        {
            "ledger_account": {"id": c.ledger_account_id},
            "emails": list(c.emails),
            "billing_address": dict(c.address),
            "delivery_address": dict(c.address),
            "created_at": timeline.timestamp(c.created, c.created_secs),
            "updated_at": timeline.timestamp(c.updated, c.updated_secs),
            "customer_type": c.kind,
            "external_reference": c.external_reference,
            "billing_language": c.language,
            "mandates": {"url": _mandates_url("gocardless_mandates", c.id)},
            "pro_account_mandates": {"url": _mandates_url("pro_account/mandates", c.id)},
            "contacts": {"url": f"{API}/customers/{c.id}/contacts"},
        }
    )
    return record
