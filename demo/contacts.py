"""How to reach a customer: e-mails (including the broken ones real ledgers hold), phones.

Every domain is under the reserved ``.example`` TLD so no demo reminder can ever reach a
real mailbox. About 5 % of customers have no address and 3 % only or also a malformed one,
because the reminder workflow has to cope with both.

About one customer in 60 (picked from its name, so no other draw of the demo moves) has an
address the embedded SMTP server plays as unlucky (core/mail/local_server.py): `@rebond.example`
bounces, `@absent.example` answers that the person is away — the delivery loop of the automatic
reminders, visible in `make run`.
"""

from __future__ import annotations

import random
import zlib

from demo.identifiers import slug

_COMPANY_BOXES = {
    "fr_FR": ("compta", "comptabilite", "facturation", "factures", "contact", "administratif"),
    "en_GB": ("accounts", "ap", "finance", "invoices"),
    "de_DE": ("buchhaltung", "rechnungen", "info"),
}
_PERSONAL_DOMAINS = ("mail.example", "courriel.example", "boite.example", "webmail.example")

NO_EMAIL_SHARE = 0.05
INVALID_EMAIL_SHARE = 0.03
BOUNCE_DOMAIN = "rebond.example"  # the embedded SMTP server's BOUNCE_DOMAIN
AWAY_DOMAIN = "absent.example"  # and its AWAY_DOMAIN
DEMO_LOOP_EVERY = 120  # crc32(name) % 120: 0 bounces, 1 is away


def _domain(name: str) -> str:
    words = slug(name).split("-")
    return "-".join(words[:3]) + ".example"


def _personal(first: str, last: str) -> str:
    return f"{slug(first)}.{slug(last)}"


def _broken(rng: random.Random, box: str, domain: str, person: str) -> str:
    bare = domain.removesuffix(".example")
    forms = (
        f"{box}@",
        f"{person}@@{domain}",
        f"{box} {domain}",
        f"{box}@{bare}",
        f"@{domain}",
        f"{box}@{domain};{person}@{domain}",
        f"{person}@{domain}.",
    )
    return rng.choice(forms)


def draw_emails(rng: random.Random, customer_type: str, language: str, name: str, first: str, last: str) -> list[str]:
    """The customer's ``emails`` list: usually one, sometimes two, sometimes none or broken."""
    person = _personal(first, last)
    if customer_type == "individual":
        domain = rng.choice(_PERSONAL_DOMAINS)
        box = person
    else:
        domain = _domain(name)
        box = rng.choice(_COMPANY_BOXES[language])
    roll = rng.random()
    if roll < NO_EMAIL_SHARE:
        return []
    if roll < NO_EMAIL_SHARE + INVALID_EMAIL_SHARE:
        broken = _broken(rng, box, domain, person)
        return [broken] if rng.random() < 0.7 else [f"{box}@{domain}", broken]
    emails = [f"{box}@{domain}"]
    if customer_type == "company" and rng.random() < 0.25:
        emails.append(f"{person}@{domain}")
    unlucky = _unlucky_domain(name)
    if unlucky:
        local = box if customer_type == "individual" else f"{box}.{domain.removesuffix('.example')}"
        return [f"{local}@{unlucky}"]
    return emails


def _unlucky_domain(name: str) -> str | None:
    """The demo's bouncing or away customers, chosen by name (the random draws stay as they were)."""
    pick = zlib.crc32(name.encode("utf-8")) % DEMO_LOOP_EVERY
    return BOUNCE_DOMAIN if pick == 0 else AWAY_DOMAIN if pick == 1 else None


def draw_phone(rng: random.Random, language: str, customer_type: str) -> str:
    """Numbers from ranges the regulators reserve for fiction (ARCEP, Ofcom)."""
    if language == "en_GB":
        return f"+4420794600{rng.randint(0, 99):02d}"
    if language == "de_DE":
        return f"+493023125{rng.randint(0, 999):03d}"
    if customer_type == "individual":
        return f"+336399800{rng.randint(0, 99):02d}"
    prefix = rng.choice(("19900", "26191", "35301", "46571", "53649"))
    return f"+33{prefix}{rng.randint(0, 9_999):04d}"


def draw_recipient(rng: random.Random, language: str, first: str, last: str) -> str:
    """Who the invoice is addressed to at a company: a service or a named person."""
    if rng.random() < 0.5:
        return {"en_GB": "Accounts Payable", "de_DE": "Buchhaltung"}.get(language, "Service comptabilité")
    if language == "fr_FR":
        return f"{rng.choice(('M.', 'Mme'))} {first} {last}"
    return f"{first} {last}"
