"""The lists' grids and the invoice's read-only detail panel: rows shaped for `st.dataframe`,
their column configuration (French money and dates, status labels, a link column)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from core import formatting
from core.lists.customers import CustomerPage
from core.lists.invoices import InvoiceDetail, InvoicePage
from ui.navigation import CUSTOMER_PAGE, INVOICE_PAGE, PAGES

MONEY = "euro"
"""Streamlit formats it with the browser's locale: `1 234,56 €` in a French browser."""
DAY = "DD/MM/YYYY"


def grid_key(prefix: str, filters: Any, page: int) -> str:
    """The grid's widget key, one per view (filters and page): a row selected on one page is not
    carried over to another page's row at the same position."""
    digest = hashlib.sha1(repr(replace(filters, page=page)).encode()).hexdigest()[:12]
    return f"{prefix}.grid.{digest}"


def _customer_link(entity_id: str, customer_id: int) -> str:
    return "factures?" + urlencode({"client": f"{entity_id}:{customer_id}"})


def _customer_card(entity_id: str, customer_id: int) -> str:
    """The customer's page of the collectors' workspace (pages/customer.py)."""
    url_path = next(p.url_path for p in PAGES if p.script == CUSTOMER_PAGE)
    return url_path + "?" + urlencode({"entite": entity_id, "client": customer_id})


def invoice_grid(page: InvoicePage) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = [
        {
            "numero": r.invoice_number,
            "client": r.customer_name,
            "entite": r.entity_name,
            "agence": r.agency_name,
            "gestionnaire": r.manager_name,
            "emission": r.issue_date,
            "echeance": r.due_date,
            "attendu": r.expected_date,
            "montant": float(r.amount_eur),  # display only: totals are summed in the database
            "ouvert": float(r.open_amount_eur),
            "retard": r.days_late,
            "statut": r.status_label,
            "suivi": r.internal_status_label,
            "factures_client": _customer_link(r.entity_id, r.customer_id),
        }
        for r in page.rows
    ]
    config = {
        "numero": st.column_config.TextColumn("N° de facture"),
        "client": st.column_config.TextColumn("Client"),
        "entite": st.column_config.TextColumn("Entité"),
        "agence": st.column_config.TextColumn("Agence"),
        "gestionnaire": st.column_config.TextColumn("Gestionnaire"),
        "emission": st.column_config.DateColumn("Émission", format=DAY),
        "echeance": st.column_config.DateColumn("Échéance", format=DAY),
        "attendu": st.column_config.DateColumn(
            "Attendue le", format=DAY, help="Date d'accord de paiement, sinon échéance."
        ),
        "montant": st.column_config.NumberColumn("Montant TTC", format=MONEY),
        "ouvert": st.column_config.NumberColumn("Montant ouvert", format=MONEY),
        "retard": st.column_config.NumberColumn("Retard (j)", format="%d"),
        "statut": st.column_config.TextColumn("Statut"),
        "suivi": st.column_config.TextColumn("Suivi"),
        "factures_client": st.column_config.LinkColumn("Factures du client", display_text="Toutes ses factures"),
    }
    return rows, config


def customer_grid(page: CustomerPage) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = [
        {
            "client": r.customer_name,
            "entite": r.entity_name,
            "agence": r.agency_name,
            "gestionnaires": r.managers,
            "factures": r.invoices,
            "ouvert": float(r.open_eur),  # display only
            "echu": float(r.overdue_eur),
            "dernier_paiement": r.last_payment_date,
            "dso": r.dso_label,
            "lien": _customer_link(r.entity_id, r.customer_id),
            "fiche": _customer_card(r.entity_id, r.customer_id),
        }
        for r in page.rows
    ]
    config = {
        "client": st.column_config.TextColumn("Client"),
        "entite": st.column_config.TextColumn("Entité"),
        "agence": st.column_config.TextColumn("Agence"),
        "gestionnaires": st.column_config.TextColumn("Gestionnaires"),
        "factures": st.column_config.NumberColumn(
            "Factures", format="%d", help="Hors avoirs, brouillons, annulées, archivées."
        ),
        "ouvert": st.column_config.NumberColumn("Montant ouvert", format=MONEY),
        "echu": st.column_config.NumberColumn("Dont échu", format=MONEY),
        "dernier_paiement": st.column_config.DateColumn("Dernier paiement", format=DAY),
        "dso": st.column_config.TextColumn(
            "DSO", help="Jours de ventes des trois derniers mois couverts par l'encours (méthode countback)."
        ),
        "lien": st.column_config.LinkColumn("Factures", display_text="Voir ses factures"),
        "fiche": st.column_config.LinkColumn("Fiche", display_text="Ouvrir la fiche"),
    }
    return rows, config


def _field(label: str, value: Any) -> None:
    st.markdown(f"**{label}** : {value if value not in (None, '') else '—'}")


def invoice_panel(detail: InvoiceDetail) -> None:
    """The invoice's Pennylane data, amounts, dates and statuses, read-only."""
    d = detail
    with st.container(border=True, key="inv.detail"):
        st.subheader(f"Facture {d['invoice_number'] or d['invoice_id']}")
        st.caption(d["label"] or "")
        st.page_link(
            INVOICE_PAGE, label="Ouvrir la fiche de recouvrement de la facture", icon="🧾",
            query_params={"entite": d["entity_id"], "facture": str(d["invoice_id"])},
        )  # fmt: skip
        left, middle, right = st.columns(3)
        with left:
            st.markdown("**Pennylane**")
            _field("Client", d["customer_name"])
            _field("Entité", d["entity_name"])
            _field("Agence", d["agency_name"])
            _field("Gestionnaire", d["primary_manager_name"] or d["primary_manager_email"])
            _field("Statut Pennylane", d["pennylane_status"])
            _field("Facturation électronique", d["e_invoicing_status"])
        with middle:
            st.markdown("**Montants**")
            _field("Montant TTC", formatting.money(d["amount_eur"]))
            _field("Dont TVA", formatting.money(d["tax_eur"]))
            if d["currency"] and d["currency"] != "EUR":
                _field(f"Montant en {d['currency']}", formatting.money(d["currency_amount"], d["currency"]))
            _field("Encaissé", formatting.money(d["paid_amount_eur"]))
            _field("Avoirs imputés", formatting.money(d["credited_amount_eur"]))
            _field("Montant ouvert", formatting.money(d["open_amount_eur"]))
        with right:
            st.markdown("**Dates et suivi**")
            _field("Émission", formatting.day(d["issue_date"]))
            _field("Échéance", formatting.day(d["due_date"]))
            _field("Date d'accord", formatting.day(d["agreement_date"]))
            _field("Attendue le", formatting.day(d["expected_date"]))
            _field("Dernier paiement", formatting.day(d["last_payment_date"]))
            _field("Statut", d.status_label)
            _field("Suivi interne", d.internal_status_label)
            late = d["days_late"]
            _field("Jours de retard", "inconnu (paiement non daté)" if late is None else late)
