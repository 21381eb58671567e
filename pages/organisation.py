"""Organisation (administrators): users, agencies, portfolios, import of assignments, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core import formatting
from core.access.permissions import Action, Forbidden, Role, role_label
from core.organisation import agencies, imports, people, portfolios
from core.organisation.changes import InvalidChange, history
from core.store.analytical import StoreNotPublished
from ui import context

scope = context.require(Action.MANAGE_ORGANISATION)
paths = context.paths()
today = context.today()

st.title("Organisation")
st.caption("Les changements s'appliquent dès la prochaine page ouverte par chacun, sans attendre de synchronisation.")


def act(action: Callable[[], Any], done: str) -> Any:
    """Run one change; show its French refusal, or `done`."""
    try:
        result = action()
    except (InvalidChange, Forbidden) as exc:
        st.error(str(exc))
        return None
    st.success(done)
    return result if result is not None else True


agency_list = agencies.list_agencies(paths, scope)
agency_names = {a.agency_id: a.name for a in agency_list}
agency_choices: list[str | None] = [None, *agency_names]


def agency_label(agency_id: str | None) -> str:
    return agency_names.get(agency_id, "— aucune —") if agency_id else "— aucune —"


# ("ok" | "error", French message) of the import just applied; the page shows it once. (A bare
# string here would be shown on the page: Streamlit writes a page's bare literals.)
IMPORT_OUTCOME = "org.import.outcome"


def apply_import(name: str, data: bytes, replace: bool) -> None:
    """The "Appliquer" button's callback: runs before the page, so the preview below is the new state."""
    try:
        plan = imports.preview(paths, scope, name, data, today=today, replace=replace)
        result = imports.apply(paths, scope, plan, now=formatting.paris_now())
    except (InvalidChange, Forbidden, StoreNotPublished) as exc:
        st.session_state[IMPORT_OUTCOME] = ("error", str(exc))
        return
    st.session_state[IMPORT_OUTCOME] = (
        "ok",
        f"Import appliqué : {result.added} affectation(s) ajoutée(s), {result.removed} retirée(s), "
        f"{result.unchanged} déjà présente(s), {result.rejected} ligne(s) rejetée(s).",
    )


tab_users, tab_agencies, tab_portfolios, tab_import, tab_history = st.tabs(
    ["Utilisateurs", "Agences", "Portefeuilles", "Import", "Historique"]
)

with tab_users:
    with st.form("org.users.new", clear_on_submit=True):
        st.markdown("**Nouvel utilisateur**")
        cols = st.columns(4)
        new_name = cols[0].text_input("Nom", key="org.users.new.name")
        new_email = cols[1].text_input("E-mail", key="org.users.new.email")
        new_role = cols[2].selectbox(
            "Rôle", list(Role), index=list(Role).index(Role.SALES_REP), format_func=role_label, key="org.users.new.role"
        )  # never "Administrateur" by default
        new_agency = cols[3].selectbox("Agence", agency_choices, format_func=agency_label, key="org.users.new.agency")
        if st.form_submit_button("Créer l'utilisateur", key="org.users.new.submit"):
            password = act(
                lambda: people.create_user(
                    paths,
                    scope,
                    email=new_email,
                    full_name=new_name,
                    role=str(new_role),
                    agency_id=new_agency,
                    now=formatting.paris_now(),
                ),
                f"Utilisateur {new_email.strip().lower()} créé.",
            )
            if password:
                st.info("Mot de passe à usage unique, à transmettre : il devra être changé à la première connexion.")
                st.code(password, language=None)

    users = people.list_users(paths, scope)
    st.markdown("**Modifier un utilisateur**")
    picked = st.selectbox(
        "Utilisateur",
        [u.email for u in users],
        format_func=lambda e: next(f"{u.full_name} ({u.email})" for u in users if u.email == e),
        key="org.users.pick",
    )
    user = next((u for u in users if u.email == picked), None)
    if user is not None:
        cols = st.columns(3)
        name = cols[0].text_input("Nom", value=user.full_name, key=f"org.users.name.{user.email}")
        role = cols[1].selectbox(
            "Rôle", list(Role), index=list(Role).index(Role(user.role)), format_func=role_label,
            key=f"org.users.role.{user.email}",
        )  # fmt: skip
        agency = cols[2].selectbox(
            "Agence", agency_choices, index=agency_choices.index(user.agency_id), format_func=agency_label,
            key=f"org.users.agency.{user.email}",
        )  # fmt: skip
        buttons = st.columns(3)
        if buttons[0].button("Enregistrer", key="org.users.save"):
            now = formatting.paris_now()

            def save() -> None:
                people.rename_user(paths, scope, user.email, name, now=now)
                people.change_agency(paths, scope, user.email, agency, now=now)
                people.change_role(paths, scope, user.email, str(role), now=now)

            act(save, f"{user.full_name} : modifications enregistrées.")
        if user.active and buttons[1].button("Désactiver", key="org.users.deactivate"):
            act(
                lambda: people.deactivate(paths, scope, user.email, now=formatting.paris_now()),
                f"{user.full_name} est désactivé : ses sessions ouvertes sont fermées.",
            )
        if not user.active and buttons[1].button("Réactiver", key="org.users.reactivate"):
            act(lambda: people.reactivate(paths, scope, user.email, now=formatting.paris_now()), "Compte réactivé.")
        if buttons[2].button("Réinitialiser le mot de passe", key="org.users.reset"):
            password = act(
                lambda: people.reset_password(paths, scope, user.email, now=formatting.paris_now()),
                f"Nouveau mot de passe à usage unique pour {user.full_name} (ses sessions sont fermées).",
            )
            if password:
                st.code(password, language=None)
    st.dataframe(
        [
            {
                "Nom": u.full_name,
                "E-mail": u.email,
                "Rôle": u.role_label,
                "Agence": u.agency_name or "",
                "Actif": "oui" if u.active else "non",
                "Clients suivis": u.customers,
            }
            for u in people.list_users(paths, scope)
        ],
        hide_index=True,
        key="org.users.table",
    )

with tab_agencies:
    try:
        entity_choices = dict(agencies.entities(paths, scope, today=today))
    except StoreNotPublished:
        entity_choices = {a.entity_id: a.entity_id for a in agency_list}
    with st.form("org.agencies.new", clear_on_submit=True):
        st.markdown("**Nouvelle agence**")
        cols = st.columns(2)
        agency_name = cols[0].text_input("Nom", key="org.agencies.new.name")
        entity = cols[1].selectbox(
            "Entité", list(entity_choices), format_func=entity_choices.__getitem__, key="org.agencies.new.entity"
        )
        if st.form_submit_button("Créer l'agence", key="org.agencies.new.submit"):
            act(
                lambda: agencies.add_agency(
                    paths, scope, name=agency_name, entity_id=entity or "", now=formatting.paris_now()
                ),
                f"Agence « {agency_name.strip()} » créée.",
            )
    if agency_list:
        cols = st.columns(2)
        to_rename = cols[0].selectbox(
            "Agence à renommer", list(agency_names), format_func=agency_label, key="org.agencies.pick"
        )
        new_label = cols[1].text_input("Nouveau nom", key="org.agencies.rename.name")
        if st.button("Renommer", key="org.agencies.rename"):
            act(
                lambda: agencies.rename_agency(paths, scope, to_rename, new_label, now=formatting.paris_now()),
                "Agence renommée.",
            )
    st.dataframe(
        [
            {
                "Agence": a.name,
                "Entité": entity_choices.get(a.entity_id, a.entity_id),
                "Utilisateurs actifs": a.users,
                "Clients": a.customers,
            }
            for a in agencies.list_agencies(paths, scope)
        ],
        hide_index=True,
        key="org.agencies.table",
    )

with tab_portfolios:
    search = st.text_input("Rechercher un client (nom, référence ou identifiant Pennylane)", key="org.assign.search")
    try:
        found = portfolios.find_customers(paths, scope, search, today=today)
    except StoreNotPublished as exc:
        st.info(str(exc))
        found = []
    if not found:
        st.info("Aucun client ne correspond à cette recherche.")
    else:
        keys = [(c.entity_id, c.customer_id) for c in found]
        labels = {
            (c.entity_id, c.customer_id): f"{c.name} — {c.reference or 'sans référence'} ({c.entity_name})"
            for c in found
        }
        chosen = st.selectbox("Client", keys, format_func=labels.__getitem__, key="org.assign.customer")
        entity_id, customer_id = chosen
        customer = next(c for c in found if (c.entity_id, c.customer_id) == chosen)
        managers_now = portfolios.managers_of(paths, scope, entity_id, customer_id)
        choices = portfolios.account_managers(paths, scope)
        cols = st.columns(2)
        to_add = cols[0].selectbox(
            "Ajouter un chargé de clientèle",
            [e for e, _ in choices if e not in {m.email for m in managers_now}],
            format_func=dict(choices).__getitem__,
            key="org.assign.add.email",
        )
        if cols[0].button("Ajouter", key="org.assign.add", disabled=to_add is None):
            act(
                lambda: portfolios.add_assignment(
                    paths, scope, entity_id, customer_id, str(to_add), now=formatting.paris_now()
                ),
                "Chargé de clientèle ajouté.",
            )
        current = [m.email for m in portfolios.managers_of(paths, scope, entity_id, customer_id)]
        picked_manager = cols[1].selectbox("Chargé de clientèle du client", current, key="org.assign.current")
        if cols[1].button("Retirer", key="org.assign.remove", disabled=picked_manager is None):
            act(
                lambda: portfolios.remove_assignment(
                    paths, scope, entity_id, customer_id, str(picked_manager), now=formatting.paris_now()
                ),
                "Chargé de clientèle retiré.",
            )
        if cols[1].button("Désigner comme principal", key="org.assign.primary", disabled=picked_manager is None):
            act(
                lambda: portfolios.set_primary(
                    paths, scope, entity_id, customer_id, str(picked_manager), now=formatting.paris_now()
                ),
                "Chargé principal désigné.",
            )
        st.dataframe(
            [
                {"Chargé de clientèle": m.full_name, "E-mail": m.email, "Principal": "oui" if m.is_primary else ""}
                for m in portfolios.managers_of(paths, scope, entity_id, customer_id)
            ],
            hide_index=True,
            key="org.assign.table",
        )
        if agency_names:
            cols = st.columns(2)
            new_home = cols[0].selectbox(
                f"Agence du client (actuellement : {customer.agency_name or 'aucune'})",
                list(agency_names),
                format_func=agency_label,
                key="org.assign.agency",
            )
            if cols[1].button("Rattacher à cette agence", key="org.assign.agency.set"):
                act(
                    lambda: portfolios.set_customer_agency(
                        paths, scope, entity_id, customer_id, new_home, now=formatting.paris_now()
                    ),
                    "Agence du client modifiée.",
                )

with tab_import:
    st.markdown(
        "Un fichier CSV ou Excel (.xlsx) avec une ligne d'en-tête : **Identifiant Pennylane**, **Référence** ou "
        "**Client** (nom), **Entité** si un nom ou une référence existe dans plusieurs entités, et "
        "**E-mail du chargé**. Voir docs/organisation.md."
    )
    upload = st.file_uploader("Fichier à importer", type=["csv", "xlsx"], key="org.import.file")
    replace = st.checkbox(
        "Remplacer les chargés des clients du fichier",
        key="org.import.replace",
        help="Sans cette case, l'import ajoute seulement. Avec elle, chaque client nommé dans le fichier ne garde "
        "que les chargés que le fichier lui donne ; les autres clients ne changent pas.",
    )
    outcome = st.session_state.pop(IMPORT_OUTCOME, None)  # set by apply_import, shown once
    if outcome is not None:
        (st.success if outcome[0] == "ok" else st.error)(outcome[1])
    if upload is not None:
        data = upload.getvalue()
        try:
            plan = imports.preview(paths, scope, upload.name, data, today=today, replace=replace)
        except (InvalidChange, StoreNotPublished) as exc:
            st.error(str(exc))
            plan = None
        if plan is not None:
            st.caption(f"Fichier lu : {plan.reading}.")
            cols = st.columns(4)
            cols[0].metric("À ajouter", len(plan.to_add))
            cols[1].metric("Déjà présentes", len(plan.present))
            cols[2].metric("À retirer", len(plan.to_remove))
            cols[3].metric("Lignes rejetées", len(plan.rejected))

            def rows(items: list[imports.Assignment]) -> list[dict[str, Any]]:
                return [
                    {
                        "Ligne": a.line or "",
                        "Client": a.customer_name,
                        "Entité": a.entity_name,
                        "Chargé": a.manager_name,
                        "E-mail": a.email,
                    }
                    for a in items
                ]

            for title, items, key in (
                ("À ajouter", plan.to_add, "org.import.to_add"),
                ("À retirer", plan.to_remove, "org.import.to_remove"),
                ("Déjà présentes (rien ne change)", plan.present, "org.import.present"),
            ):
                if items:
                    st.markdown(f"**{title}**")
                    st.dataframe(rows(items), hide_index=True, key=key)
            if plan.rejected:
                st.markdown("**Lignes rejetées** (elles ne seront pas importées)")
                st.dataframe(
                    [{"Ligne": r.line, "Contenu": r.row, "Motif": r.reason} for r in plan.rejected],
                    hide_index=True,
                    key="org.import.rejected",
                )
            st.button(
                "Appliquer",
                key="org.import.apply",
                type="primary",
                disabled=not (plan.to_add or plan.to_remove),
                on_click=apply_import,
                args=(upload.name, data, replace),
            )

with tab_history:
    changes = history(paths, scope)
    if not changes:
        st.info("Aucun changement enregistré pour l'instant.")
    else:
        st.dataframe(
            [
                {
                    "Date": formatting.moment(c.changed_at),
                    "Par": c.changed_by,
                    "Changement": c.kind_label,
                    "Objet": c.subject,
                    "Détail": c.detail,
                }
                for c in changes
            ],
            hide_index=True,
            key="org.history.table",
        )
