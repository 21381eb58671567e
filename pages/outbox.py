"""Boîte d'envoi (démo): the messages the embedded SMTP server received, as a mail client shows them.

Only useful in demo mode (no ENCOURS_SMTP_HOST): then `make run` starts the local server and
every reminder Encours sends arrives here. Open to those who send reminders (they see every
customer): the maildir holds every customer's messages, which a sales rep must not read.
"""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.access.permissions import Action
from core.config import load_settings
from core.mail.received import DEFAULT_LIMIT, received_messages
from ui import context

scope = context.require(Action.SEND_MANUAL_REMINDER)
paths = context.paths()
mail = load_settings().mail

st.title("Boîte d'envoi (démo)")
if mail.embedded:
    st.caption(
        f"Aucun serveur d'envoi n'est configuré : le serveur SMTP local de `make run` ({mail.host}:{mail.smtp_port}) "
        "reçoit chaque message qu'Encours envoie et le garde ici, tel qu'il est arrivé, le plus récent d'abord. "
        "Aucun message ne quitte cette machine."
    )
else:
    st.info(
        f"Un serveur d'envoi est configuré ({mail.smtp_host}) : les relances partent vers lui et n'arrivent pas ici. "
        "Cette page ne sert qu'en démonstration, avec le serveur SMTP local de `make run`."
    )

messages = received_messages(paths.maildir, limit=DEFAULT_LIMIT)
if not messages:
    st.info("Aucun message reçu pour l'instant : envoyez une relance depuis une facture, elle apparaîtra ici.")
else:
    st.dataframe(
        [
            {
                "Reçu le": formatting.moment(m.date),
                "De": m.sender,
                "À": m.to,
                "Copie": m.cc,
                "Objet": m.subject,
            }
            for m in messages
        ],
        hide_index=True,
        key="outbox.table",
    )
    st.subheader("Messages")
    for m in messages:
        with st.expander(f"{formatting.moment(m.date)} — {m.subject}"):
            st.text(f"De : {m.sender}\nÀ : {m.to}" + (f"\nCopie : {m.cc}" if m.cc else "") + f"\nObjet : {m.subject}")
            st.text(m.body)
