"""ExportTables built by hand: invoice-like rows with Decimals, dates, None, long French labels
(accents, œ, €) and hostile text, as the lists hand them to the writers."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from core import formatting
from core.exports.table import Column, ExportTable

STATUS_LABELS = (("late", "En retard"), ("paid", "Payée"), ("disputed", "En litige"))
COLUMNS = (
    Column("number", "N° facture", "text", 0.8),
    Column("customer", "Client", "text", 1.5),
    Column("label", "Libellé", "text", 2.2),
    Column("issued_on", "Émise le", "date", 0.75),
    Column("due_on", "Échéance", "date", 0.75),
    Column("amount", "Montant TTC", "money", 1.0),
    Column("open", "Reste dû", "money", 1.0),
    Column("days_late", "Jours de retard", "int", 0.6),
    Column("status", "Statut", "status", 0.9, STATUS_LABELS),
    Column("manager", "Chargé de clientèle", "text", 1.1),
)
LONG_LABEL = (
    "Prestation d'accompagnement réglementaire pour l'œuvre sociale du comité d'entreprise, "
    "déplacements et frais de mission inclus (forfait 1 500 € hors taxes) — deuxième trimestre"
)
HOSTILE = '=HYPERLINK("http://evil.example","Cliquez ici")'
GENERATED_AT = datetime(2026, 12, 2, 14, 5, tzinfo=formatting.PARIS)


def invoice_rows(count: int) -> list[tuple]:
    """Deterministic rows; row 0 has the long label, row 1 hostile text, row 2 empty values."""
    rows = []
    for i in range(count):
        label = LONG_LABEL if i % 7 == 0 else HOSTILE if i == 1 else f"Maintenance mensuelle n° {i}"
        customer = "-2+3 Société à responsabilité" if i == 1 else f"Boulangerie Lefèvre & Fils n° {i % 13}"
        rows.append(
            (
                f"F-2026-{i:05d}",
                customer,
                None if i == 2 else label,
                date(2026, 1, 1) + timedelta(days=i % 300),
                None if i == 2 else date(2026, 2, 1) + timedelta(days=i % 300),
                Decimal("1234567.89") if i == 0 else Decimal(i * 137 % 1_000_000) / 100,
                None if i == 2 else Decimal(i * 71 % 100_000) / 100,
                i % 90,
                ("late", "paid", "disputed")[i % 3],
                "Rita Représentante" if i != 2 else None,
            )
        )
    return rows


def table_of(rows: list[tuple], *, batch: int = 50, filters: tuple[str, ...] = ("Agence : Lyon",)) -> ExportTable:
    amount = sum((r[5] for r in rows), Decimal(0))
    open_amount = sum((r[6] or Decimal(0) for r in rows), Decimal(0))

    def batches():
        for start in range(0, len(rows), batch):
            yield rows[start : start + batch]

    return ExportTable(
        title="Factures — Agence Lyon",
        columns=COLUMNS,
        row_count=len(rows),
        batches=batches,
        totals=(("Montant TTC", formatting.money(amount)), ("Reste dû", formatting.money(open_amount))),
        filters=filters,
        generated_by="Élodie Œuvray",
        generated_at=GENERATED_AT,
    )


@pytest.fixture(scope="session")
def poppler() -> None:
    """pdftotext and pdftoppm (Debian poppler-utils; `make test` installs it)."""
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.fail("poppler-utils is missing: run `make browser` (apt-get install poppler-utils)")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> list[str]:
    return pdf_text(path).split("\f")[:-1]
