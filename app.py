"""Encours — entry point: settings, who is signed in, the data-freshness frame, navigation.

Every page runs through this script first (st.navigation), so no page runs before sign-in
and the user's scope is always set before a page reads data. Pages read it through
ui.context (served by serve.py).
"""

from __future__ import annotations

import streamlit as st

from core import formatting
from core.config import load_settings
from core.home import data_as_of
from ui import context, signin
from ui.navigation import french_document, navigation

st.set_page_config(page_title="Encours", page_icon="💶", layout="wide")
french_document()
settings = load_settings()
paths = context.start(settings)
ready = context.initialised(paths)
user = signin.current_scope(settings, paths) if ready else None
page = navigation(user)  # registered before anything may stop the run

if not ready:
    st.title("Encours")
    st.info(
        "Encours n'est pas encore initialisé dans ce dossier de données. "
        "Lancez `make run` : il prépare la société de démonstration (ou vos entités Pennylane) "
        "puis ouvre cette page."
    )
    st.stop()
if user is None:
    signin.sign_in_page(settings, paths)  # stops the run
    raise AssertionError("unreachable")

context.signed_in(user)
signin.signed_in_frame(settings, paths, user)
as_of = data_as_of(paths, user, today=context.today())
st.sidebar.caption(f"Données au {formatting.moment(as_of)}" if as_of else "Données : aucune synchronisation publiée")
if settings.demo:
    st.sidebar.caption("Société de démonstration (aucun jeton Pennylane configuré)")

page.run()
