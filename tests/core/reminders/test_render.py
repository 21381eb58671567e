"""Reminders as the customer reads them: French and English wording, every invoice listed with
its balance, the formal notice's penalty block, and admin templates kept in the sandbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from core.formatting import PARIS
from core.reminders.model import DueReminder, ReminderLine
from core.reminders.penalties import RateMissing
from core.reminders.plans import LevelTemplate, default_plans
from core.reminders.render import RenderContext, render_reminder

PLANS = {p.plan_id: p for p in default_plans()}
TODAY = date(2025, 8, 15)
RATES = {date(2025, 1, 1): Decimal("3.15"), date(2025, 7, 1): Decimal("2.15")}
NNBSP, NBSP = "\u202f", "\u00a0"


def line(invoice_id: int, amount: str, due: date, code: str = "reminder_1") -> ReminderLine:
    return ReminderLine(
        "alpha", invoice_id, f"F-2025-{invoice_id:03d}", code, "", Decimal(amount), due, (TODAY - due).days,
        issue_date=date(2025, 4, 30),
    )  # fmt: skip


def reminder(code: str, *lines: ReminderLine, plan: str = "fr", language: str = "fr") -> DueReminder:
    level = PLANS[plan].level(code)
    assert level is not None
    return DueReminder(
        "alpha", 1, plan, code, level.position, level.channel, language, level.needs_validation,
        level.cc_account_manager, level.penalty_block, lines, sum((x.amount_due for x in lines), Decimal(0)),
        datetime(2025, 8, 15, tzinfo=PARIS),
    )  # fmt: skip


CTX = RenderContext(
    customer_name="Transports Morel", entity_name="Alpha SAS", today=TODAY, account_manager_name="Rita Rep",
    rates=RATES, payment_details="IBAN FR76 3000 6000 0112 3456 7890 189",
)  # fmt: skip


def test_a_french_reminder_lists_every_invoice_with_its_balance_and_the_total() -> None:
    due = reminder(
        "reminder_1", line(7, "1234.56", date(2025, 8, 12)), line(9, "100.00", date(2025, 8, 1), "reminder_2")
    )
    out = render_reminder(due, PLANS["fr"], CTX)
    assert out.subject == f"Relance : 2 factures impayées – 1{NNBSP}334,56{NBSP}€ restant dû"
    assert out.body.startswith("Madame, Monsieur,\n")
    assert (
        f"- Facture F-2025-007 du 30/04/2025, échue le 12/08/2025 : 1{NNBSP}234,56{NBSP}€ restant dû (3 jours de retard)"
        in out.body
    )
    assert (
        f"- Facture F-2025-009 du 30/04/2025, échue le 01/08/2025 : 100,00{NBSP}€ restant dû (14 jours de retard)"
        in out.body
    )
    assert f"Montant total restant dû : 1{NNBSP}334,56{NBSP}€" in out.body
    assert "Coordonnées de paiement : IBAN FR76 3000 6000 0112 3456 7890 189" in out.body
    assert out.body.rstrip().endswith("Rita Rep\nAlpha SAS")


def test_an_english_reminder_formats_amounts_the_english_way() -> None:
    due = reminder("reminder_1", line(7, "1234.56", date(2025, 8, 12)), plan="world_en", language="en")
    out = render_reminder(due, PLANS["world_en"], replace(CTX, account_manager_name=""))
    assert out.subject == "Reminder: invoice F-2025-007 – €1,234.56 outstanding"
    assert out.body.startswith("Dear Sir or Madam,\n")
    assert (
        "- Invoice F-2025-007 dated 30/04/2025, due on 12/08/2025: €1,234.56 outstanding (3 days overdue)" in out.body
    )
    assert out.body.rstrip().endswith("Accounts Receivable\nAlpha SAS")


def test_the_formal_notice_claims_penalties_the_indemnity_per_invoice_and_a_deadline() -> None:
    # 1 000 € due 31/05/2025: 26,12 € at 15/08/2025 (see test_penalties); 500 € due 30/06/2025:
    # 46 days at 12,15 % → 500 × 0.1215 × 46 / 365 = 7,656… → 7,66 €. Total penalties 33,78 €.
    due = reminder(
        "formal_notice", line(1, "1000.00", date(2025, 5, 31), "formal_notice"), line(2, "500.00", date(2025, 6, 30))
    )
    out = render_reminder(due, PLANS["fr"], CTX)
    assert out.subject == f"Mise en demeure de payer – 1{NNBSP}613,78{NBSP}€"  # 1500 + 33,78 + 2 × 40
    body = out.body
    assert "au plus tard le 23/08/2025" in body  # 8 days
    assert f"pénalités de retard au 15/08/2025 : 26,12{NBSP}€" in body
    assert f"pénalités de retard au 15/08/2025 : 7,66{NBSP}€" in body
    assert f"- Pénalités de retard au 15/08/2025 : 33,78{NBSP}€" in body
    assert f"- Indemnité forfaitaire pour frais de recouvrement : 80,00{NBSP}€ (2 × 40 €)" in body
    assert "article L441-10 du Code de commerce" in body
    assert f"13,15{NBSP}% pour le 1er semestre 2025 ; 12,15{NBSP}% pour le 2e semestre 2025" in body

    consumer = render_reminder(due, PLANS["fr"], replace(CTX, b2b=False))
    assert "Indemnité forfaitaire" not in consumer.body and "40 €" not in consumer.body
    assert consumer.subject == f"Mise en demeure de payer – 1{NNBSP}533,78{NBSP}€"


def test_the_english_formal_notice() -> None:
    due = reminder("formal_notice", line(1, "1000.00", date(2025, 5, 31), "formal_notice"), plan="eu_en", language="en")
    out = render_reminder(due, PLANS["eu_en"], CTX)
    assert out.subject == "Formal notice to pay – €1,066.12"
    assert "no later than 23/08/2025" in out.body
    assert "article L441-10 of the French Commercial Code" in out.body
    assert "- Fixed indemnity for recovery costs: €40.00 (1 × €40)" in out.body


def test_a_formal_notice_without_the_half_years_rate_is_refused_with_the_reason() -> None:
    due = reminder("formal_notice", line(1, "1000.00", date(2025, 5, 31), "formal_notice"))
    with pytest.raises(RateMissing, match="2e semestre 2025"):
        render_reminder(due, PLANS["fr"], replace(CTX, rates={date(2025, 1, 1): Decimal("3.15")}))


def _with_template(subject: str, body: str):  # type: ignore[no-untyped-def]
    plan = PLANS["fr"]
    levels = tuple(
        replace(lv, templates={"fr": LevelTemplate(subject, body), "en": LevelTemplate(subject, body)})
        if lv.code == "reminder_1" else lv
        for lv in plan.levels
    )  # fmt: skip
    return replace(plan, levels=levels)


def test_an_admins_template_is_sandboxed_and_a_missing_variable_is_an_error() -> None:
    due = reminder("reminder_1", line(7, "10.00", date(2025, 8, 12)))
    custom = _with_template("Bonjour {{ customer_name }}", "{{ invoices|length }} facture : {{ total_due }}")
    out = render_reminder(due, custom, CTX)
    assert (out.subject, out.body) == ("Bonjour Transports Morel", f"1 facture : 10,00{NBSP}€\n")
    with pytest.raises(SecurityError):
        render_reminder(due, _with_template("x", "{{ cycler.__init__.__globals__ }}"), CTX)
    with pytest.raises(UndefinedError):
        render_reminder(due, _with_template("x", "{{ customer_nam }}"), CTX)
