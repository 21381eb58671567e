"""The reminder's draft: recipients from Pennylane, the template of the customer's language,
French amounts and dates, and refusals (scope, permission, settled or mixed invoices)."""

import pytest

from core.access.permissions import Forbidden
from core.mail.drafts import ReminderRefused, draft_reminder
from core.scope import Scope
from tests.support.mail import TODAY, mail_store, scope, sender


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return mail_store(tmp_path_factory.mktemp("drafts"))


def _draft(paths, invoice_ids, email="compta@verdier.example", user=None):
    user = user or scope(paths, email)
    return draft_reminder(paths, user, "alpha", invoice_ids, TODAY, sender(user))


def test_a_french_customer_gets_the_french_template_with_amounts_dates_and_days_late(paths):
    draft = _draft(paths, [20])
    assert draft.language == "fr" and draft.customer_name == "Boulangerie Lefèvre"
    assert draft.to == ("compta1@client.example",)
    assert draft.invalid_emails == ("compta@",)  # Pennylane's broken address is set aside, not sent to
    assert draft.account_manager_email == "rep.a@verdier.example" and draft.cc == ()
    assert draft.subject == "Relance : facture F-2026-000020 – 1\u202f234,56\u00a0€ restant dû"
    assert "Bonjour," in draft.body
    assert "Facture F-2026-000020 du 01/09/2026 : 1\u202f234,56\u00a0€ restant dû, échéance le 01/10/2026" in draft.body
    assert "(52 jours de retard)" in draft.body
    assert "Montant total restant dû : 1\u202f234,56\u00a0€" in draft.body
    assert draft.body.rstrip().endswith("Cordialement,\n\nClaire Compta\nAlpha SAS")


def test_several_invoices_of_one_customer_are_listed_with_their_total(paths):
    draft = _draft(paths, [21, 20])
    assert [i.invoice_id for i in draft.invoices] == [20, 21]  # oldest due first
    assert draft.subject == "Relance : 2 factures impayées – 1\u202f534,56\u00a0€ restant dû"
    assert "Facture F-2026-000021 du 15/11/2026 : 300,00\u00a0€ restant dû, échéance le 15/12/2026\n" in draft.body
    assert "Montant total restant dû : 1\u202f534,56\u00a0€" in draft.body


def test_an_english_customer_gets_the_english_template(paths):
    draft = _draft(paths, [22])
    assert draft.language == "en" and draft.to == ("accounts@morel.example",)
    assert draft.subject == "Reminder: invoice F-2026-000022 – 99,90\u00a0€ outstanding"
    assert "Dear Sir or Madam," in draft.body and "(43 days overdue)" in draft.body
    assert "Total outstanding: 99,90\u00a0€" in draft.body


def test_an_invoice_outside_the_scope_is_refused_like_one_that_does_not_exist(paths):
    portfolio = Scope(
        email="compta@verdier.example", role="accounting", customers=frozenset({("alpha", 2), ("alpha", 3)})
    )
    with pytest.raises(ReminderRefused, match="introuvable ou hors de votre périmètre : 20"):
        _draft(paths, [20], user=portfolio)
    with pytest.raises(ReminderRefused, match="introuvable ou hors de votre périmètre : 999"):
        _draft(paths, [999])
    assert _draft(paths, [22], user=portfolio).customer_id == 2


def test_a_sales_rep_may_not_draft_a_reminder_even_in_their_portfolio(paths):
    with pytest.raises(Forbidden, match="ne permet pas : envoyer une relance manuelle"):
        _draft(paths, [23], "rep.b@verdier.example")
    with pytest.raises(Forbidden):
        _draft(paths, [20], "rep.b@verdier.example")


def test_settled_mixed_or_no_invoices_are_refused_in_french(paths):
    with pytest.raises(ReminderRefused, match="F-2026-000024 n'a plus de montant dû"):
        _draft(paths, [24])
    with pytest.raises(ReminderRefused, match="un seul client"):
        _draft(paths, [20, 22])
    with pytest.raises(ReminderRefused, match="au moins une facture"):
        _draft(paths, [])
