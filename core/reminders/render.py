"""A decided reminder as the customer reads it: the level's template (written by an admin, so
rendered in the sandboxed environment of core.mail.templates) filled with the invoices, their
balances, and at the formal notice the L441-10 penalty block.

Amounts and dates reach the templates already formatted, in the customer's language: French
`1 234,56 €` and `22/11/2026`, English `€1,234.56` and `22/11/2026`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal

from core import formatting
from core.mail.message import header_text
from core.mail.templates import environment
from core.reminders import penalties
from core.reminders.model import DueReminder
from core.reminders.plans import Plan

SIGNATURE = {"fr": "Service relances clients", "en": "Accounts Receivable"}


@dataclass(frozen=True)
class RenderContext:
    """What the message needs beyond the engine's decision."""

    customer_name: str
    entity_name: str
    today: date
    account_manager_name: str = ""
    rates: Mapping[date, Decimal] = field(default_factory=dict)  # ECB rates by half-year (penalties.rates_from)
    b2b: bool = True  # the €40 indemnity is owed by businesses only
    payment_details: str = ""  # e.g. "IBAN FR76 … – BIC …", one line
    sender_name: str = ""  # signature; the account manager, else the collections department


@dataclass(frozen=True)
class RenderedReminder:
    subject: str
    body: str


class TemplateMissing(LookupError):
    """The plan has no template for this level and language (an admin removed it)."""


def money(amount: Decimal, language: str) -> str:
    """`1 234,56 €` in French (core.formatting.money), `€1,234.56` in English."""
    if language == "fr":
        return formatting.money(amount)
    return format_currency(amount, "EUR", locale="en_GB")


def percent(rate: Decimal, language: str) -> str:
    """`12,15 %` / `12.15%`."""
    if language == "fr":
        return format_decimal(rate, "0.00", locale="fr_FR") + "\u00a0%"
    return format_decimal(rate, "0.00", locale="en_GB") + "%"


def _half_year(start: date, language: str) -> str:
    if language == "fr":
        return penalties.half_year_label(start)
    return f"{'first' if start.month == 1 else 'second'} half of {start.year}"


def context_for(due: DueReminder, plan: Plan, ctx: RenderContext) -> dict[str, Any]:
    """The variables a reminder template sees (documented for the plan editor)."""
    language = due.language
    level = plan.level(due.code)
    invoices = [
        {
            "number": line.invoice_number or str(line.invoice_id),
            "due_date": formatting.day(line.due_date),
            "issue_date": formatting.day(line.issue_date),
            "amount_due": money(line.amount_due, language),
            "days_late": line.days_late,
            "code": line.code,
            "penalty": "",
        }
        for line in due.lines
    ]
    agreement = next((line.cycle for line in due.lines if line.cycle), "")
    variables: dict[str, Any] = {
        "customer_name": ctx.customer_name,
        "entity_name": ctx.entity_name,
        "account_manager_name": ctx.account_manager_name,
        "sender_name": ctx.sender_name or ctx.account_manager_name or SIGNATURE.get(language, SIGNATURE["fr"]),
        "payment_details": ctx.payment_details,
        "today": formatting.day(ctx.today),
        "invoices": invoices,
        "total_due": money(due.total_due, language),
        "agreement_date": formatting.day(date.fromisoformat(agreement)) if agreement else "",
        "code": due.code,
        "tone": level.tone if level else "",
        "penalty": None,
    }
    if due.penalty_block:
        variables["penalty"] = _penalty_block(due, level.payment_deadline_days if level else None, ctx, invoices)
    return variables


def _penalty_block(
    due: DueReminder, deadline_days: int | None, ctx: RenderContext, invoices: list[dict[str, Any]]
) -> dict[str, Any]:
    """Penalties per invoice up to today (RateMissing when a half-year has no rate), the €40 per
    invoice between businesses, the deadline, and the rates used, formatted."""
    language = due.language
    total_penalty = Decimal("0.00")
    used: dict[date, Decimal] = {}
    late_lines = 0
    for line, shown in zip(due.lines, invoices, strict=True):
        if line.days_late <= 0:
            continue
        late_lines += 1
        amount = penalties.late_penalty(line.amount_due, line.due_date, ctx.today, ctx.rates)
        for span in penalties.spans(line.due_date, ctx.today, ctx.rates):
            used[span.period_start] = span.rate
        shown["penalty"] = money(amount, language)
        total_penalty += amount
    indemnity = penalties.recovery_indemnity(late_lines, b2b=ctx.b2b)
    joiner = " ; " if language == "fr" else "; "
    word = "pour le" if language == "fr" else "for the"
    rates_text = joiner.join(
        f"{percent(r, language)} {word} {_half_year(s, language)}" for s, r in sorted(used.items())
    )
    deadline = ctx.today + timedelta(days=deadline_days or 8)
    return {
        "penalties": money(total_penalty, language),
        "indemnity": money(indemnity, language),
        "indemnity_count": late_lines,
        "b2b": ctx.b2b,
        "total_claimed": money(due.total_due + total_penalty + indemnity, language),
        "deadline": formatting.day(deadline),
        "rates_text": rates_text,
    }


def render_reminder(due: DueReminder, plan: Plan, ctx: RenderContext) -> RenderedReminder:
    """(subject, body) of the reminder in the customer's language. Raises RateMissing when the
    formal notice needs a half-year rate nobody entered, TemplateMissing, or a Jinja2 error for a
    template that uses a variable that does not exist."""
    level = plan.level(due.code)
    template = level.templates.get(due.language) if level else None
    if template is None:
        raise TemplateMissing(
            f"Le plan « {plan.label} » n'a pas de modèle {due.language} pour le niveau {due.code} :"
            " un administrateur doit le rétablir (page « Plans de relance »)."
        )
    variables = context_for(due, plan, ctx)
    env = environment()
    subject = env.from_string(template.subject).render(variables)
    body = env.from_string(template.body).render(variables)
    return RenderedReminder(header_text(subject), body.strip() + "\n")
