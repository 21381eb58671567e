"""The manual reminder form: a pre-filled draft the collector edits, then sends.

`reminder_form(paths, scope, entity_id, invoice_ids, today)` draws it (the invoice page calls
it in its "Relancer maintenant" section) and returns the outcome of a send when the button was
pressed (None otherwise). Everything it shows in French comes from core.mail: the draft
(recipients from Pennylane, template by the customer's billing language), the refusals, and
what the SMTP server answered. Widget keys are prefixed `reminder.<entity>.<invoices>.`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

import streamlit as st

from core import formatting
from core.access.permissions import Forbidden
from core.config import load_settings
from core.mail.drafts import Draft, ReminderRefused, Sender, draft_reminder
from core.mail.manual import SendOutcome, send_manual_reminder
from core.mail.message import split_addresses
from core.mail.smtp import SmtpServer
from core.mail.templates import LANGUAGE_LABELS
from core.scope import Scope
from core.store.paths import StorePaths


def reminder_form(
    paths: StorePaths, scope: Scope, entity_id: str, invoice_ids: Iterable[int], today: date
) -> SendOutcome | None:
    ids = sorted({int(i) for i in invoice_ids})
    key = f"reminder.{entity_id}.{'-'.join(str(i) for i in ids)}"
    mail = load_settings().mail
    try:
        draft = draft_reminder(paths, scope, entity_id, ids, today, Sender.of(scope, mail))
    except (ReminderRefused, Forbidden) as exc:
        st.error(str(exc))
        return None
    _summary(draft)
    with st.form(key + ".form"):
        to_text = st.text_input(
            "Destinataires", value=", ".join(draft.to), key=key + ".to", help="Adresses séparées par des virgules."
        )
        copy_manager = False
        if draft.account_manager_email:
            manager = draft.account_manager_name or draft.account_manager_email
            copy_manager = st.checkbox(
                f"Copie au chargé de clientèle : {manager} ({draft.account_manager_email})",
                value=False,
                key=key + ".cc",
            )
        subject = st.text_input("Objet", value=draft.subject, key=key + ".subject")
        body = st.text_area("Message", value=draft.body, height=360, key=key + ".body")
        submitted = st.form_submit_button("Envoyer la relance", type="primary")
    if not submitted:
        return None
    to, invalid = split_addresses(to_text)
    if invalid:
        st.error("Adresse invalide : " + ", ".join(invalid) + ". Corrigez-la avant d'envoyer.")
        return None
    edited = replace(
        draft,
        to=to,
        cc=(draft.account_manager_email,) if copy_manager and draft.account_manager_email else (),
        subject=subject,
        body=body,
    )
    try:
        with st.spinner("Envoi en cours…"):
            outcome = send_manual_reminder(
                paths, scope, edited, now=formatting.paris_now(), server=SmtpServer.from_settings(mail)
            )
    except (ReminderRefused, Forbidden) as exc:
        st.error(str(exc))
        return None
    if outcome.state == "sent":
        st.success(outcome.notice)
    elif outcome.state == "partly_sent":
        st.warning(outcome.notice)
    else:
        st.error(outcome.notice + " L'échec est noté dans l'historique du client.")
    return outcome


def _summary(draft: Draft) -> None:
    st.caption(
        f"{draft.customer_name} — {len(draft.invoices)} facture(s), {formatting.money(draft.total_due)} restant dû ; "
        f"modèle en {LANGUAGE_LABELS[draft.language]} (langue de facturation du client)."
    )
    if draft.invalid_emails:
        st.warning("Adresse(s) inutilisable(s) dans Pennylane, écartée(s) : " + ", ".join(draft.invalid_emails) + ".")
    if not draft.to:
        st.warning("Aucune adresse e-mail utilisable pour ce client dans Pennylane : saisissez un destinataire.")
