"""Relances à valider: the automatic reminders waiting for a person or their window, the letters to
print, and the automatic messages sent with what came back.

Decisions run in button callbacks, before the page re-reads the queue, with the versions the
screen showed (kept in `SHOWN`): a row someone changed in between is refused with its state.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import streamlit as st

from core import formatting
from core.access.permissions import Action, Forbidden
from core.collections.errors import NotInScope
from core.mail.message import split_addresses
from core.reminders import queue, screens
from core.reminders.letter_data import QueueRowNotFound
from core.reminders.sending import store_last_sync
from core.store.analytical import StoreNotPublished
from ui import context

scope = context.require(Action.VALIDATE_REMINDERS)
paths = context.paths()
today = context.today()

GENERATION = "relances.generation"  # bumped by every decision: the tables' selections start afresh
SHOWN = "relances.shown"  # queue id → version, as the screen last showed them (queue and letters)
ORDER = "relances.order"  # queue ids of the waiting table, in the order shown
LETTER_ORDER = "relances.letters.order"
SENT_ORDER = "relances.sent.order"  # queue ids of the sent table, in the order shown (None: not resendable)
TO_VALIDATE = "relances.to_validate"  # queue ids shown that wait for validation ("Tout valider")
OUTCOME = "relances.outcome"  # [(kind, French message)] of the last decision, shown once
st.session_state.setdefault(SHOWN, {})
st.session_state.setdefault(ORDER, [])
st.session_state.setdefault(LETTER_ORDER, [])
st.session_state.setdefault(SENT_ORDER, [])
st.session_state.setdefault(TO_VALIDATE, [])
st.session_state.setdefault(GENERATION, 0)


def table_key(name: str) -> str:
    return f"relances.{name}.table.{st.session_state[GENERATION]}"


def selected(name: str, order: str) -> list[int]:
    rows = (st.session_state.get(table_key(name)) or {}).get("selection", {}).get("rows", [])
    ids = st.session_state[order]
    return [ids[i] for i in rows if 0 <= i < len(ids)]


def tell(*messages: tuple[str, str]) -> None:
    st.session_state[OUTCOME] = list(messages)
    st.session_state[GENERATION] += 1


def decide(name: str, action, queue_ids: list[int]) -> None:
    """Apply `action(queue_id, version)` to each id; report what was done and what was refused."""
    if not queue_ids:
        tell(("warning", "Sélectionnez au moins une relance."))
        return
    done, refused = 0, []
    for queue_id in queue_ids:
        try:
            action(queue_id, st.session_state[SHOWN].get(queue_id, 0))
        except (queue.QueueError, NotInScope, Forbidden) as exc:
            refused.append(("error", f"Relance n° {queue_id} : {exc}"))
        else:
            done += 1
    tell(*([("success", f"{name} : {done} relance(s).")] if done else []), *refused)


def approve() -> None:
    versions = {q: st.session_state[SHOWN].get(q, 0) for q in selected("queue", ORDER)}
    bulk(versions)


def approve_all() -> None:
    versions = {q: v for q, v in st.session_state[SHOWN].items() if q in st.session_state[TO_VALIDATE]}
    bulk(versions)


def bulk(versions: dict[int, int]) -> None:
    if not versions:
        tell(("warning", "Aucune relance à valider dans la sélection."))
        return
    result = queue.bulk_approve(paths, scope, versions, now=formatting.paris_now())
    tell(
        *([("success", f"{len(result.approved)} relance(s) validée(s) : elles partiront à leur fenêtre d'envoi.")]
          if result.approved else []),
        *[("error", f"Relance n° {q} : {why}") for q, why in result.refused.items()],
    )  # fmt: skip


def skip() -> None:
    now = formatting.paris_now()
    decide("Écartée(s)", lambda q, v: queue.skip(paths, scope, q, version=v, now=now), selected("queue", ORDER))


def postpone() -> None:
    day = st.session_state.get("relances.postpone.day")
    now = formatting.paris_now()
    if day is None:
        tell(("warning", "Choisissez la date de report."))
        return
    until = datetime.combine(day, time(0, 0), tzinfo=formatting.PARIS)
    settings = screens.load_settings(paths)
    decide(
        f"Reportée(s) au {formatting.day(day)}",
        lambda q, v: queue.postpone(paths, scope, q, until, version=v, now=now, settings=settings),
        selected("queue", ORDER),
    )


def edit(queue_id: int) -> None:
    key = f"relances.edit.{queue_id}"
    to, wrong_to = split_addresses(st.session_state[key + ".to"])
    cc, wrong_cc = split_addresses(st.session_state[key + ".cc"])
    if wrong_to or wrong_cc:
        tell(("error", "Adresse e-mail invalide : " + ", ".join([*wrong_to, *wrong_cc]) + "."))
        return
    decide(
        "Modifiée(s)",
        lambda q, v: queue.edit(
            paths, scope, q, subject=st.session_state[key + ".subject"], body=st.session_state[key + ".body"],
            to=to, cc=cc, version=v, now=formatting.paris_now(),
        ),
        [queue_id],
    )  # fmt: skip


def resend() -> None:
    ids = [q for q in selected("sent", SENT_ORDER) if q is not None]
    if not ids:
        tell(("warning", "Sélectionnez au moins une relance envoyée."))
        return
    to, wrong = split_addresses(st.session_state.get("relances.resend.to") or "")
    if wrong:
        tell(("error", "Adresse e-mail invalide : " + ", ".join(wrong) + "."))
        return
    try:
        result = queue.resend(
            paths, scope, ids, now=formatting.paris_now(), settings=screens.load_settings(paths), to=to or None
        )
    except queue.QueueError as exc:
        tell(("error", str(exc)))
        return
    tell(
        *([("success", f"{len(result.approved)} relance(s) à renvoyer à la prochaine fenêtre d'envoi.")]
          if result.approved else []),
        *[("error", f"Relance n° {q} : {why}") for q, why in result.refused.items()],
    )  # fmt: skip


def printed() -> None:
    ids = selected("letters", LETTER_ORDER)
    if not ids:
        tell(("warning", "Sélectionnez au moins un courrier."))
        return
    versions = {q: st.session_state[SHOWN].get(q, 0) for q in ids}
    result = screens.mark_printed(paths, scope, versions, now=formatting.paris_now())
    tell(
        *([("success", f"{len(result.printed)} courrier(s) marqué(s) comme imprimé(s).")] if result.printed else []),
        *[("error", f"Courrier n° {q} : {why}") for q, why in result.refused.items()],
    )


def row_head(r: screens.QueueRow) -> dict[str, object]:
    """The columns every table of this page starts with."""
    return {"N°": r.item.queue_id, "Client": r.customer, "Niveau": r.level, "Factures": invoices_text(r)}


def invoices_text(row: screens.QueueRow) -> str:
    return ", ".join(number for number, _ in row.invoices)


def amounts_text(row: screens.QueueRow) -> str:
    return ", ".join(formatting.money(amount) for _, amount in row.invoices)


st.title("Relances à valider")
for kind, message in st.session_state.pop(OUTCOME, []):
    getattr(st, kind)(message)

now = formatting.paris_now()
settings = screens.load_settings(paths)
held = screens.held_customers(paths, scope, today=today)
if held:
    st.warning(f"{len(held)} client(s) sans relance automatique tant que la cause n'est pas corrigée :")
    st.dataframe(
        [
            {"Client": h.customer, "Entité": h.entity_id, "Motif": h.reason, "Depuis le": formatting.moment(h.since)}
            for h in held
        ],
        hide_index=True,
    )
tab_queue, tab_letters, tab_sent = st.tabs(["À valider", "Courriers à imprimer", "Envoyées"])

with tab_queue:
    rows = screens.waiting_rows(paths, scope, now=now, settings=settings, last_sync=store_last_sync(paths))
    st.session_state[ORDER] = [r.item.queue_id for r in rows]
    st.session_state[SHOWN].update({r.item.queue_id: r.item.version for r in rows})
    st.session_state[TO_VALIDATE] = [r.item.queue_id for r in rows if r.item.state == "needs_validation"]
    st.caption(f"Fenêtre d'envoi : {screens.settings_mod.describe_window(settings)}.")
    if not rows:
        st.info("Aucune relance en attente : les relances automatiques à valider apparaîtront ici.")
    else:
        st.dataframe(
            [
                {
                    **row_head(r),
                    "Montants": amounts_text(r),
                    "Total": formatting.money(r.item.total_due),
                    "Envoi prévu": formatting.moment(r.item.scheduled_for),
                    "État": r.item.state_label,
                    "Attente": r.item.waiting_reason,
                }
                for r in rows
            ],
            hide_index=True,
            on_select="rerun",
            selection_mode="multi-row",
            key=table_key("queue"),
        )
        chosen = selected("queue", ORDER)
        cols = st.columns(4)
        cols[0].button("Valider", on_click=approve, key="relances.approve", disabled=not chosen, type="primary")
        cols[1].button("Ignorer", on_click=skip, key="relances.skip", disabled=not chosen)
        cols[2].button(
            f"Tout valider ({len(st.session_state['relances.to_validate'])})", on_click=approve_all,
            key="relances.approve_all", disabled=not st.session_state[TO_VALIDATE],
        )  # fmt: skip
        with st.container(border=True):
            day_cols = st.columns([2, 1])
            day_cols[0].date_input(
                "Reporter au", value=today + timedelta(days=7), min_value=today + timedelta(days=1),
                format="DD/MM/YYYY", key="relances.postpone.day",
            )  # fmt: skip
            day_cols[1].button("Reporter", on_click=postpone, key="relances.postpone", disabled=not chosen)
        if len(chosen) == 1:
            row = next(r for r in rows if r.item.queue_id == chosen[0])
            key = f"relances.edit.{row.item.queue_id}"
            with st.expander(f"Modifier la relance n° {row.item.queue_id} — {row.customer}"):
                with st.form(key):
                    st.text_input("Destinataires", value=", ".join(row.item.to), key=key + ".to")
                    st.text_input("Copies", value=", ".join(row.item.cc), key=key + ".cc")
                    st.text_input("Objet", value=row.item.subject, key=key + ".subject")
                    st.text_area("Message", value=row.item.body, height=300, key=key + ".body")
                    st.form_submit_button("Modifier", on_click=edit, args=(row.item.queue_id,), key=key + ".submit")
        elif chosen:
            st.caption("Sélectionnez une seule relance pour la modifier.")

with tab_letters:
    letters = screens.letters_to_print(paths, scope, today=today)
    st.session_state[LETTER_ORDER] = [r.item.queue_id for r in letters]
    st.session_state[SHOWN].update({r.item.queue_id: r.item.version for r in letters})
    if not letters:
        st.info("Aucun courrier à imprimer.")
    else:
        st.dataframe(
            [
                {
                    **row_head(r),
                    "Total": formatting.money(r.item.total_due),
                    "Créé le": formatting.moment(r.item.created_at),
                    "Motif": r.item.reason or "",
                }
                for r in letters
            ],
            hide_index=True,
            on_select="rerun",
            selection_mode="multi-row",
            key=table_key("letters"),
        )
        picked = selected("letters", LETTER_ORDER)
        cols = st.columns(2)
        pdf = b""
        if picked:
            try:
                pdf = screens.letters_pdf_bytes(paths, scope, picked, now=now)
            except (StoreNotPublished, QueueRowNotFound, NotInScope) as exc:
                st.error(f"PDF impossible : {exc}")
        cols[0].download_button(
            "Télécharger le PDF", data=pdf, file_name=f"courriers-{today:%Y-%m-%d}.pdf", mime="application/pdf",
            key="relances.letters.pdf", disabled=not pdf,
        )  # fmt: skip
        cols[1].button("Marquer comme imprimé", on_click=printed, key="relances.letters.printed", disabled=not picked)

with tab_sent:
    sent = screens.sent_messages(paths, scope, today=today)
    if not sent:
        st.info("Aucune relance automatique envoyée pour l'instant.")
    else:
        st.caption(
            f"Les {screens.SENT_LIMIT} dernières relances automatiques, la plus récente d'abord. "
            "Sélectionnez-en pour les renvoyer (par exemple à une adresse corrigée après un rejet)."
        )
        st.session_state[SENT_ORDER] = [s.queue_id for s in sent]
        st.dataframe(
            [
                {
                    "Date": formatting.moment(s.sent_at),
                    "Client": s.customer,
                    "Niveau": s.level,
                    "Objet": s.subject,
                    "Destinataires": s.to,
                    "Remise": s.status,
                }
                for s in sent
            ],
            hide_index=True,
            key=table_key("sent"),
            on_select="rerun",
            selection_mode="multi-row",
        )
        cols = st.columns([3, 1])
        cols[0].text_input(
            "Renvoyer à (facultatif : sinon aux mêmes destinataires)", key="relances.resend.to",
            placeholder="comptabilite@client.fr",
        )  # fmt: skip
        cols[1].button("Renvoyer la sélection", on_click=resend, key="relances.resend")
