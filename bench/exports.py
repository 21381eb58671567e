"""Export benchmarks: the PDF and Excel writers on synthetic invoice-like rows, and Chromium's
`--print-to-pdf` of the same rows as an HTML table (the engine of the Gotenberg service the
client used before), each in its own process (bench/worker.py) so its peak memory is its own.

Rows are generated deterministically, batch by batch, as the lists hand them over from the
database: no store is needed and nothing holds the whole set.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from core import formatting
from core.exports.pdf import write_pdf
from core.exports.table import Column, ExportTable, Row
from core.exports.xlsx import write_xlsx

BATCH = 5_000
CHROMIUM_TIMEOUT_S = 300
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
)
STATUSES = (("late", "En retard"), ("due", "À échoir"), ("paid", "Payée"), ("disputed", "En litige"))
COLUMNS = (
    Column("number", "N° facture", "text", 0.8),
    Column("customer", "Client", "text", 1.5),
    Column("label", "Libellé", "text", 2.2),
    Column("issued_on", "Émise le", "date", 0.75),
    Column("due_on", "Échéance", "date", 0.75),
    Column("amount", "Montant TTC", "money", 1.0),
    Column("open", "Reste dû", "money", 1.0),
    Column("days_late", "Jours de retard", "int", 0.6),
    Column("status", "Statut", "status", 0.9, STATUSES),
    Column("manager", "Chargé de clientèle", "text", 1.1),
)
_CUSTOMERS = [f"{kind} {name} {i}" for i, (kind, name) in enumerate(
    (k, n) for k in ("SARL", "SAS", "Boulangerie", "Cabinet", "Société") for n in ("Lefèvre", "Dupré", "Œuvray", "Mélanie")
)]  # fmt: skip
_LABELS = (
    "Maintenance mensuelle",
    "Prestation d'accompagnement réglementaire, déplacements et frais de mission inclus — deuxième trimestre",
    "Abonnement logiciel",
    "Travaux de rénovation de la façade côté cour, échafaudage et évacuation des gravats compris",
)
_MANAGERS = ("Rita Représentante", "Bruno Martin", "Élodie Œuvray", "Jean Dupont")
TODAY = date(2026, 12, 2)


def invoice_row(i: int) -> Row:
    issued = date(2026, 1, 1) + timedelta(days=(i * 7) % 330)
    due = issued + timedelta(days=30)
    amount = Decimal((i * 7919) % 2_500_000) / 100 + Decimal(50)
    status = STATUSES[i % 4][0]
    open_amount = Decimal(0) if status == "paid" else amount
    return (
        f"F-2026-{i:07d}",
        _CUSTOMERS[(i * 31) % len(_CUSTOMERS)] + f" n° {i % 800}",
        _LABELS[i % len(_LABELS)] + (f" (commande {i})" if i % 3 == 0 else ""),
        issued,
        due,
        amount,
        open_amount,
        max(0, (TODAY - due).days) if status != "paid" else 0,
        status,
        _MANAGERS[i % len(_MANAGERS)],
    )


def invoice_table(rows: int) -> ExportTable:
    def batches() -> Iterator[list[Row]]:
        for start in range(0, rows, BATCH):
            yield [invoice_row(i) for i in range(start, min(rows, start + BATCH))]

    return ExportTable(
        title="Factures — benchmark",
        columns=COLUMNS,
        row_count=rows,
        batches=batches,
        totals=(("Montant TTC", formatting.money(Decimal("123456789.12"))),),
        filters=("Agence : Lyon", "Montant ≥ 50,00 €"),
        generated_by="Bench",
        generated_at=datetime(2026, 12, 2, 14, 5, tzinfo=formatting.PARIS),
    )


def time_writer(kind: str, rows: int, out: Path) -> dict[str, Any]:
    """Render `rows` rows with the PDF or Excel writer into `out`; the time includes making the rows."""
    writer = write_pdf if kind == "pdf" else write_xlsx
    started = time.perf_counter()
    with out.open("wb") as file:
        writer(invoice_table(rows), file)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": out.stat().st_size}


def html_page(table: ExportTable) -> Iterator[str]:
    """The same rows as one HTML table, A4 landscape, the header repeated on every printed page."""
    yield (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><style>'
        "@page { size: A4 landscape; margin: 10mm }"
        "body { font: 7.5pt Helvetica, Arial, sans-serif } table { border-collapse: collapse; width: 100% }"
        "thead { display: table-header-group } th { background: #ddd; text-align: left }"
        "td, th { padding: 2px 3px; vertical-align: top } tr:nth-child(even) td { background: #f4f4f4 }"
        ".n { text-align: right; white-space: nowrap }"
        f"</style></head><body><h1>{html.escape(table.title)}</h1><p>Filtres : {html.escape(table.filter_summary())}</p>"
        "<table><thead><tr>"
    )
    yield "".join(f"<th>{html.escape(c.header)}</th>" for c in table.columns) + "</tr></thead><tbody>"
    labels = dict(STATUSES)
    for batch in table.batches():
        parts = []
        for r in batch:
            parts.append(
                f"<tr><td>{r[0]}</td><td>{html.escape(r[1])}</td><td>{html.escape(r[2])}</td>"
                f"<td>{formatting.day(r[3])}</td><td>{formatting.day(r[4])}</td>"
                f'<td class="n">{formatting.money(r[5])}</td><td class="n">{formatting.money(r[6])}</td>'
                f'<td class="n">{r[7]}</td><td>{labels[r[8]]}</td><td>{html.escape(r[9])}</td></tr>'
            )
        yield "".join(parts)
    yield "</tbody></table></body></html>"


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def time_chromium(rows: int, work: Path, timeout: float = CHROMIUM_TIMEOUT_S) -> dict[str, Any]:
    """Chromium's print of the HTML table; a timeout or a missing file is a result, not a crash."""
    browser = chromium()
    if browser is None:
        return {"ok": False, "error": "chromium absent"}
    work.mkdir(parents=True, exist_ok=True)
    page, out = work / f"chromium-{rows}.html", work / f"chromium-{rows}.pdf"
    out.unlink(missing_ok=True)
    with page.open("w", encoding="utf-8") as file:
        file.writelines(html_page(invoice_table(rows)))
    command = [browser, *CHROMIUM_ARGS, f"--user-data-dir={work / 'chromium-profile'}", f"--print-to-pdf={out}"]
    started = time.perf_counter()
    try:
        subprocess.run([*command, page.as_uri()], capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"no PDF after {timeout:.0f} s", "seconds": timeout}
    seconds = time.perf_counter() - started
    if not out.exists() or out.stat().st_size == 0:
        return {"ok": False, "error": "chromium exited without writing the PDF", "seconds": seconds}
    return {"ok": True, "seconds": seconds, "bytes": out.stat().st_size}
