"""Plans de relance (administrators): the ladders and their messages, the ECB rates of the
L441-10 penalties, the sending window and its guards, which plan a customer follows, and the
letterhead each entity's printed letters carry.

A plan is saved whole with the version the admin opened: someone else's save in between is
refused (PlanChanged), as is a ladder that cannot work (PlanInvalid, every problem listed).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import streamlit as st

from core import formatting
from core.access.permissions import Action, Forbidden
from core.collections.errors import NotInScope
from core.reminders import penalties, plans, screens
from core.reminders.letterheads import LetterheadInvalid
from core.reminders.plans import LevelTemplate, PlanChanged, PlanInvalid
from core.reminders.settings import DAY_NAMES, InvalidSettings, ReminderSettings
from ui import context

scope = context.require(Action.MANAGE_REMINDER_PLANS)
paths = context.paths()
today = context.today()

OUTCOME = "plans.outcome"  # [(kind, French message)] of the last save, shown once
DEFAULT = "__default__"
NONE = "__none__"


def tell(*messages: tuple[str, str]) -> None:
    st.session_state[OUTCOME] = list(messages)


def refused(exc: Exception) -> None:
    if isinstance(exc, PlanInvalid):
        tell(("error", "Le plan n'a pas été enregistré :\n" + "\n".join(f"- {p}" for p in exc.problems)))
    else:
        tell(("error", str(exc)))


st.title("Plans de relance")
for kind, message in st.session_state.pop(OUTCOME, []):
    getattr(st, kind)(message)

stored = screens.load_plans(paths)
shipped = [p.plan_id for p in plans.default_plans()]
stored = dict(
    sorted(
        stored.items(), key=lambda kv: (kv[0] not in shipped, shipped.index(kv[0]) if kv[0] in shipped else 0, kv[0])
    )
)
tab_plans, tab_rates, tab_window, tab_customers, tab_letterheads = st.tabs(
    [
        "Plans",
        "Taux BCE (pénalités L441-10)",
        "Fenêtre d'envoi et garde-fous",
        "Plan par client",
        "En-têtes des courriers",
    ]
)

with tab_plans:
    if not stored:
        st.info("Aucun plan de relance n'est enregistré.")
        if st.button("Installer les cinq plans par défaut", key="plans.seed"):
            screens.install_default_plans(paths, scope, now=formatting.paris_now())
            st.rerun()
    else:
        plan_id = st.selectbox("Plan", list(stored), format_func=lambda p: f"{stored[p].label} ({p})", key="plans.pick")
        plan = stored[plan_id]
        if plan.updated_at:
            who = plan.updated_by or "l'installation"
            st.caption(
                f"{plan.description}  \nVersion {plan.version}, enregistrée le {formatting.moment(plan.updated_at)} par {who}."
            )
        # The version the admin opened (kept until saved or reloaded): what the save is checked against.
        opened_key = f"plans.opened.{plan.plan_id}"
        opened = st.session_state.setdefault(opened_key, plan.version)
        if opened != plan.version:
            st.warning(
                f"Ce plan a été enregistré par {plan.updated_by or 'quelqu’un'} depuis que vous l'avez ouvert : "
                "rechargez-le pour repartir de sa dernière version (vos modifications en cours seront perdues)."
            )
            st.button("Recharger le plan", key="plans.reload", on_click=st.session_state.__setitem__,
                      args=(opened_key, plan.version))  # fmt: skip
        prefix = f"plans.{plan.plan_id}.{opened}"
        st.markdown("**Niveaux**")
        edited = st.data_editor(
            screens.level_rows(plan),
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "Ancrage": st.column_config.SelectboxColumn(options=list(plans.ANCHOR_LABELS.values()), required=True),
                "Canal": st.column_config.SelectboxColumn(options=list(screens.CHANNEL_LABELS.values()), required=True),
                "Ton": st.column_config.SelectboxColumn(options=list(screens.TONE_LABELS.values()), required=True),
                "Position": st.column_config.NumberColumn(min_value=1, step=1, required=True),
                "Décalage (jours)": st.column_config.NumberColumn(
                    step=1, required=True, help="Négatif : avant l'échéance"
                ),
                "Délai de paiement (jours)": st.column_config.NumberColumn(min_value=0, step=1),
            },
            key=prefix + ".levels",
        )

        st.markdown("**Messages d'un niveau**")
        level_code = st.selectbox(
            "Niveau", [lv.code for lv in plan.levels],
            format_func=lambda c: next(f"{lv.position}. {lv.label}" for lv in plan.levels if lv.code == c),
            key=prefix + ".template.level",
        )  # fmt: skip
        level = plan.level(level_code)
        assert level is not None
        fr_tab, en_tab = st.tabs(["Français", "English"])
        for language, tab in (("fr", fr_tab), ("en", en_tab)):
            template = level.templates.get(language, LevelTemplate("", ""))
            with tab:
                st.text_input("Objet", value=template.subject, key=f"{prefix}.{level_code}.{language}.subject")
                st.text_area("Corps", value=template.body, height=280, key=f"{prefix}.{level_code}.{language}.body")
        st.caption(
            "Modèles Jinja2 : {{ customer_name }}, {{ total_due }}, la liste des factures… comme les modèles livrés."
        )

        if st.button("Enregistrer le plan", type="primary", key="plans.save"):
            try:
                rows = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
                templates = {lv.code: dict(lv.templates) for lv in plan.levels}
                for lv in plan.levels:  # the template fields of every level the admin opened
                    for language in ("fr", "en"):
                        subject = st.session_state.get(f"{prefix}.{lv.code}.{language}.subject")
                        body = st.session_state.get(f"{prefix}.{lv.code}.{language}.body")
                        if subject is not None and body is not None:
                            templates[lv.code][language] = LevelTemplate(subject, body)
                new = replace(plan, levels=screens.levels_from_rows(rows, templates))
                saved = screens.save_plan(paths, scope, new, expected_version=opened, now=formatting.paris_now())
            except (PlanInvalid, PlanChanged, Forbidden) as exc:
                refused(exc)
            else:
                st.session_state[opened_key] = saved.version
                tell(("success", f"Plan « {saved.label} » enregistré (version {saved.version})."))
            st.rerun()

        with st.expander("Créer un plan par copie de celui-ci"):
            with st.form("plans.copy", clear_on_submit=True):
                new_id = st.text_input("Identifiant (a-z, 0-9, _)", key="plans.copy.id")
                new_label = st.text_input("Libellé", key="plans.copy.label")
                if st.form_submit_button("Créer la copie", key="plans.copy.submit"):
                    try:
                        copy = screens.copy_plan(plan, new_id, new_label)
                        saved = screens.save_plan(paths, scope, copy, expected_version=0, now=formatting.paris_now())
                    except (PlanInvalid, PlanChanged, Forbidden) as exc:
                        refused(exc)
                    else:
                        tell(("success", f"Plan « {saved.label} » créé à partir de « {plan.label} »."))
                    st.rerun()

with tab_rates:
    st.caption(
        "Pénalités de retard (Code de commerce, L441-10) : taux de la BCE en vigueur au 1er janvier (premier "
        "semestre) ou au 1er juillet (second semestre), majoré de 10 points."
    )
    stored_rates = screens.rates(paths)
    if stored_rates:
        st.dataframe(
            [
                {
                    "Semestre": penalties.half_year_label(r.period_start),
                    "Taux BCE": f"{str(r.ecb_rate).replace('.', ',')} %",
                    "Taux des pénalités": f"{str(r.ecb_rate + penalties.POINTS_ABOVE_ECB).replace('.', ',')} %",
                    "Source": r.source,
                    "Saisi le": formatting.moment(r.updated_at),
                    "Par": r.updated_by or "installation",
                }
                for r in stored_rates
            ],
            hide_index=True,
            key="plans.rates.table",
        )
    else:
        st.warning("Aucun taux saisi : les mises en demeure avec pénalités attendront qu'un taux le soit.")
    periods = [penalties.period_start(date(today.year + dy, m, 1)) for dy in (1, 0, -1, -2) for m in (7, 1)]
    with st.form("plans.rates.form"):
        cols = st.columns(3)
        period = cols[0].selectbox(
            "Semestre", periods, index=periods.index(penalties.period_start(today)),
            format_func=penalties.half_year_label, key="plans.rates.period",
        )  # fmt: skip
        rate = cols[1].text_input("Taux BCE (%)", placeholder="2,15", key="plans.rates.rate")
        source = cols[2].text_input("Source", placeholder="Décision de la BCE du …", key="plans.rates.source")
        if st.form_submit_button("Enregistrer le taux", key="plans.rates.submit"):
            try:
                screens.set_rate(paths, scope, period, rate, source=source, now=formatting.paris_now())
            except (ValueError, Forbidden) as exc:
                tell(("error", f"Taux non enregistré : {exc}."))
            else:
                tell(("success", f"Taux du {penalties.half_year_label(period)} enregistré."))
            st.rerun()

with tab_window:
    current = screens.load_settings(paths)
    st.caption(f"Actuellement : {screens.settings_mod.describe_window(current)}.")
    with st.form("plans.settings"):
        days = st.multiselect(
            "Jours d'envoi", list(range(7)), default=sorted(current.window_days), format_func=DAY_NAMES.__getitem__,
            key="plans.settings.days",
        )  # fmt: skip
        cols = st.columns(2)
        start = cols[0].time_input(
            "De", value=current.window_start, step=timedelta(minutes=30), key="plans.settings.start"
        )
        end = cols[1].time_input("À", value=current.window_end, step=timedelta(minutes=30), key="plans.settings.end")
        holidays = st.checkbox(
            "Sauter les jours fériés français", value=current.skip_holidays, key="plans.settings.holidays"
        )
        age = st.number_input(
            "Âge maximal des données Pennylane (minutes)", min_value=1, max_value=7 * 24 * 60,
            value=int(current.max_sync_age.total_seconds() // 60), step=15, key="plans.settings.age",
            help="Au-delà, aucune relance automatique ne part : la file dit pourquoi elle attend.",
        )  # fmt: skip
        dry_run = st.checkbox("Mode essai (rien n'est envoyé)", value=current.dry_run, key="plans.settings.dry_run")
        archive = st.text_input(
            "Adresse d'archive (copie cachée de chaque relance)", value=current.archive_address or "",
            key="plans.settings.archive",
        )  # fmt: skip
        if st.form_submit_button("Enregistrer les réglages", key="plans.settings.submit"):
            try:
                chosen = ReminderSettings(
                    window_days=frozenset(days), window_start=start or time(9), window_end=end or time(17),
                    skip_holidays=holidays, max_sync_age=timedelta(minutes=int(age)), dry_run=dry_run,
                    archive_address=archive.strip() or None, send_batch_size=current.send_batch_size,
                )  # fmt: skip
                screens.save_settings(paths, scope, chosen, now=formatting.paris_now())
            except (InvalidSettings, Forbidden) as exc:
                tell(("error", f"Réglages non enregistrés : {exc}"))
            else:
                tell(("success", f"Réglages enregistrés : envois {screens.settings_mod.describe_window(chosen)}."))
            st.rerun()

with tab_customers:
    search = st.text_input("Rechercher un client", placeholder="Nom du client", key="plans.customer.search")
    found = screens.customer_plans(paths, scope, today=today, search=search) if search.strip() else []
    if search.strip() and not found:
        st.info("Aucun client ne correspond.")
    if found:
        by_key = {f"{c.entity_id}/{c.customer_id}": c for c in found}
        picked = st.selectbox(
            "Client", list(by_key), format_func=lambda k: f"{by_key[k].name} ({by_key[k].entity_id})",
            key="plans.customer.pick",
        )  # fmt: skip
        customer = by_key[picked]

        def plan_label(p: str | None) -> str:
            return stored[p].label if p in stored else (screens.NO_PLAN if p is None else str(p))

        now_on = plan_label(customer.plan_id)
        st.caption(
            f"Plan actuel : {now_on}" + ("" if customer.overridden else " (par défaut, selon la langue et le pays).")
        )
        choices = [DEFAULT, NONE, *stored]
        labels = {DEFAULT: f"Plan par défaut ({plan_label(customer.default_plan)})", NONE: screens.NO_PLAN}
        current_choice = DEFAULT if not customer.overridden else (NONE if customer.chosen is None else customer.chosen)
        choice = st.selectbox(
            "Plan à appliquer", choices, index=choices.index(current_choice) if current_choice in choices else 0,
            format_func=lambda p: labels.get(p) or plan_label(p), key=f"plans.customer.plan.{picked}",
        )  # fmt: skip
        if st.button("Appliquer", key="plans.customer.apply"):
            try:
                if choice == DEFAULT:
                    screens.default_plan_again(paths, scope, customer.entity_id, customer.customer_id)
                else:
                    screens.assign_plan(
                        paths, scope, customer.entity_id, customer.customer_id, None if choice == NONE else choice,
                        now=formatting.paris_now(),
                    )  # fmt: skip
            except (PlanInvalid, NotInScope, Forbidden) as exc:
                tell(("error", str(exc)))
            else:
                tell(("success", f"{customer.name} : {labels.get(choice) or plan_label(choice)}."))
            st.rerun()

with tab_letterheads:
    st.caption(
        "Ce que les courriers imprimés disent de l'entité qui les envoie, sous son nom et son SIREN : "
        "Pennylane ne fournit pas l'adresse de la société elle-même."
    )
    entries = screens.entity_letterheads(paths, scope, today=today)
    if not entries:
        st.info(
            "Aucune entité synchronisée pour l'instant : les en-têtes se saisissent après la première synchronisation."
        )
    for entry in entries:
        head = entry.letterhead
        with st.form(f"plans.letterhead.{entry.entity_id}"):
            st.markdown(f"**{entry.name}**")
            address = st.text_area(
                "Adresse (une ligne par ligne du courrier)", value="\n".join(head.address_lines), height=100,
                key=f"plans.letterhead.{entry.entity_id}.address",
            )  # fmt: skip
            cols = st.columns(2)
            place = cols[0].text_input(
                "Ville de signature",
                value=head.place,
                placeholder="Lyon",
                key=f"plans.letterhead.{entry.entity_id}.place",
            )
            contact = cols[1].text_input(
                "Contact", value=head.contact, placeholder="Tél. 04 72 00 00 00 · relances@exemple.fr",
                key=f"plans.letterhead.{entry.entity_id}.contact",
            )  # fmt: skip
            if st.form_submit_button("Enregistrer l'en-tête", key=f"plans.letterhead.{entry.entity_id}.submit"):
                try:
                    screens.save_letterhead(
                        paths, scope, entry.entity_id, address=address, place=place, contact=contact,
                        now=formatting.paris_now(),
                    )  # fmt: skip
                except (LetterheadInvalid, Forbidden) as exc:
                    tell(("error", f"En-tête non enregistré : {exc}."))
                else:
                    tell(("success", f"En-tête de {entry.name} enregistré."))
                st.rerun()
