"""The reminders' settings an admin changes without a deploy: when messages may leave (days,
hours, Europe/Paris, French public holidays skipped), how fresh the Pennylane data must be, dry
run, the archive copy. Kept in `reminder_settings` (one JSON value per key); a key never saved
takes its default, so a fresh store sends Monday–Friday 09:00–17:00."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields, replace
from datetime import datetime, time, timedelta
from typing import Any

from core.mail.message import is_address
from core.store import operations

DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


class InvalidSettings(ValueError):
    """A setting an admin typed is not usable; the message is French, for the screen."""


@dataclass(frozen=True)
class ReminderSettings:
    window_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    window_start: time = time(9, 0)
    window_end: time = time(17, 0)  # exclusive: a message at 17:00 waits for the next day
    timezone: str = "Europe/Paris"
    skip_holidays: bool = True  # French public holidays (metropolitan France)
    max_sync_age: timedelta = timedelta(hours=2)
    dry_run: bool = False
    archive_address: str | None = None  # BCC copy of every automatic message: what a crash is reconciled against
    send_batch_size: int = 200  # messages sent per run at most

    def __post_init__(self) -> None:
        check(self)


def check(s: ReminderSettings) -> None:
    """Raise InvalidSettings (French) when the settings cannot work."""
    if not s.window_days or not s.window_days <= set(range(7)):
        raise InvalidSettings("Choisissez au moins un jour d'envoi (du lundi au dimanche).")
    if s.window_start >= s.window_end:
        raise InvalidSettings(
            f"L'heure de début d'envoi ({s.window_start:%H:%M}) doit précéder l'heure de fin ({s.window_end:%H:%M})."
        )
    if s.timezone != "Europe/Paris":
        raise InvalidSettings("Les envois suivent l'heure de Paris (Europe/Paris).")
    if s.max_sync_age <= timedelta(0) or s.max_sync_age > timedelta(days=7):
        raise InvalidSettings("L'âge maximal des données doit être compris entre 1 minute et 7 jours.")
    if s.archive_address is not None and not is_address(s.archive_address):
        raise InvalidSettings(f"« {s.archive_address} » n'est pas une adresse e-mail valide pour la copie d'archive.")
    if not 1 <= s.send_batch_size <= 10_000:
        raise InvalidSettings("Le nombre de messages par envoi doit être compris entre 1 et 10 000.")


def _encode(name: str, value: Any) -> Any:
    if name == "window_days":
        return sorted(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)  # minutes
    return value


def _decode(name: str, value: Any) -> Any:
    try:
        if name == "window_days":
            return frozenset(int(d) for d in value)
        if name in ("window_start", "window_end"):
            return time.fromisoformat(str(value))
        if name == "max_sync_age":
            return timedelta(minutes=int(value))
        if name in ("skip_holidays", "dry_run"):
            if not isinstance(value, bool):
                raise TypeError(value)
            return value
        if name == "send_batch_size":
            return int(value)
        return None if value is None else str(value)
    except (TypeError, ValueError):
        raise InvalidSettings(f"Réglage des relances illisible : {name} = {value!r}.") from None


_NAMES = tuple(f.name for f in fields(ReminderSettings))


def load_settings(con: sqlite3.Connection) -> ReminderSettings:
    """The saved settings over the defaults (unknown keys are ignored)."""
    saved = {k: v for k, v in con.execute("SELECT key, value FROM reminder_settings").fetchall() if k in _NAMES}
    values = {name: _decode(name, json.loads(raw)) for name, raw in saved.items()}
    return replace(ReminderSettings(), **values) if values else ReminderSettings()


def save_settings(con: sqlite3.Connection, settings: ReminderSettings, *, by: str, now: datetime) -> None:
    """Write every setting (checked first: InvalidSettings), in one transaction."""
    check(settings)
    rows = [(name, json.dumps(_encode(name, getattr(settings, name))), now.isoformat(), by) for name in _NAMES]
    with operations.transaction(con):
        con.executemany(
            "INSERT INTO reminder_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by",
            rows,
        )


def describe_window(s: ReminderSettings) -> str:
    """« du lundi au vendredi, de 09:00 à 17:00 (heure de Paris), hors jours fériés »."""
    days = sorted(s.window_days)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        which = f"du {DAY_NAMES[days[0]]} au {DAY_NAMES[days[-1]]}"
    else:
        which = ", ".join(DAY_NAMES[d] for d in days)
    holidays = ", hors jours fériés" if s.skip_holidays else ""
    return f"{which}, de {s.window_start:%H:%M} à {s.window_end:%H:%M} (heure de Paris){holidays}"
