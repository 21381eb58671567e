"""Resending a reminder by hand: a new message at the next window, no new level."""

from __future__ import annotations

from core.reminders.queue import resend
from core.scope import Scope
from core.store import operations
from tests.core.reminders.test_queue import COLLECTOR, NOW, SETTINGS, due, line, put
from tests.core.reminders.test_sending import paths as paths  # noqa: F401 - the store fixture
from tests.core.reminders.test_sending import run, state
from tests.support.mail import smtp_server


def test_a_failed_reminder_resent_to_a_corrected_address_arrives_and_gives_no_new_level(paths, tmp_path):  # noqa: F811
    other_agency = Scope(email="a@verdier.example", role="accounting", customers=frozenset({("alpha", 2)}))

    [q] = put(paths, due(1, line(1))).queued
    with smtp_server(tmp_path / "maildir", refused=["client1@ex.example"]) as smtp:
        run(paths, smtp.server)
        assert state(paths, q).state == "failed" and smtp.received() == []
        assert resend(paths, other_agency, [q], now=NOW, settings=SETTINGS).refused  # another portfolio
        result = resend(paths, COLLECTOR, [q], now=NOW, settings=SETTINGS, to=["comptabilite@exemple.fr"])
        (copy,) = result.approved
        assert state(paths, copy).state == "ready" and "n° " + str(q) in (state(paths, copy).reason or "")
        report = run(paths, smtp.server)
        (received,) = smtp.received()
    assert report.sent == [copy] and received.to == "comptabilite@exemple.fr"
    with operations.session(paths) as con:
        levels = con.execute("SELECT queue_id, state FROM reminder_invoice_levels").fetchall()
    assert levels == [(q, "released")]  # the failed first message freed its level; the resend took none
