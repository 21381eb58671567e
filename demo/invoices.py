"""Customer invoice and credit note records, shaped exactly like ``GET /customer_invoices`` items.

Status, ``paid`` and the remaining amounts are derived from the simulated history here and
nowhere else, so they cannot disagree with the ledger lines written beside them. Records are
written straight to compact JSON text (what ``json.dumps(..., separators=(",", ":"),
ensure_ascii=False)`` would give, which the tests check): building then encoding a 44-key
dict per invoice was most of a million-invoice run.
"""

from __future__ import annotations

import base64
import random
from json.encoder import encode_basestring as quote

from demo.customers import Customer
from demo.history import Invoice
from demo.identifiers import uuid4
from demo.money import cents, rate_string
from demo.organisation import API
from demo.timeline import Timeline

_SUBJECTS = {
    0: {
        "fr_FR": (
            "Mission de conseil",
            "Accompagnement stratégique",
            "Audit organisationnel",
            "Conduite du changement",
        ),
        "en_GB": ("Consulting services", "Strategy support", "Organisational review"),
        "de_DE": ("Beratungsleistungen", "Strategieberatung"),
    },
    1: {
        "fr_FR": (
            "Maintenance multi-technique",
            "Nettoyage des locaux",
            "Intervention sur site",
            "Contrat d'entretien",
        ),
        "en_GB": ("Facility maintenance", "Cleaning services", "On-site intervention"),
        "de_DE": ("Wartungsvertrag", "Gebäudereinigung"),
    },
    2: {
        "fr_FR": (
            "Formation Excel avancé",
            "Formation management d'équipe",
            "Formation sécurité incendie",
            "Formation gestion de projet",
        ),
        "en_GB": ("Advanced Excel training", "Team management training"),
        "de_DE": ("Excel-Schulung", "Führungskräftetraining"),
    },
}
_MONTHS = {
    "fr_FR": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "en_GB": "January February March April May June July August September October November December".split(),
    "de_DE": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
}
_THANKS = {
    "fr_FR": "Merci de votre confiance.",
    "en_GB": "Thank you for your business.",
    "de_DE": "Vielen Dank für Ihren Auftrag.",
}
_LATE_PAYMENT_MENTION = (
    "En cas de retard de paiement, pénalités au taux de 3 fois le taux d'intérêt légal "
    "et indemnité forfaitaire pour frais de recouvrement de 40 €. Pas d'escompte pour paiement anticipé."
)
_TEMPLATE_IDS = (52_310, 52_311, 52_312)
_PDF_URL = "https://app.pennylane.com/public/invoice/pdf?encrypted_id="


def status(inv: Invoice, today: int) -> str:
    """The Pennylane status an invoice has today, given what was paid and credited."""
    if inv.draft:
        return "draft"
    remaining = inv.remaining_eur()
    if remaining == 0:
        return "cancelled" if inv.credit is not None and inv.credit.full else "paid"
    if inv.payments:
        return "partially_paid"
    return "late" if inv.deadline < today else "upcoming"


def without_tax(remaining: int, total: int, tax: int) -> int:
    """The before-tax part of a remaining amount, pro rata, rounded half up."""
    return (2 * remaining * (total - tax) + total) // (2 * total)


class InvoiceRecords:
    """Writes one customer's invoice records; holds what every record of that customer shares."""

    def __init__(self, c: Customer, timeline: Timeline, rng: random.Random) -> None:
        self.c = c
        self.timeline = timeline
        self.rng = rng
        self.customer = f'{{"id":{c.id},"url":"{API}/customers/{c.id}"}}'
        self.language = c.language
        self.template = f'{{"id":{_TEMPLATE_IDS[c.entity]}}}'
        self.subjects = _SUBJECTS[c.entity][c.language]
        self.months = _MONTHS[c.language]
        self.thanks = quote(_THANKS[c.language])
        self.mention = quote(_LATE_PAYMENT_MENTION) if c.kind == "company" and c.language == "fr_FR" else "null"

    def _file_url(self) -> str:
        if self.rng.random() < 0.15:
            return "null"
        return f'"{_PDF_URL}{base64.urlsafe_b64encode(self.rng.randbytes(30)).decode()}"'

    def _record(
        self,
        inv: Invoice,
        invoice_id: int,
        entry_id: int,
        number: str,
        label: str,
        amounts: tuple[int, int, int, int, int],
        day: int,
        deadline: int,
        paid: bool,
        state: str,
        remaining: tuple[int, int],
        file_url: str,
        filename: str,
        mention: str,
        subject: str,
        credited: str,
        dispute: str,
        created: str,
        updated: str,
    ) -> str:
        total_eur, total, before_tax, tax, tax_eur = amounts
        iso = self.timeline.iso
        links = f"{API}/customer_invoices/{invoice_id}"
        return (
            f'{{"id":{invoice_id},"label":{quote(label)},"invoice_number":"{number}","currency":"{inv.currency}",'
            f'"amount":"{cents(total_eur)}","currency_amount":"{cents(total)}",'
            f'"currency_amount_before_tax":"{cents(before_tax)}","exchange_rate":"{rate_string(inv.rate)}",'
            f'"date":"{iso(day)}","deadline":"{iso(deadline)}","currency_tax":"{cents(tax)}","tax":"{cents(tax_eur)}",'
            f'"language":"{self.language}","paid":{"true" if paid else "false"},"status":"{state}",'
            f'"discount":{{"type":"relative","value":"{inv.discount}"}},"ledger_entry":{{"id":{entry_id}}},'
            f'"public_file_url":{file_url},"filename":{filename},'
            f'"remaining_amount_with_tax":"{cents(remaining[0])}","remaining_amount_without_tax":"{cents(remaining[1])}",'
            f'"draft":{"true" if state == "draft" else "false"},"special_mention":{mention},'
            f'"customer":{self.customer},"invoice_line_sections":{{"url":"{links}/invoice_line_sections"}},'
            f'"invoice_lines":{{"url":"{links}/invoice_lines"}},'
            f'"custom_header_fields":{{"url":"{links}/custom_header_fields"}},"categories":{{"url":"{links}/categories"}},'
            f'"pdf_invoice_free_text":{self.thanks},"pdf_invoice_subject":{quote(subject)},"pdf_description":null,'
            f'"billing_subscription":null,"credited_invoice":{credited},"customer_invoice_template":{self.template},'
            f'"transaction_reference":null,"payments":{{"url":"{links}/payments"}},'
            f'"matched_transactions":{{"url":"{links}/matched_transactions"}},"appendices":{{"url":"{links}/appendices"}},'
            f'"quote":null,"external_reference":"{uuid4(self.rng)}","e_invoicing":{dispute},"archived_at":null,'
            f'"created_at":"{created}","updated_at":"{updated}"}}'
        )

    def invoice(self, inv: Invoice, invoice_id: int, entry_id: int, number: str, created: str, updated: str) -> str:
        """The invoice as JSON text; its label is ``label(number)``."""
        remaining = inv.total_eur if inv.draft else inv.remaining_eur()
        state = status(inv, self.timeline.end)
        month = self.months[self.timeline.month(inv.day) - 1]
        subject = f"{self.rng.choice(self.subjects)} – {month} {self.timeline.year(inv.day)}"
        dispute = "null" if inv.dispute is None else f'{{"status":"in_dispute","reason":{quote(inv.dispute)}}}'
        return self._record(
            inv, invoice_id, entry_id, number, self.label(number),
            (inv.total_eur, inv.total, inv.before_tax, inv.tax, inv.tax_eur), inv.day, inv.deadline,
            remaining == 0 and not inv.draft, state,
            (remaining, without_tax(remaining, inv.total_eur, inv.tax_eur)),
            "null" if inv.draft else self._file_url(), "null" if inv.draft else f'"Facture_{number}.pdf"',
            self.mention, subject, "null", dispute, created, updated,
        )  # fmt: skip

    def credit_note(
        self, inv: Invoice, invoice_id: int, credit_id: int, entry_id: int, number: str, original: str, created: str
    ) -> str:
        """The credit note of ``inv`` as JSON text: negative amounts, ``credited_invoice`` set."""
        credit = inv.credit
        assert credit is not None
        credited = f'{{"id":{invoice_id},"url":"{API}/customer_invoices/{invoice_id}"}}'
        return self._record(
            inv, credit_id, entry_id, number, self.credit_label(number),
            (-credit.total_eur, -credit.total, -credit.before_tax, -credit.tax, -credit.tax_eur), credit.day,
            credit.day, False, "credit_note", (0, 0), self._file_url(), f'"Avoir_{number}.pdf"', "null",
            f"Avoir sur facture {original}", credited, "null", created, created,
        )  # fmt: skip

    def label(self, number: str) -> str:
        return f"Facture {number} - {self.c.name}"

    def credit_label(self, number: str) -> str:
        return f"Avoir {number} - {self.c.name}"
