"""One typed settings object, read the same way by the app, the ingestion and the scheduler.

Values come from the environment first, then from `.streamlit/secrets.toml`
(top-level keys with the same names), then defaults. Several Pennylane
companies (entities) are described in a TOML file whose path is in
`ENCOURS_ENTITIES`; a single one by `PENNYLANE_API_TOKEN`/`PENNYLANE_API_URL`.
With no token at all, Encours runs on the built-in demo company.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PENNYLANE_URL = "https://app.pennylane.com/api/external/v2"
ENTITY_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
DEFAULT_MAX_REJECTED_SHARE = 0.01
"""Past this share of an entity's records left out (contract breaches), its new data is not published."""
DEFAULT_MAX_GAP_SHARE = 0.01
"""Past this share of paid invoices without a payment date (or of lines lettered with unfetched lines), the sync fails."""


class ConfigError(ValueError):
    """The configuration is missing or inconsistent; the message names every key involved."""


class Secret:
    """A string that never shows itself in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class EntityConfig:
    """One legal entity = one Pennylane company = one API token."""

    entity_id: str
    name: str
    token: Secret
    api_url: str = DEFAULT_PENNYLANE_URL
    rate_limited: bool = True
    """False only for the local demo server run without a limit: the client then does not pace itself."""


@dataclass(frozen=True)
class AccessSettings:
    """Local accounts: lockout after failed sign-ins, and how long a session lasts."""

    max_failures: int = 5
    lockout_minutes: int = 15
    session_hours: int = 12
    idle_minutes: int = 120

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    @property
    def session_ttl(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.idle_minutes)


SMTP_SECURITY = ("none", "starttls", "tls")
"""How the connection to the SMTP server is protected: not at all (the embedded server on
127.0.0.1), upgraded after connecting (STARTTLS, usually port 587), or TLS from the start (465)."""
DEFAULT_SMTP_PORTS = {"none": 25, "starttls": 587, "tls": 465}
EMBEDDED_SMTP_PORT = 8025
DEFAULT_MAIL_FROM = "relances@encours.example"


@dataclass(frozen=True)
class ReturnMailbox:
    """The IMAP mailbox of the sending address (ENCOURS_IMAP_*): bounces and away replies."""

    host: str
    port: int
    user: str
    password: Secret
    folder: str = "INBOX"
    security: str = "tls"


@dataclass(frozen=True)
class MailSettings:
    """Where e-mails go. No host configured: the embedded SMTP server (`make run` starts it on
    127.0.0.1, it keeps every message in a maildir under the data directory)."""

    smtp_host: str | None = None
    smtp_port: int = EMBEDDED_SMTP_PORT
    security: str = "none"
    user: str | None = None
    password: Secret | None = None
    mail_from: str = DEFAULT_MAIL_FROM
    returns: ReturnMailbox | None = None
    """Where bounces and replies to reminders arrive (IMAP). None with the embedded server: it
    keeps them in a maildir of its own; None with a real server: nobody reads them (a warning)."""

    @property
    def embedded(self) -> bool:
        return self.smtp_host is None

    @property
    def host(self) -> str:
        """The host the app sends to: the configured one, or the embedded server's."""
        return self.smtp_host or "127.0.0.1"


@dataclass(frozen=True)
class BackupSettings:
    """Backups of the operational store: where (None: `backups/` under the data directory), how many kept."""

    folder: Path | None = None
    keep_daily: int = 7
    keep_weekly: int = 4


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    entities: tuple[EntityConfig, ...] = ()
    sync_every_minutes: int = 15
    app_port: int = 8501
    demo_api_port: int = 8765
    demo_invoices: int = 30_000
    max_rejected_share: float = DEFAULT_MAX_REJECTED_SHARE
    max_gap_share: float = DEFAULT_MAX_GAP_SHARE
    promise_grace_days: int = 3
    """Days after a promised date before an unpaid promise counts as not kept (core/collections/promises.py)."""
    access: AccessSettings = field(default_factory=lambda: AccessSettings())
    mail: MailSettings = field(default_factory=lambda: MailSettings())
    backup: BackupSettings = field(default_factory=lambda: BackupSettings())
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def backup_dir(self) -> Path:
        """Where `python -m jobs.backup` writes (ENCOURS_BACKUP_DIR, default `backups/` in the data directory)."""
        return self.backup.folder if self.backup.folder is not None else self.data_dir / "backups"

    @property
    def demo(self) -> bool:
        """No Pennylane token configured: run on the built-in demo company."""
        return not self.entities


def _read_secrets(root: Path) -> dict[str, Any]:
    path = root / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _entities_from_file(path: Path) -> tuple[EntityConfig, ...]:
    if not path.exists():
        raise ConfigError(f"ENCOURS_ENTITIES désigne {path}, qui n'existe pas.")
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    rows = doc.get("entities") or doc.get("entity") or []
    if not rows:
        raise ConfigError(f"{path} : aucune entité ([[entities]] avec entity_id, name, token).")
    out = []
    for i, row in enumerate(rows, start=1):
        missing = [k for k in ("entity_id", "name", "token") if not row.get(k)]
        if missing:
            raise ConfigError(f"{path} : entité n°{i} incomplète, clés manquantes : {', '.join(missing)}.")
        out.append(_entity(row["entity_id"], row["name"], row["token"], row.get("url") or DEFAULT_PENNYLANE_URL))
    ids = [e.entity_id for e in out]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path} : identifiants d'entité en double.")
    return tuple(out)


def _entity(entity_id: str, name: str, token: str, url: str) -> EntityConfig:
    if not ENTITY_ID_PATTERN.match(entity_id):
        raise ConfigError(f"entity_id « {entity_id} » invalide (minuscules, chiffres, - et _).")
    return EntityConfig(entity_id=entity_id, name=name, token=Secret(token), api_url=url.rstrip("/"))


def load_settings(env: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT) -> Settings:
    """Read the settings; `env` defaults to `os.environ` (tests pass their own)."""
    env = os.environ if env is None else env
    secrets = _read_secrets(root)

    def get(key: str, default: str | None = None) -> str | None:
        if env.get(key):
            return env[key]
        if key in secrets and secrets[key] not in (None, ""):
            return str(secrets[key])
        return default

    data_dir = Path(get("ENCOURS_DATA_DIR", str(root / "data")) or "data")
    entities: tuple[EntityConfig, ...] = ()
    entities_file = get("ENCOURS_ENTITIES")
    token = get("PENNYLANE_API_TOKEN")
    if entities_file:
        entities = _entities_from_file(Path(entities_file))
    elif token:
        entities = (
            _entity(
                get("ENCOURS_ENTITY_ID", "principal") or "principal",
                get("ENCOURS_ENTITY_NAME", "Société principale") or "Société principale",
                token,
                get("PENNYLANE_API_URL", DEFAULT_PENNYLANE_URL) or DEFAULT_PENNYLANE_URL,
            ),
        )
    integers = {
        key: _integer(key, get(key), default, minimum)
        for key, default, minimum in (
            ("ENCOURS_SYNC_MINUTES", 15, 1),
            ("ENCOURS_APP_PORT", 8501, 1),
            ("ENCOURS_DEMO_API_PORT", 8765, 1),
            ("ENCOURS_DEMO_INVOICES", 30_000, 1),
            ("ENCOURS_LOCKOUT_FAILURES", 5, 1),
            ("ENCOURS_LOCKOUT_MINUTES", 15, 1),
            ("ENCOURS_SESSION_HOURS", 12, 1),
            ("ENCOURS_SESSION_IDLE_MINUTES", 120, 5),
            ("ENCOURS_BACKUP_KEEP_DAILY", 7, 1),
            ("ENCOURS_BACKUP_KEEP_WEEKLY", 4, 0),
            ("ENCOURS_PROMISE_GRACE_DAYS", 3, 0),
        )
    }
    shares = {
        key: _percent(key, get(key), default)
        for key, default in (
            ("ENCOURS_MAX_REJECTED_PERCENT", DEFAULT_MAX_REJECTED_SHARE),
            ("ENCOURS_MAX_GAPS_PERCENT", DEFAULT_MAX_GAP_SHARE),
        )
    }
    return Settings(
        data_dir=data_dir,
        entities=entities,
        sync_every_minutes=integers["ENCOURS_SYNC_MINUTES"],
        app_port=integers["ENCOURS_APP_PORT"],
        demo_api_port=integers["ENCOURS_DEMO_API_PORT"],
        demo_invoices=integers["ENCOURS_DEMO_INVOICES"],
        access=AccessSettings(
            max_failures=integers["ENCOURS_LOCKOUT_FAILURES"],
            lockout_minutes=integers["ENCOURS_LOCKOUT_MINUTES"],
            session_hours=integers["ENCOURS_SESSION_HOURS"],
            idle_minutes=integers["ENCOURS_SESSION_IDLE_MINUTES"],
        ),
        max_rejected_share=shares["ENCOURS_MAX_REJECTED_PERCENT"],
        max_gap_share=shares["ENCOURS_MAX_GAPS_PERCENT"],
        mail=_mail(get),
        backup=BackupSettings(
            folder=Path(backup_dir) if (backup_dir := get("ENCOURS_BACKUP_DIR")) else None,
            keep_daily=integers["ENCOURS_BACKUP_KEEP_DAILY"],
            keep_weekly=integers["ENCOURS_BACKUP_KEEP_WEEKLY"],
        ),
        promise_grace_days=integers["ENCOURS_PROMISE_GRACE_DAYS"],
    )


def _mail(get: Callable[[str], str | None]) -> MailSettings:
    """The SMTP settings; the password only ever as a Secret."""
    host = (get("ENCOURS_SMTP_HOST") or "").strip() or None
    security = (get("ENCOURS_SMTP_SECURITY") or ("starttls" if host else "none")).strip().lower()
    if security not in SMTP_SECURITY:
        raise ConfigError(f"ENCOURS_SMTP_SECURITY doit valoir none, starttls ou tls (reçu « {security} »).")
    default_port = DEFAULT_SMTP_PORTS[security] if host else EMBEDDED_SMTP_PORT
    port = _integer("ENCOURS_SMTP_PORT", get("ENCOURS_SMTP_PORT"), default_port, 1)
    mail_from = (get("ENCOURS_MAIL_FROM") or "").strip()
    if host and not mail_from:
        raise ConfigError(
            "ENCOURS_MAIL_FROM (l'adresse d'expédition) est requis quand ENCOURS_SMTP_HOST est configuré."
        )
    password = get("ENCOURS_SMTP_PASSWORD")
    return MailSettings(
        smtp_host=host,
        smtp_port=port,
        security=security,
        user=(get("ENCOURS_SMTP_USER") or "").strip() or None,
        password=Secret(password) if password else None,
        mail_from=mail_from or DEFAULT_MAIL_FROM,
        returns=_returns(get),
    )


IMAP_PORTS = {"tls": 993, "starttls": 143, "none": 143}


def _returns(get: Callable[[str], str | None]) -> ReturnMailbox | None:
    """The IMAP mailbox bounces come back to; host, user and password go together."""
    host = (get("ENCOURS_IMAP_HOST") or "").strip()
    if not host:
        return None
    security = (get("ENCOURS_IMAP_SECURITY") or "tls").strip().lower()
    if security not in IMAP_PORTS:
        raise ConfigError(f"ENCOURS_IMAP_SECURITY doit valoir tls, starttls ou none (reçu « {security} »).")
    user = (get("ENCOURS_IMAP_USER") or "").strip()
    password = get("ENCOURS_IMAP_PASSWORD")
    if not user or not password:
        raise ConfigError("ENCOURS_IMAP_USER et ENCOURS_IMAP_PASSWORD sont requis avec ENCOURS_IMAP_HOST.")
    return ReturnMailbox(
        host=host,
        port=_integer("ENCOURS_IMAP_PORT", get("ENCOURS_IMAP_PORT"), IMAP_PORTS[security], 1),
        user=user,
        password=Secret(password),
        folder=(get("ENCOURS_IMAP_FOLDER") or "INBOX").strip() or "INBOX",
        security=security,
    )


def _integer(key: str, value: str | None, default: int, minimum: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{key} doit être un nombre entier (reçu « {value} »).") from None
    if number < minimum:
        raise ConfigError(f"{key} doit valoir au moins {minimum}.")
    return number


def _percent(key: str, value: str | None, default: float) -> float:
    """A percentage setting (`1`, `0.5`, `2,5`) as a share between 0 and 1."""
    if value is None:
        return default
    try:
        percent = float(value.strip().rstrip("%").strip().replace(",", "."))
    except ValueError:
        raise ConfigError(f"{key} doit être un pourcentage entre 0 et 100 (reçu « {value} »).") from None
    if not 0 <= percent <= 100:
        raise ConfigError(f"{key} doit être un pourcentage entre 0 et 100 (reçu « {value} »).")
    return percent / 100
