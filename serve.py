"""How Encours is served: `streamlit run serve.py` runs app.py, and every address answers in French.

- Unknown addresses are sent home before Streamlit sees them (ui/urls.py), instead of an
  English "Page not found" dialog or, for a nested path such as `/pages/home`, a blank page.
- Streamlit's legacy multipage mode is off from the start. Streamlit turns it on for a `pages/`
  folder until a session first calls `st.navigation` (which turns it off for good): a fresh
  server's first request to `/accueil` then showed "Page not found", and a deep link could run
  a page without app.py. Setting the flag here is exactly what `st.navigation` does, only earlier.

app.py stays the script every session runs; `streamlit run app.py` still works, without these guards
(the pages' deep-link guard, ui.context.require_app, still sends such sessions through app.py).
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager

from ui.urls import UnknownPathsToHome

PagesManager.uses_pages_directory = False

app = st.App("app.py", middleware=[Middleware(UnknownPathsToHome)])
