"""Reminder letters as the person who prints them and the customer who reads them see them
(pdftotext, pdftoppm): sender, recipient in the envelope's window, subject, every invoice,
totals, the penalty block and its L441-10 mention, "page n / N" per letter, English words for
English letters, and nothing outside the page margins. PNGs: tests/artifacts/letter-*.png."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from reportlab.lib.units import mm

from core import formatting
from core.reminders import letters
from core.reminders.letters import LEGAL_MENTION, Letter, LetterInvoice, Party, PenaltyBlock, letter_pdf, letters_pdf

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts"
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')

SENDER = Party(
    name="Verdier Conseil SAS",
    address_lines=("12 avenue de la République", "69002 Lyon"),
    siren="123456789",
    contact="Tél. 04 72 00 00 00 · relances@verdier.example",
)
RECIPIENT = Party(name="Boulangerie Lefèvre & Fils", address_lines=("1 rue de la Paix", "75002 Paris"))
BODY = (
    "Madame, Monsieur,\n\n"
    "Malgré nos précédentes relances, les factures ci-dessous restent impayées à ce jour. Nous vous mettons en "
    "demeure de régler la somme indiquée avant la date limite ci-dessous ; à défaut, nous engagerons sans autre "
    "avis les procédures de recouvrement prévues par la loi, à vos frais.\n\n"
    "Veuillez agréer, Madame, Monsieur, nos salutations distinguées."
)


def _invoices(count: int) -> tuple[LetterInvoice, ...]:
    return tuple(
        LetterInvoice(
            number=f"F-2026-{i:06d}",
            issue_date=date(2026, 6, 1) + timedelta(days=i),
            due_date=date(2026, 7, 1) + timedelta(days=i),
            amount=Decimal("1234.56") * (i + 1),
            amount_due=Decimal("1000.10") * (i + 1),
            days_late=159 - i,
        )
        for i in range(count)
    )


PENALTY = PenaltyBlock(
    lines=(
        ("Pénalités de retard (taux BCE + 10 points, 12,15 % puis 12,00 %)", Decimal("53.27")),
        ("Indemnités forfaitaires de recouvrement : 2 factures × 40 €", Decimal("80.00")),
    ),
    payment_deadline=date(2026, 12, 22),
    legal_mention=LEGAL_MENTION["fr"],
)


def _letter(**changes) -> Letter:
    fields = {
        "sender": SENDER,
        "recipient": RECIPIENT,
        "place": "Lyon",
        "date": date(2026, 12, 7),
        "reference": "REL-000042",
        "subject": "Mise en demeure de payer",
        "body": BODY,
        "invoices": _invoices(2),
        "penalty": None,
        "registered": False,
    }
    fields.update(changes)
    return Letter(**fields)


@pytest.fixture(scope="module", autouse=True)
def poppler() -> None:
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.fail("poppler-utils is missing: apt-get install poppler-utils (make test installs it)")


def _pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [page.replace("\u00a0", " ") for page in text.split("\f")[:-1]]


def _reading(path: Path) -> str:
    """The text in reading order (blocks kept together), on one line."""
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return _flat(text.replace("\u00a0", " "))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _plain(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ")


def _write(tmp_path: Path, letter: Letter, name: str = "letter.pdf") -> tuple[Path, int]:
    path = tmp_path / name
    with path.open("wb") as out:
        pages = letter_pdf(letter, out)
    return path, pages


def _words(path: Path) -> list[tuple[int, float, float, float, float, float, float, str]]:
    """(page, page width, page height, x0, y0, x1, y1, word) of every word (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    out = []
    for n, chunk in enumerate(html.split("<page ")[1:], start=1):
        width, height = map(float, PAGE.search("<page " + chunk).groups())  # type: ignore[union-attr]
        for x0, y0, x1, y1, word in WORD.findall(chunk):
            out.append((n, width, height, float(x0), float(y0), float(x1), float(y1), word))
    return out


def test_a_formal_notice_says_who_to_whom_what_and_how_much(tmp_path):
    path, pages = _write(tmp_path, _letter(penalty=PENALTY, registered=True))
    assert pages == 1
    text = _pages(path)[0]
    flat = _flat(text)
    assert "Lettre recommandée avec accusé de réception" in flat
    for line in ("Verdier Conseil SAS", "12 avenue de la République", "69002 Lyon", "SIREN 123 456 789"):
        assert line in text
    assert "relances@verdier.example" in text
    for line in ("Boulangerie Lefèvre & Fils", "1 rue de la Paix", "75002 Paris"):
        assert line in text
    assert "Lyon, le 07/12/2026" in text
    assert "Réf. : REL-000042" in text
    assert "Objet : Mise en demeure de payer" in text
    assert "Malgré nos précédentes relances" in flat and "salutations distinguées" in flat
    for invoice in _invoices(2):
        assert re.search(
            re.escape(invoice.number) + r"\s+" + re.escape(formatting.day(invoice.issue_date)) + r"\s+"
            + re.escape(formatting.day(invoice.due_date)) + r"\s+" + re.escape(_plain(formatting.money(invoice.amount)))
            + r"\s+" + re.escape(_plain(formatting.money(invoice.amount_due))) + rf"\s+{invoice.days_late}\b",
            text,
        ), invoice.number  # fmt: skip
    assert re.search(r"Total facturé\s+3 703,68 €", text)
    assert re.search(r"Total restant dû\s+3 000,30 €", text)
    assert re.search(r"Pénalités de retard \(taux BCE \+ 10 points, 12,15 % puis 12,00 %\)\s+53,27 €", text)
    assert re.search(r"Indemnités forfaitaires de recouvrement : 2 factures × 40 €\s+80,00 €", text)
    assert re.search(r"Total des pénalités et indemnités\s+133,27 €", text)
    assert re.search(r"Montant total réclamé\s+3 133,57 €", text)
    assert "Date limite de paiement : 22/12/2026" in text
    assert "article L441-10 du Code de commerce" in flat and "40 € par facture" in flat
    assert "Le service recouvrement" in text
    assert "page 1 / 1" in text


def test_a_plain_letter_has_no_registered_mention_nor_penalties(tmp_path):
    path, _ = _write(tmp_path, _letter())
    flat = _flat(_pages(path)[0])
    assert "recommandée" not in flat
    assert "L441-10" not in flat and "Pénalités" not in flat and "Montant total réclamé" not in flat
    assert "Total restant dû 3 000,30 €" in flat


def test_no_thousands_separator_prints_as_a_black_square(tmp_path):
    path, _ = _write(tmp_path, _letter(invoices=_invoices(3)))
    raw = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "\u202f" not in raw and "\ufffd" not in raw and "?" not in raw


def test_the_recipient_sits_in_the_window_of_a_dl_envelope(tmp_path):
    """DL window: ~20 mm from the right edge, ~45-50 mm from the top, about 100 × 45 mm."""
    path, _ = _write(tmp_path, _letter())
    words = [w for w in _words(path) if w[0] == 1]
    width = words[0][1]
    boxes = [w for w in words if w[7] in ("Boulangerie", "Lefèvre", "Paix", "75002", "Paris")]
    assert len(boxes) == 5
    for _, _, _, x0, y0, x1, y1, word in boxes:
        assert width - 20 * mm - 100 * mm <= x0 and x1 <= width - 20 * mm + 1, word
        assert 45 * mm <= y0 and y1 <= 45 * mm + 45 * mm, word
    sender = next(w for w in words if w[7] == "Verdier")
    assert sender[3] < 30 * mm and sender[4] < 30 * mm  # top left


def test_a_letter_of_60_invoices_spans_pages_with_the_header_on_each(tmp_path):
    invoices = _invoices(60)
    letter = _letter(invoices=invoices, penalty=PENALTY, registered=True)
    path, pages = _write(tmp_path, letter)
    texts = _pages(path)
    assert pages == len(texts) >= 2
    numbers = [n for page in texts for n in re.findall(r"F-2026-\d{6}", page)]
    assert numbers == [i.number for i in invoices]
    for n, page in enumerate(texts, start=1):
        assert f"page {n} / {pages}" in page
        if re.search(r"F-2026-\d{6}", page):
            assert re.search(r"Facture\s+Date\s+Échéance\s+Montant TTC\s+Reste dû", page), n
    assert "page 1 / 2" in texts[0] or pages != 2
    assert "Boulangerie Lefèvre & Fils — Réf. : REL-000042 (suite)" in texts[1]
    total = sum((i.amount_due for i in invoices), Decimal(0))
    last = "\n".join(texts[-2:])
    assert re.search(r"Total restant dû\s+" + re.escape(_plain(formatting.money(total))), last)
    assert re.search(r"Montant total réclamé\s+" + re.escape(_plain(formatting.money(total + PENALTY.total))), last)
    assert "Le service recouvrement" in texts[-1]


def test_long_texts_wrap_and_nothing_runs_outside_the_margins(tmp_path):
    long_word = "Référence-client-extrêmement-longue-" * 4
    letter = _letter(
        sender=Party(
            name="Société d'exploitation des établissements Verdier et associés, conseil en organisation",
            address_lines=("Bâtiment C, parc d'activités de la Vallée de la Chimie, 1250 avenue de l'Europe",),
            siren="123456789",
        ),
        recipient=Party(
            name="Boulangerie-pâtisserie artisanale Lefèvre & Fils, successeurs de la maison Œuvray",
            address_lines=("Zone industrielle des Quatre-Chemins, 48 boulevard du Général-de-Gaulle", "75002 Paris"),
        ),
        subject="Mise en demeure de payer les factures restées impayées malgré nos relances du 15 octobre, du "
        "3 novembre et du 24 novembre 2026 — dernier avis avant procédure",
        body=BODY + "\n\n" + (BODY.split("\n\n")[1] + " ") * 6 + long_word,
        invoices=(
            *_invoices(40),
            LetterInvoice("FACTURE-TRES-LONGUE-NUMERO-2026-000000000042", None, None, None, Decimal("99999999.99"), 3),
        ),
        penalty=PENALTY,
        registered=True,
    )
    path, pages = _write(tmp_path, letter, "long.pdf")
    texts = _pages(path)
    assert pages == len(texts) >= 2
    flat = _flat(" ".join(texts))
    assert "dernier avis avant procédure" in flat
    assert "99 999 999,99 €" in flat
    words = _words(path)
    assert len({w[0] for w in words}) == pages
    for page, width, height, x0, y0, x1, y1, word in words:
        assert 15 * mm <= x0 and x1 <= width - 15 * mm, (page, word, x0, x1)
        assert 8 * mm <= y0 and y1 <= height - 8 * mm, (page, word, y0, y1)
        footer = y0 >= height - 14 * mm
        assert footer or y1 <= height - letters.BOTTOM + 3, (page, word, y1)  # content stops above the footer
    _render(path, "letter-long")


def _render(path: Path, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / name)], check=True)
    assert sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_english_letters_use_english_words(tmp_path):
    penalty = PenaltyBlock(
        ((("Fixed recovery indemnity: 2 invoices × €40"), Decimal("80")),), date(2026, 12, 22), LEGAL_MENTION["en"]
    )
    letter = _letter(
        language="en",
        place="Lyon",
        subject="Formal notice to pay",
        body="Dear Sir or Madam,",
        penalty=penalty,
        registered=True,
    )
    path, _ = _write(tmp_path, letter)
    text = _pages(path)[0]
    flat = _reading(path)
    for words in (
        "Registered letter with acknowledgement of receipt",
        "Subject: Formal notice to pay",
        "Ref.: REL-000042",
        "Lyon, 07/12/2026",
        "Payment deadline: 22/12/2026",
        "The credit control department",
        "article L441-10",
    ):
        assert words in flat, words  # fmt: skip
    assert re.search(r"Invoice\s+Date\s+Due date\s+Amount\s+Amount due\s+Days", text)
    assert re.search(r"Total amount due\s+€3,000.30", text)  # as its English text writes amounts
    assert "Objet" not in flat and "Facture" not in flat


def test_a_batch_starts_each_letter_on_a_new_page_numbered_within_itself(tmp_path):
    batch = [
        _letter(recipient=Party("Client Un", ("1 rue A", "75001 Paris")), invoices=_invoices(60)),
        _letter(recipient=Party("Client Deux", ("2 rue B", "69001 Lyon")), reference="REL-000043"),
        _letter(recipient=Party("Client Trois", ("3 rue C", "13001 Marseille")), reference="REL-000044"),
    ]
    path = tmp_path / "batch.pdf"
    total = letters_pdf(batch, path)
    texts = _pages(path)
    assert total == len(texts)
    first = [p for p in texts if "Client Un" in p]
    assert len(first) == total - 2 >= 2
    assert f"page {len(first)} / {len(first)}" in first[-1]
    assert "Client Deux" in texts[len(first)] and "page 1 / 1" in texts[len(first)]
    assert "Client Trois" in texts[-1] and "page 1 / 1" in texts[-1] and "REL-000044" in texts[-1]
    _render(path, "letter-batch")


def test_an_unknown_language_is_refused(tmp_path):
    with pytest.raises(ValueError, match="langue"):
        letter_pdf(_letter(language="de"), tmp_path / "x.pdf")
