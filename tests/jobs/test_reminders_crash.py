"""The crash test: `python -m jobs.reminders send` killed with SIGKILL at random moments (at
start-up, mid-SMTP, between the SMTP answer and the commit), restarted each time, against a real
SMTP server (aiosmtpd) whose maildir is the judge: every message delivered exactly once.

Kept small for `make test` (150 messages, 20 kills, about 20 s); `make bench` runs the same
harness at full size (500 messages, `reminders.kill_runs` / `duplicates` / `lost`)."""

from __future__ import annotations

import pytest

from tests.support.reminder_crash import crash_run

MESSAGES = 150
KILLS = 20


@pytest.mark.slow
def test_killed_at_random_every_message_is_delivered_exactly_once(tmp_path):
    result = crash_run(tmp_path, MESSAGES, KILLS, seed=12)
    assert result.problems == ()
    assert result.kills >= KILLS
    assert result.duplicates == 0
    assert result.lost == 0 and result.delivered == MESSAGES
