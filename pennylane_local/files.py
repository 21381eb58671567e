"""Invoice PDFs behind expiring links, as Pennylane serves them.

`GET /customer_invoices/{id}` returns a `public_file_url` that works without the API token and
expires after 30 minutes (Pennylane's spec). Here the link points back at this server
(`/public/invoice/pdf?encrypted_id=…`): the id is a signed token naming the dataset (by a hash
of its API token, never the token), the invoice and the expiry, under a secret drawn when the
server starts. An expired link answers 410, a forged or foreign one 403. The PDF is generated
from the invoice record: one A4 page with its number, customer, dates and amounts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pennylane_local.dataset import Dataset

LINK_LIFETIME = timedelta(minutes=30)
PDF_PATH = "/public/invoice/pdf"


class LinkRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def dataset_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:24]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FileLinks:
    """Signs and checks the expiring file links of one server."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()[:18])

    def url(self, root_url: str, token: str, invoice_id: int, now: datetime) -> str:
        expires = int((now + LINK_LIFETIME).timestamp())
        payload = _b64(json.dumps([dataset_key(token), int(invoice_id), expires], separators=(",", ":")).encode())
        return f"{root_url.rstrip('/')}{PDF_PATH}?encrypted_id={payload}.{self._mac(payload)}"

    def open(self, encrypted_id: str, datasets: Mapping[str, Dataset], now: datetime) -> tuple[Dataset, int]:
        """The dataset and invoice a link names; LinkRefused(403) if forged, (410) if expired."""
        payload, _, mac = encrypted_id.partition(".")
        if not payload or not hmac.compare_digest(mac, self._mac(payload)):
            raise LinkRefused(403, "Forbidden: invalid file link")
        try:
            key, invoice_id, expires = json.loads(_unb64(payload))
        except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
            raise LinkRefused(403, "Forbidden: invalid file link") from exc
        if now.timestamp() >= expires:
            raise LinkRefused(410, "Gone: this file link has expired")
        for token, dataset in datasets.items():
            if dataset_key(token) == key:
                return dataset, int(invoice_id)
        raise LinkRefused(403, "Forbidden: invalid file link")


# -- the PDF -------------------------------------------------------------------


def _euros(value: Any) -> str:
    """`1 234,56 €` with U+00A0 (Helvetica has no U+202F)."""
    amount = Decimal(str(value or "0")).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{chr(0xA0).join(groups)},{cents}{chr(0xA0)}€"


def _day(value: Any) -> str:
    return date.fromisoformat(str(value)).strftime("%d/%m/%Y") if value else "—"


def invoice_pdf(invoice: Mapping[str, Any], customer: Mapping[str, Any] | None, company: str) -> bytes:
    """One A4 page: the invoice as its customer would read it."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    number = str(invoice.get("invoice_number") or invoice.get("id"))
    credit = invoice.get("status") == "credit_note"
    pdf.setTitle(f"{'Avoir' if credit else 'Facture'} {number}")
    width, height = A4
    y = height - 72
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(56, y, f"{'Avoir' if credit else 'Facture'} {number}")
    pdf.setFont("Helvetica", 11)
    lines = [
        f"Émetteur : {company}",
        f"Client : {(customer or {}).get('name') or invoice.get('customer', {}).get('id')}",
        f"Libellé : {invoice.get('label') or ''}",
        f"Date d'émission : {_day(invoice.get('date'))}",
        f"Échéance : {_day(invoice.get('deadline'))}",
        f"Montant HT : {_euros(invoice.get('currency_amount_before_tax'))}",
        f"TVA : {_euros(invoice.get('currency_tax'))}",
        f"Montant TTC : {_euros(invoice.get('currency_amount'))} ({invoice.get('currency') or 'EUR'})",
        f"Reste à payer : {_euros(invoice.get('remaining_amount_with_tax'))}",
    ]
    for line in lines:
        y -= 22
        pdf.drawString(56, y, line)
    pdf.setFont("Helvetica-Oblique", 8)
    pdf.drawString(56, 40, "Document généré par le serveur Pennylane local d'Encours (démonstration).")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def render(dataset: Dataset, invoice_id: int) -> tuple[str, bytes] | None:
    """The file name and PDF of one invoice of `dataset`, or None when it has none (unknown id, draft)."""
    with dataset.lock:
        invoice = dataset.get("customer_invoices", invoice_id)
        if invoice is None or invoice.get("draft"):
            return None
        customer = dataset.get("customers", int((invoice.get("customer") or {}).get("id") or 0))
        company = str((dataset.me.get("company") or {}).get("name") or "")
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(invoice.get("filename") or f"{invoice.get('invoice_number')}.pdf"))
    return name, invoice_pdf(invoice, customer, company)
