"""The sending window: working days, office hours in Paris, French holidays, both DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from core.formatting import PARIS
from core.reminders.settings import InvalidSettings, ReminderSettings
from core.reminders.window import in_window, next_opening

S = ReminderSettings()


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_inside_the_window_a_message_leaves_at_once():
    moment = paris(2026, 12, 7, 10, 15)  # Monday
    assert in_window(moment, S)
    assert next_opening(moment, S) == moment


def test_before_and_after_hours_wait_for_nine_o_clock():
    assert next_opening(paris(2026, 12, 7, 7, 0), S) == paris(2026, 12, 7, 9, 0)
    assert not in_window(paris(2026, 12, 7, 17, 0), S)  # the end is excluded
    assert next_opening(paris(2026, 12, 7, 17, 0), S) == paris(2026, 12, 8, 9, 0)


def test_the_weekend_waits_for_monday():
    assert not in_window(paris(2026, 12, 12, 10, 0), S)  # Saturday
    assert next_opening(paris(2026, 12, 11, 18, 0), S) == paris(2026, 12, 14, 9, 0)


@pytest.mark.parametrize(
    ("holiday", "opens"),
    [
        ((2027, 3, 29), (2027, 3, 30)),  # Easter Monday
        ((2027, 5, 6), (2027, 5, 7)),  # Ascension Thursday
        ((2027, 5, 17), (2027, 5, 18)),  # Whit Monday
        ((2026, 12, 25), (2026, 12, 28)),  # Christmas (Friday) → Monday
        ((2027, 1, 1), (2027, 1, 4)),  # New Year's Day (Friday) → Monday
    ],
)
def test_french_public_holidays_are_skipped(holiday, opens):
    assert not in_window(paris(*holiday, 10, 0), S)
    assert next_opening(paris(*holiday, 8, 0), S) == paris(*opens, 9, 0)


def test_holidays_are_sent_on_when_the_admin_says_so():
    assert in_window(paris(2027, 5, 6, 10, 0), ReminderSettings(skip_holidays=False))


def test_spring_forward_keeps_nine_o_clock_local():
    # 28/03/2027 at 02:00 Paris moves to 03:00: Monday 29 is Easter Monday, so Tuesday 30.
    opened = next_opening(datetime(2027, 3, 27, 20, 0, tzinfo=UTC), S)
    assert opened == paris(2027, 3, 30, 9, 0)
    assert opened.astimezone(UTC) == datetime(2027, 3, 30, 7, 0, tzinfo=UTC)


def test_fall_back_keeps_nine_o_clock_local():
    # 25/10/2026 at 03:00 Paris goes back to 02:00: Monday 26 opens at 09:00 Paris = 08:00 UTC.
    opened = next_opening(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), S)
    assert opened.astimezone(PARIS).time() == time(9, 0)
    assert opened.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    # the Friday before, still summer time: 07:00 UTC is 09:00 Paris, inside
    assert in_window(datetime(2026, 10, 23, 7, 0, tzinfo=UTC), S)
    assert not in_window(datetime(2026, 10, 26, 7, 30, tzinfo=UTC), S)  # 08:30 Paris in winter


def test_a_moment_in_utc_is_read_in_paris_time():
    assert in_window(datetime(2026, 12, 7, 8, 0, tzinfo=UTC), S)  # 09:00 Paris
    assert not in_window(datetime(2026, 12, 7, 7, 59, tzinfo=UTC), S)


def test_custom_days_and_hours():
    s = ReminderSettings(window_days=frozenset({1, 3}), window_start=time(14, 0), window_end=time(16, 0))
    assert next_opening(paris(2026, 12, 7, 15, 0), s) == paris(2026, 12, 8, 14, 0)  # Monday → Tuesday 14:00


def test_unusable_settings_are_refused_in_french():
    with pytest.raises(InvalidSettings, match="doit précéder"):
        ReminderSettings(window_start=time(18, 0), window_end=time(9, 0))
    with pytest.raises(InvalidSettings, match="au moins un jour"):
        ReminderSettings(window_days=frozenset())
