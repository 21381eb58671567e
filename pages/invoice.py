"""Facture : les données Pennylane d'une facture, son statut interne et son historique, les notes,
appels et promesses, et les formulaires du recouvrement (adresse : ?entite=…&facture=…)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import streamlit as st

from core import formatting
from core.access.permissions import Action, Forbidden
from core.collections import history, workflow
from core.collections.errors import CollectionError, StaleWrite
from core.collections.followups import (
    CALL_OUTCOMES,
    PROMISE_SOURCES,
    PromiseInput,
    add_note,
    change_status,
    dispute_reason_labels,
    log_call,
    mark_reminded,
    record_promise,
)
from core.collections.invoice import invoice_detail, key_from_address
from core.collections.workflow import StatusChange
from core.config import load_settings
from core.invoices.files import InvoiceFileUnavailable, invoice_file_url
from core.store.analytical import StoreNotPublished
from ui import context
from ui.navigation import CUSTOMER_PAGE
from ui.reminder_form import reminder_form

scope = context.require(Action.VIEW_LISTS)
paths = context.paths()
today = context.today()
grace = context.promise_grace_days()

# Session state of this page, in one place: the version of each invoice as last shown (every
# write is based on it: a form sent after someone else wrote is refused, not applied), and the
# confirmation of the last write, shown once after the rerun.
SEEN, FLASH = "facture.seen", "facture.flash"
st.session_state.setdefault(SEEN, {})

st.title("Facture")
key = key_from_address(st.query_params.get("entite"), st.query_params.get("facture"))
if key is None:
    st.info("Ouvrez une facture depuis la liste des factures, une fiche client ou le tableau de bord.")
    st.stop()
entity_id, invoice_id = key
try:
    detail = invoice_detail(paths, scope, entity_id, invoice_id, today=today, grace_days=grace)
except StoreNotPublished as exc:
    st.info(str(exc))
    st.stop()
if detail is None:
    st.warning("Facture introuvable, ou hors de votre périmètre.")
    st.stop()

based_on = st.session_state[SEEN].get(key, detail.version)
st.session_state[SEEN][key] = based_on
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))


def submit(write: Callable[[], Any], done: str) -> None:
    """Run a write based on the version the user saw; refusals are explained in French."""
    try:
        write()
    except StaleWrite as exc:
        st.session_state[SEEN][key] = exc.current.version
        st.error(str(exc))
        st.info(f"État actuel : {exc.current.label}" + _fields(exc.current))
    except (CollectionError, Forbidden) as exc:
        st.error(str(exc))
    else:
        st.session_state[SEEN].pop(key, None)
        st.session_state[FLASH] = done
        st.rerun()


def _fields(f: workflow.FollowUp) -> str:
    parts = [
        f" — paiement convenu le {formatting.day(f.agreement_date)}" if f.agreement_date else "",
        f" — fin de litige prévue le {formatting.day(f.dispute_expected_end)}" if f.dispute_expected_end else "",
        f" — en attente jusqu'au {formatting.day(f.on_hold_until)}" if f.on_hold_until else "",
        f" — au contentieux depuis le {formatting.day(f.legal_date)}" if f.legal_date else "",
        f" (par {f.updated_by}, {formatting.moment(f.updated_at)})" if f.updated_by else "",
    ]
    return "".join(parts)


now = formatting.paris_now
number = detail.invoice_number or str(detail.invoice_id)
st.subheader(f"{number} — {detail.customer_name or ''}")
st.page_link(CUSTOMER_PAGE, label=f"Fiche client : {detail.customer_name}", icon="👤",
             query_params={"entite": detail.entity_id, "client": str(detail.customer_id)})  # fmt: skip
if detail.promise_not_kept:
    st.warning("Promesse non tenue : un paiement promis n'est pas arrivé à temps (voir les promesses).")

left, middle, right = st.columns(3)
left.metric("Montant TTC", formatting.money(detail.amount))
middle.metric("Reste à encaisser", formatting.money(detail.open_amount))
right.metric("Statut interne", detail.followup.label)
st.markdown(
    f"**Pennylane** : {detail.status_label} (« {detail.pennylane_status or '—'} ») · émise le "
    f"{formatting.day(detail.issue_date)} · échéance {formatting.day(detail.due_date)} · attendue le "
    f"{formatting.day(detail.expected_date)}" + (f" · {detail.days_late} jour(s) de retard" if detail.days_late else "")
)
st.markdown(
    f"Payé {formatting.money(detail.paid)} · avoirs {formatting.money(detail.credited)}"
    + (f" · dernier paiement le {formatting.day(detail.last_payment_date)}" if detail.last_payment_date else "")
    + f" · facturation électronique : {detail.e_invoicing_status or 'aucun statut transmis par Pennylane'}"
)
st.caption(f"Entité {detail.entity_name or detail.entity_id} · gestionnaire : {detail.manager_name or '—'}"
           + _fields(detail.followup))  # fmt: skip
if detail.dispute_reason_label:
    st.caption(f"Motif du litige : {detail.dispute_reason_label}")

if st.button("Ouvrir le PDF de la facture (Pennylane)", key="facture.pdf"):
    # Pennylane's file links expire after 30 minutes: asked for at the click, never stored.
    try:
        link = invoice_file_url(load_settings(), paths, scope, entity_id, invoice_id, now=now())
    except (Forbidden, InvoiceFileUnavailable) as exc:
        st.error(str(exc))
    else:
        st.link_button(f"Télécharger {link.invoice_number}.pdf", link.url, icon="📄")
        st.caption(f"Lien valable jusqu'à {formatting.moment(link.expires_at)}.")

if scope.allows(Action.SEND_MANUAL_REMINDER) and detail.open_amount > 0:
    st.subheader("Relancer maintenant")
    outcome = reminder_form(paths, scope, entity_id, [invoice_id], today)
    if outcome is not None and outcome.sent:
        moved = mark_reminded(paths, scope, entity_id, [invoice_id], now=now(), today=today)
        st.session_state[SEEN].pop(key, None)
        if moved:
            st.caption("Statut interne passé à « Relancée ».")

targets = workflow.allowed_targets(scope.role, detail.followup.status)
if targets:
    st.subheader("Statut")
    tabs = st.tabs([workflow.label(t) for t in targets])
    reasons = dispute_reason_labels(paths)
    for tab, to in zip(tabs, targets, strict=True):
        with tab, st.form(f"facture.status.{to}", clear_on_submit=False):
            fields: dict[str, Any] = {}
            if to == workflow.PAYMENT_AGREEMENT:
                fields["agreement_date"] = st.date_input("Date de paiement convenue", value=None, min_value=today,
                                                         format="DD/MM/YYYY", key="facture.agreement_date")  # fmt: skip
            elif to == workflow.DISPUTED:
                fields["dispute_reason"] = st.selectbox("Motif", list(reasons), format_func=reasons.get,
                                                        index=None, key="facture.dispute_reason")  # fmt: skip
                fields["dispute_expected_end"] = st.date_input("Fin de litige prévue", value=None, min_value=today,
                                                               format="DD/MM/YYYY", key="facture.dispute_end")  # fmt: skip
            elif to == workflow.ON_HOLD:
                fields["on_hold_until"] = st.date_input("En attente jusqu'au", value=None,
                                                        min_value=today + timedelta(days=1), format="DD/MM/YYYY",
                                                        key="facture.on_hold_until")  # fmt: skip
            elif to == workflow.LEGAL:
                fields["legal_date"] = st.date_input("Transmise au contentieux le", value=today, max_value=today,
                                                     format="DD/MM/YYYY", key="facture.legal_date")  # fmt: skip
            comment = st.text_input("Commentaire", key=f"facture.comment.{to}")
            if st.form_submit_button(f"Passer en « {workflow.label(to)} »"):
                change = StatusChange(to, comment=comment, fields=fields)
                submit(lambda change=change: change_status(paths, scope, entity_id, invoice_id, change,
                                                           version=based_on, now=now(), today=today),
                       f"Statut enregistré : {workflow.label(to)}.")  # fmt: skip

if scope.allows(Action.ADD_NOTE):
    with st.expander("Ajouter une note"), st.form("facture.note", clear_on_submit=True):
        body = st.text_area("Note", key="facture.note.body")
        if st.form_submit_button("Enregistrer la note"):
            submit(lambda: add_note(paths, scope, entity_id, detail.customer_id, body, invoice_id=invoice_id,
                                    version=based_on, now=now(), today=today), "Note enregistrée.")  # fmt: skip

if scope.allows(Action.LOG_CALL):
    with st.expander("Consigner un appel"), st.form("facture.call", clear_on_submit=True):
        contact = st.text_input("Personne appelée", key="facture.call.contact")
        outcome = st.selectbox("Issue", list(CALL_OUTCOMES), format_func=CALL_OUTCOMES.get, key="facture.call.outcome")
        call_note = st.text_area("Ce qui a été dit", key="facture.call.note")
        promise = None
        if scope.allows(Action.RECORD_PROMISE):
            st.caption("Promesse obtenue pendant l'appel (facultatif)")
            amount = st.text_input("Montant promis (€)", key="facture.call.amount")
            promised_for = st.date_input("Date promise", value=None, min_value=today, format="DD/MM/YYYY",
                                         key="facture.call.promised_for")  # fmt: skip
            if amount.strip() and promised_for:
                promise = PromiseInput(amount, promised_for, "call")
        if st.form_submit_button("Enregistrer l'appel"):
            submit(lambda: log_call(paths, scope, entity_id, detail.customer_id, contact=contact, outcome=outcome,
                                    note=call_note, invoice_id=invoice_id, version=based_on, now=now(), today=today,
                                    promise=promise), "Appel enregistré.")  # fmt: skip

if scope.allows(Action.RECORD_PROMISE):
    with st.expander("Enregistrer une promesse de paiement"), st.form("facture.promise", clear_on_submit=True):
        amount = st.text_input("Montant promis (€)", key="facture.promise.amount")
        promised_for = st.date_input("Date promise", value=None, min_value=today, format="DD/MM/YYYY",
                                     key="facture.promise.date")  # fmt: skip
        source = st.selectbox("Origine", list(PROMISE_SOURCES), format_func=PROMISE_SOURCES.get,
                              key="facture.promise.source")  # fmt: skip
        if st.form_submit_button("Enregistrer la promesse"):
            if promised_for is None:
                st.error("Indiquez la date promise.")
            else:
                promise_input = PromiseInput(amount, promised_for, source)
                submit(lambda: record_promise(paths, scope, entity_id, invoice_id, promise_input, version=based_on,
                                              now=now(), today=today), "Promesse enregistrée.")  # fmt: skip

st.subheader("Promesses")
if detail.promises:
    st.dataframe(
        [{"Montant": formatting.money(p.amount), "Pour le": formatting.day(p.promised_for), "État": p.state_label,
          "Reçu": formatting.money(p.paid), "Origine": PROMISE_SOURCES.get(p.source, p.source),
          "Par": p.created_by, "Le": formatting.moment(p.created_at)} for p in detail.promises],
        hide_index=True, key="facture.promises",
    )  # fmt: skip
else:
    st.caption("Aucune promesse de paiement.")

st.subheader("Historique")
if detail.history:
    st.dataframe(
        [{"Date": formatting.moment(e.at), "Type": history.KINDS.get(e.kind, e.kind), "Par": e.who,
          "Quoi": e.title, "Détail": e.detail} for e in detail.history],
        hide_index=True, key="facture.history",
    )  # fmt: skip
else:
    st.caption("Rien encore : ni changement de statut, ni note, ni appel.")

# What this run showed is what the next form will be based on (a write refused as stale already
# moved it to the current version).
st.session_state[SEEN][key] = max(detail.version, st.session_state[SEEN].get(key, 0))
