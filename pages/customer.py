"""Client : toutes ses factures, l'encours et le retard, le DSO, ses gestionnaires, et son
historique complet, filtrable par type (adresse : ?entite=…&client=…)."""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access.permissions import Action, Forbidden
from core.collections import history
from core.collections.customer import customer_history, customer_view
from core.collections.errors import CollectionError
from core.collections.followups import CALL_OUTCOMES, add_note, log_call
from core.collections.invoice import key_from_address
from core.collections.messages import customer_messages
from core.metrics.dso import CAP_DAYS_LABEL
from core.store.analytical import StoreNotPublished
from ui import context
from ui.navigation import INVOICE_PAGE

scope = context.require(Action.VIEW_LISTS)
paths = context.paths()
today = context.today()
grace = context.promise_grace_days()
FLASH = "client.flash"

st.title("Client")
key = key_from_address(st.query_params.get("entite"), st.query_params.get("client"))
if key is None:
    st.info("Ouvrez une fiche client depuis la liste des clients ou depuis une facture.")
    st.stop()
entity_id, customer_id = key
try:
    view = customer_view(paths, scope, entity_id, customer_id, today=today, grace_days=grace)
except StoreNotPublished as exc:
    st.info(str(exc))
    st.stop()
if view is None:
    st.warning("Client introuvable, ou hors de votre périmètre.")
    st.stop()
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))

st.subheader(view.name or str(view.customer_id))
st.caption(
    f"Entité {view.entity_name or view.entity_id} · agence {view.agency_name or '—'} · gestionnaires : "
    + (", ".join(f"{m.name}{' (principal)' if m.primary else ''}" for m in view.managers) or "aucun")
    + (f" · e-mails : {', '.join(view.emails)}" if view.emails else "")
)
st.caption("Adresse de facturation : " + (", ".join(view.address_lines) or "aucune dans Pennylane"))
left, middle, right = st.columns(3)
left.metric("Encours", formatting.money(view.open_total))
middle.metric("Dont en retard", formatting.money(view.overdue_total))
right.metric("DSO", CAP_DAYS_LABEL if view.dso_capped else f"{formatting.number(view.dso)} j")
if view.promises_not_kept:
    st.warning(f"Promesse non tenue : {len(view.promises_not_kept)} promesse(s) de paiement sans le paiement attendu.")

st.subheader("Factures")
if not view.invoices:
    st.caption("Aucune facture.")
else:
    picked = st.dataframe(
        [{"Facture": i.invoice_number or str(i.invoice_id), "Émise le": formatting.day(i.issue_date),
          "Échéance": formatting.day(i.due_date), "Montant": formatting.money(i.amount),
          "Reste dû": formatting.money(i.open_amount), "Statut": i.status_label, "Suivi": i.internal_label,
          "Promesse": "non tenue" if i.promise_not_kept else ""} for i in view.invoices],
        hide_index=True, on_select="rerun", selection_mode="single-row", key="client.invoices",
    )  # fmt: skip
    rows = picked.selection.rows if picked and picked.selection else []
    if rows:
        chosen = view.invoices[rows[0]]
        st.switch_page(INVOICE_PAGE, query_params={"entite": view.entity_id, "facture": str(chosen.invoice_id)})

st.subheader("Historique")
kinds = st.multiselect(
    "Types", list(history.KINDS), default=list(history.KINDS), format_func=history.KINDS.get, key="client.kinds"
)
messages = customer_messages(paths, scope, view.entity_id, view.customer_id)
entries = customer_history(view, kinds=kinds, extra=messages)
if entries:
    st.dataframe(
        [{"Date": formatting.moment(e.at), "Type": e.kind_label, "Par": e.who, "Facture": e.invoice_number or "",
          "Quoi": e.title, "Détail": e.detail} for e in entries],
        hide_index=True, key="client.history",
    )  # fmt: skip
else:
    st.caption("Rien dans l'historique pour ces types.")
if history.MESSAGE in kinds and messages:
    st.markdown("**Messages envoyés, en entier**")
    for m in messages:
        with st.expander(f"{formatting.moment(m.at)} — {m.title}"):
            st.text(m.detail)


def submit(write, done: str) -> None:  # type: ignore[no-untyped-def]
    try:
        write()
    except (CollectionError, Forbidden) as exc:
        st.error(str(exc))
    else:
        st.session_state[FLASH] = done
        st.rerun()


now = formatting.paris_now
if scope.allows(Action.ADD_NOTE):
    with st.expander("Ajouter une note sur le client"), st.form("client.note", clear_on_submit=True):
        body = st.text_area("Note", key="client.note.body")
        if st.form_submit_button("Enregistrer la note"):
            submit(lambda: add_note(paths, scope, entity_id, customer_id, body, now=now(), today=today),
                   "Note enregistrée.")  # fmt: skip
if scope.allows(Action.LOG_CALL):
    with st.expander("Consigner un appel"), st.form("client.call", clear_on_submit=True):
        contact = st.text_input("Personne appelée", key="client.call.contact")
        outcome = st.selectbox("Issue", list(CALL_OUTCOMES), format_func=CALL_OUTCOMES.get, key="client.call.outcome")
        call_note = st.text_area("Ce qui a été dit", key="client.call.note")
        if st.form_submit_button("Enregistrer l'appel"):
            submit(lambda: log_call(paths, scope, entity_id, customer_id, contact=contact, outcome=outcome,
                                    note=call_note, now=now(), today=today), "Appel enregistré.")  # fmt: skip
