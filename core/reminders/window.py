"""The sending window: automatic reminders leave on working days, within office hours, Paris time.

Computed in local time and converted back, so a 09:00 window opens at 09:00 in Paris on both
sides of a daylight-saving change (07:00 UTC in summer, 08:00 UTC in winter), never an hour
early or late. Public holidays are metropolitan France's (`holidays`, 11 days a year: 1 Jan,
Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 Jul, 15 Aug, 1 Nov, 11 Nov, 25 Dec).
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

import holidays

from core.formatting import PARIS
from core.reminders.settings import ReminderSettings

_MAX_DAYS_AHEAD = 30  # a window with at least one day a week always opens within this


@functools.cache
def _french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_holiday(day: date) -> bool:
    return day in _french_holidays(day.year)


def is_sending_day(day: date, settings: ReminderSettings) -> bool:
    return day.weekday() in settings.window_days and not (settings.skip_holidays and is_holiday(day))


def _opens(day: date, settings: ReminderSettings) -> datetime:
    return datetime.combine(day, settings.window_start, tzinfo=PARIS)


def _closes(day: date, settings: ReminderSettings) -> datetime:
    return datetime.combine(day, settings.window_end, tzinfo=PARIS)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("moment sans fuseau horaire : passez une date-heure avec fuseau (Europe/Paris)")
    return moment.astimezone(PARIS)


def in_window(moment: datetime, settings: ReminderSettings) -> bool:
    """Whether a message may leave at `moment` (start included, end excluded)."""
    local = _aware(moment)
    day = local.date()
    return is_sending_day(day, settings) and _opens(day, settings) <= local < _closes(day, settings)


def next_opening(moment: datetime, settings: ReminderSettings) -> datetime:
    """The first moment at or after `moment` inside the window (Europe/Paris): `moment` itself
    when it is inside, else the start of the next sending day."""
    local = _aware(moment)
    day = local.date()
    for _ in range(_MAX_DAYS_AHEAD + 1):
        if is_sending_day(day, settings):
            opens, closes = _opens(day, settings), _closes(day, settings)
            if local < opens:
                return opens
            if local < closes:
                return local
        day += timedelta(days=1)
    raise ValueError("aucune fenêtre d'envoi dans les 30 prochains jours : vérifiez les jours d'envoi")
