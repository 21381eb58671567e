"""The app's pages and their addresses, and what every page's frame carries (French document).

The home page has its own address (`/accueil`). The default page, served at `/`, is a hidden
page that only switches to it: opening `/accueil` then runs a known page instead of Streamlit's
English "Page not found" dialog (measured, STACK-NOTES). `ui.urls` sends every other address
home before Streamlit sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from core.access.permissions import Action, Role
from core.scope import Scope


@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str
    action: Action
    """What the permission table must allow for the page to be in the user's menu (and to open)."""
    in_menu: bool = True
    """False for pages reached only from links (an invoice, a customer): never listed in the menu."""


PAGES = (
    PageSpec("pages/home.py", "Accueil", "🏠", "accueil", Action.VIEW_HOME),
    PageSpec("pages/dashboard.py", "Tableau de bord", "📈", "tableau-de-bord", Action.VIEW_DASHBOARD),
    PageSpec("pages/invoices.py", "Factures", "🧾", "factures", Action.VIEW_LISTS),
    PageSpec("pages/customers.py", "Clients", "👥", "clients", Action.VIEW_LISTS),
    PageSpec("pages/organisation.py", "Organisation", "🏢", "organisation", Action.MANAGE_ORGANISATION),
    PageSpec("pages/export_log.py", "Journal des exports", "📜", "journal-des-exports", Action.VIEW_AUDIT),
    PageSpec("pages/promises.py", "Promesses non tenues", "🤝", "promesses-non-tenues", Action.VIEW_LISTS),
    PageSpec("pages/invoice.py", "Facture", "🧾", "facture", Action.VIEW_LISTS, in_menu=False),
    PageSpec("pages/customer.py", "Client", "👤", "client-fiche", Action.VIEW_LISTS, in_menu=False),
    PageSpec("pages/reminder_queue.py", "Relances à valider", "✅", "relances", Action.VALIDATE_REMINDERS),
    PageSpec("pages/reminder_plans.py", "Plans de relance", "🪜", "plans-de-relance", Action.MANAGE_REMINDER_PLANS),
    PageSpec("pages/outbox.py", "Boîte d'envoi (démo)", "📬", "boite-d-envoi", Action.SEND_MANUAL_REMINDER),
)
INVOICE_PAGE = "pages/invoice.py"
CUSTOMER_PAGE = "pages/customer.py"
HOME = PAGES[0]
DASHBOARD = PAGES[1]
INVOICE_LIST = "pages/invoices.py"
LANDING = {Role.MANAGEMENT: DASHBOARD}
"""Where a role lands after sign-in (the home page otherwise): management opens Encours for the cash."""
URL_PATHS = frozenset({"", *(p.url_path for p in PAGES)})
"""Every address that is a page of the app ("" is `/`)."""

# Streamlit dims what a rerun has not redrawn yet only after about a second; figures that are
# about to change must not look current, so dim them at once.
_FRAME_CSS = """
<style>
[data-stale="true"] { opacity: 0.33 !important; transition: opacity 0.15s ease-in !important; }
</style>
"""
_LANG_SCRIPT = "<script>document.documentElement.lang = 'fr';</script>"


def french_document() -> None:
    """`<html lang="fr">` (index.html hard-codes "en") and immediate dimming of stale figures."""
    st.html(_LANG_SCRIPT, unsafe_allow_javascript=True)
    st.html(_FRAME_CSS)


def navigation(user: Scope | None) -> StreamlitPage:
    """Register the pages (before anything may stop the run: Streamlit would otherwise show its
    legacy navigation of `pages/`, labelled "app", "home") and return the one to run.

    Every page is registered, so its address always resolves; the menu shows only those the
    user's role may open (none before sign-in). A page opened by its address without the right
    refuses itself (ui.context.require).
    """
    pages = [
        st.Page(
            p.script, title=p.title, icon=p.icon, url_path=p.url_path,
            visibility="visible" if p.in_menu and user is not None and user.allows(p.action) else "hidden",
        )
        for p in PAGES
    ]  # fmt: skip
    landing = LANDING.get(Role(user.role), HOME) if user is not None and user.role in set(Role) else HOME
    first = pages[PAGES.index(landing)] if user is not None and user.allows(landing.action) else pages[0]

    def start() -> None:
        st.switch_page(first)

    entry = st.Page(start, title="Encours", default=True, visibility="hidden")
    return st.navigation([entry, *pages], position="sidebar")


def drill_down(query: dict[str, list[str]], what: str, *, button: bool = False) -> None:
    """Open the invoice list on `query` (a click already happened), or offer a link to it.

    Until the invoice list page exists the link says so instead of failing."""
    if not any(p.script == INVOICE_LIST for p in PAGES):
        st.caption(f"La liste des factures (à venir) montrera {what}.")
        return
    if button:
        st.page_link(INVOICE_LIST, label=f"Voir {what} dans la liste des factures", icon="📄", query_params=query)
    else:
        st.switch_page(INVOICE_LIST, query_params=query)
