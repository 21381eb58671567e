"""The one table of what each role may see and do.

Every page, query, export and action asks this module, so "may a treasurer change an
agreement date?" has exactly one answer, shown to people in docs/roles.md (a test keeps the
two in step). What rows a role sees (all customers, an agency's, a portfolio) is the scope's
business (core/scope.py); this table says which pages and actions are open to it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGEMENT = "management"
    ACCOUNTING = "accounting"
    TREASURY = "treasury"
    AGENCY_MANAGER = "agency_manager"
    SALES_REP = "sales_rep"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Administrateur",
    Role.MANAGEMENT: "Direction",
    Role.ACCOUNTING: "Comptabilité et recouvrement",
    Role.TREASURY: "Trésorerie",
    Role.AGENCY_MANAGER: "Directeur d'agence",
    Role.SALES_REP: "Chargé de clientèle",
}


class Visibility(StrEnum):
    """Which customers' rows a role sees (applied by core/scope.py)."""

    ALL = "all"
    AGENCY = "agency"
    PORTFOLIO = "portfolio"


VISIBILITY: dict[Role, Visibility] = {
    Role.ADMIN: Visibility.ALL,
    Role.MANAGEMENT: Visibility.ALL,
    Role.ACCOUNTING: Visibility.ALL,
    Role.TREASURY: Visibility.ALL,
    Role.AGENCY_MANAGER: Visibility.AGENCY,
    Role.SALES_REP: Visibility.PORTFOLIO,
}


class Action(StrEnum):
    VIEW_HOME = "view_home"
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_LISTS = "view_lists"
    EXPORT = "export"
    VIEW_DATA_QUALITY = "view_data_quality"  # records Pennylane sent that the sync left out
    SET_INTERNAL_STATUS = "set_internal_status"
    SET_AGREEMENT_DATE = "set_agreement_date"
    RECORD_DISPUTE = "record_dispute"
    RECORD_PROMISE = "record_promise"
    ADD_NOTE = "add_note"
    LOG_CALL = "log_call"
    SEND_MANUAL_REMINDER = "send_manual_reminder"
    VALIDATE_REMINDERS = "validate_reminders"
    MANAGE_REMINDER_PLANS = "manage_reminder_plans"
    MANAGE_USERS = "manage_users"
    MANAGE_ORGANISATION = "manage_organisation"
    VIEW_AUDIT = "view_audit"  # who exported what, who changed what


ACTION_LABELS: dict[Action, str] = {
    Action.VIEW_HOME: "Voir l'accueil",
    Action.VIEW_DASHBOARD: "Voir les tableaux de bord",
    Action.VIEW_LISTS: "Voir les listes de factures et de clients",
    Action.EXPORT: "Exporter (PDF, CSV, Excel)",
    Action.VIEW_DATA_QUALITY: "Voir les enregistrements Pennylane écartés",
    Action.SET_INTERNAL_STATUS: "Changer le statut interne d'une facture",
    Action.SET_AGREEMENT_DATE: "Enregistrer une date d'accord de paiement",
    Action.RECORD_DISPUTE: "Déclarer un litige",
    Action.RECORD_PROMISE: "Enregistrer une promesse de paiement",
    Action.ADD_NOTE: "Ajouter une note",
    Action.LOG_CALL: "Consigner un appel",
    Action.SEND_MANUAL_REMINDER: "Envoyer une relance manuelle",
    Action.VALIDATE_REMINDERS: "Valider les relances en attente",
    Action.MANAGE_REMINDER_PLANS: "Modifier les plans de relance",
    Action.MANAGE_USERS: "Gérer les utilisateurs",
    Action.MANAGE_ORGANISATION: "Gérer agences et portefeuilles",
    Action.VIEW_AUDIT: "Voir les journaux (exports, modifications)",
}

_READ = frozenset({Action.VIEW_HOME, Action.VIEW_DASHBOARD, Action.VIEW_LISTS, Action.EXPORT})
_COLLECT = frozenset(
    {
        Action.SET_INTERNAL_STATUS,
        Action.SET_AGREEMENT_DATE,
        Action.RECORD_DISPUTE,
        Action.RECORD_PROMISE,
        Action.ADD_NOTE,
        Action.LOG_CALL,
        Action.SEND_MANUAL_REMINDER,
        Action.VALIDATE_REMINDERS,
    }
)

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.MANAGEMENT: _READ | {Action.VIEW_DATA_QUALITY},
    Role.ACCOUNTING: _READ | _COLLECT | {Action.VIEW_DATA_QUALITY},
    Role.TREASURY: _READ | {Action.SET_AGREEMENT_DATE, Action.VIEW_DATA_QUALITY},
    Role.AGENCY_MANAGER: _READ | {Action.ADD_NOTE, Action.LOG_CALL},
    Role.SALES_REP: _READ | {Action.ADD_NOTE, Action.LOG_CALL},
}


def role_label(role: str) -> str:
    """The French name of a role as stored (the stored value itself when unknown)."""
    return ROLE_LABELS[Role(role)] if role in set(Role) else role


class Forbidden(PermissionError):
    """The signed-in user's role does not allow this; the message is French, for the screen."""


def role_of(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise Forbidden(f"Rôle inconnu « {value} » : demandez à un administrateur de corriger ce compte.") from exc


def allows(role: str, action: Action) -> bool:
    """Whether `role` may take `action`; an unknown role may do nothing."""
    try:
        return action in PERMISSIONS[Role(role)]
    except ValueError:
        return False


def require(role: str, action: Action) -> None:
    """Raise Forbidden (French message) unless `role` may take `action`."""
    if not allows(role, action):
        raise Forbidden(f"Votre profil ({role_label(role)}) ne permet pas : {ACTION_LABELS[action].lower()}.")


def permissions_table() -> list[list[str]]:
    """The table as docs/roles.md shows it: a header row, then one row per action (✓ or —)."""
    header = ["Action", *(ROLE_LABELS[r] for r in Role)]
    rows = [[ACTION_LABELS[a], *("✓" if a in PERMISSIONS[r] else "—" for r in Role)] for a in Action]
    return [header, *rows]
