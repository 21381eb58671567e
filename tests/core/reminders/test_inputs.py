"""The engine's inputs read from a real published snapshot and operational store."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from core.formatting import PARIS
from core.reminders import plans
from core.reminders.engine import CustomerPlan, GivenLevel, due_reminders
from core.reminders.inputs import engine_inputs
from core.store import operations
from tests.support.stores import NOW, seeded_store

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)


def test_open_invoices_history_plans_and_away_customers_are_read_for_everyone(tmp_path: Path) -> None:
    paths = seeded_store(tmp_path)
    with operations.session(paths) as ops:
        plans.seed_default_plans(ops, now=NOW)
        plans.set_customer_plan(ops, "alpha", 2, None, by="admin@verdier.example", now=NOW)
        with operations.transaction(ops):
            ops.execute(
                "INSERT INTO invoice_followups (entity_id, invoice_id, internal_status, on_hold_until, updated_at,"
                " customer_id, version) VALUES ('alpha', 13, 'on_hold', '2026-12-01', ?, 3, 1)",
                (NOW.isoformat(),),
            )
            ops.execute(
                "INSERT INTO reminder_queue (entity_id, customer_id, plan_id, code, channel, language, state,"
                " scheduled_for, subject, body, to_addresses, total_due, created_at, updated_at)"
                " VALUES ('alpha', 1, 'fr', 'reminder_3', 'email', 'fr', 'sent', ?, 's', 'b', '[]', '20', ?, ?)",
                (NOW.isoformat(), NOW.isoformat(), NOW.isoformat()),
            )
            ops.execute(
                "INSERT INTO reminder_invoice_levels (entity_id, invoice_id, plan_id, code, cycle, queue_id, state,"
                " decided_at, sent_at) VALUES ('alpha', 10, 'fr', 'reminder_3', '', 1, 'sent', ?, ?)",
                (NOW.isoformat(), NOW.isoformat()),
            )
            message = ops.execute(
                "INSERT INTO messages (token, header_message_id, kind, entity_id, customer_id, sender_email,"
                " sender_name, from_address, envelope_from, subject, body, language, state, created_at)"
                " VALUES ('t1', '<t1.encours@x>', 'automatic', 'alpha', 3, 'systeme', 'Relances', 'r@x', 'r@x',"
                " 's', 'b', 'fr', 'sent', ?)",
                (NOW.isoformat(),),
            ).lastrowid
            ops.execute(
                "INSERT INTO mailbox_events (source, source_key, received_at, kind, message_id, return_date)"
                " VALUES ('maildir:x', 'k1', ?, 'auto_reply', ?, '2026-12-04')",
                (NOW.isoformat(), message),
            )

    found = engine_inputs(paths, now=MONDAY)

    assert [(i.invoice_id, i.customer_id, i.open_amount, i.amount) for i in found.invoices] == [
        (10, 1, Decimal("20.00"), Decimal("120.00")),  # partly paid: the balance is what is reminded
        (13, 3, Decimal("30.00"), Decimal("30.00")),
    ]  # paid, cancelled and credit notes are not read at all
    held = found.invoices[1]
    assert (held.internal_status, held.on_hold_until, held.due_date) == (
        "on_hold",
        date(2026, 12, 1),
        date(2026, 12, 30),
    )
    assert found.history == (GivenLevel("alpha", 10, "fr", "reminder_3", "", "sent", NOW),)
    assert sorted(found.plans) == ["bad_payers", "eu_en", "fr", "key_accounts", "world_en"]
    assert found.customers == {
        ("alpha", 1): CustomerPlan("fr", "fr"),
        ("alpha", 2): CustomerPlan(None, "fr"),
        ("alpha", 3): CustomerPlan("fr", "fr", away_until=date(2026, 12, 4)),
    }
    contact = found.contacts[("alpha", 1)]
    assert (contact.name, contact.entity_name, contact.emails, contact.b2b) == (
        "Boulangerie Lefèvre", "Alpha SAS", ("compta1@client.example",), True,
    )  # fmt: skip
    assert (contact.manager_name, contact.manager_emails) == ("Rita Rep", ("rep.a@verdier.example",))

    # the engine runs on them: invoice 10 (due 01/10, reminder_3 sent) is below the formal
    # notice's 50 € minimum; invoice 13 is on hold, then its customer is away until 04/12
    assert due_reminders(found.invoices, found.history, found.plans, found.customers, MONDAY) == []
    christmas = datetime(2026, 12, 26, 9, tzinfo=PARIS)
    [courtesy] = due_reminders(found.invoices, found.history, found.plans, found.customers, christmas)
    assert (courtesy.customer_id, courtesy.code, [line.invoice_id for line in courtesy.lines]) == (3, "courtesy", [13])
