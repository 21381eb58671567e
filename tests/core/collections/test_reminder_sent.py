"""A manual reminder, once sent, shows in the customer's history beside the collectors' work and
moves an invoice still "issued" to "reminded" (real SMTP server, aiosmtpd on a free port)."""

from core.collections.customer import customer_history, customer_view
from core.collections.followups import change_status, mark_reminded, read_followup
from core.collections.messages import customer_messages
from core.collections.workflow import StatusChange
from core.mail.drafts import draft_reminder
from core.mail.manual import send_manual_reminder
from core.store import operations
from tests.support.mail import NOW, TODAY, mail_store, scope, sender, smtp_server


def _status(paths, invoice_id):
    with operations.session(paths) as ops:
        return read_followup(ops, "alpha", invoice_id).status


def test_a_sent_reminder_is_in_the_history_and_marks_the_invoice_reminded(tmp_path):
    paths = mail_store(tmp_path)
    collector = scope(paths)
    draft = draft_reminder(paths, collector, "alpha", [20], TODAY, sender(collector))
    with smtp_server(tmp_path / "maildir") as smtp:
        outcome = send_manual_reminder(paths, collector, draft, now=NOW, server=smtp.server)
    assert outcome.sent
    assert mark_reminded(paths, collector, "alpha", [20], now=NOW, today=TODAY) == (20,)
    assert _status(paths, 20) == "reminded"

    view = customer_view(paths, collector, "alpha", 1, today=TODAY, grace_days=3)
    entries = customer_history(view, kinds=None, extra=customer_messages(paths, collector, "alpha", 1))
    kinds = [e.kind for e in entries]
    assert "message" in kinds and "status" in kinds
    message = next(e for e in entries if e.kind == "message")
    assert draft.subject in message.title and "compta1@client.example" in message.detail
    assert "F-2026-000020" in message.detail and "Relance manuelle · envoyé" in message.detail
    assert customer_history(view, kinds=["note"], extra=customer_messages(paths, collector, "alpha", 1)) == ()


def test_a_reminder_does_not_move_an_invoice_already_further_along(tmp_path):
    paths = mail_store(tmp_path)
    collector = scope(paths)
    change_status(paths, collector, "alpha", 20, StatusChange("on_hold", fields={"on_hold_until": TODAY.replace(day=30)}),
                  version=0, now=NOW, today=TODAY)  # fmt: skip
    assert mark_reminded(paths, collector, "alpha", [20], now=NOW, today=TODAY) == ()
    assert _status(paths, 20) == "on_hold"
