"""Relances à valider (through app.py): who may open it; approve, skip, postpone, edit and
"Tout valider" change the queue; a row changed by someone else since the screen showed it is
refused with its state; letters to print are downloaded and marked printed; a restricted scope
sees only its customers' rows."""

from datetime import timedelta

from core import formatting
from core.reminders import queue
from core.reminders.settings import ReminderSettings
from core.scope import Scope
from core.store import operations
from tests.support.apptest import app_on
from tests.support.mail import ADMIN, COLLECTOR, mail_store
from tests.support.reminder_queue import due, put, record_sent, seed_plans, state

PAGE = "pages/reminder_queue.py"
TABLE = "queue"


def _store(tmp_path):
    paths = mail_store(tmp_path)
    seed_plans(paths)
    return paths


def _open(monkeypatch, paths, email=COLLECTOR):
    return app_on(monkeypatch, paths, as_user=email).run().switch_page(PAGE).run()


def _select(at, table, *rows):
    """Select rows of a table (its key carries the page's decision count: a decision clears it)."""
    key = f"relances.{table}.table.{at.session_state['relances.generation']}"
    at.session_state[key] = {"selection": {"rows": list(rows), "columns": [], "cells": []}}
    return at.run()


def _table(at, column="Niveau"):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_a_collector_sees_the_waiting_rows_in_french(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    put(paths, due(20), due(22, validation=False))
    at = _open(monkeypatch, paths)
    assert not at.exception and not at.error
    assert at.title[0].value == "Relances à valider"
    assert [t.label for t in at.tabs] == ["À valider", "Courriers à imprimer", "Envoyées"]
    table = _table(at)
    assert table["Client"].tolist()[0] != "" and table["Niveau"].tolist() == ["Deuxième relance"] * 2
    assert table["Factures"].tolist() == ["F-2026-000020", "F-2026-000022"]
    assert table["Total"].tolist() == [formatting.money(1234.56), formatting.money(99.90)]
    assert table["État"].tolist() == ["à valider", "prête"]
    assert table["Attente"].tolist()[0].startswith("À valider : ce niveau de relance attend")
    assert "du lundi au vendredi" in at.caption[0].value


def test_approve_skip_postpone_change_the_store(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    first, second, third = put(paths, due(20), due(22), due(23))
    at = _open(monkeypatch, paths)
    _select(at, TABLE, 0)
    at.button(key="relances.approve").click().run()
    assert not at.exception and "1 relance(s) validée(s)" in at.success[0].value
    assert state(paths, first).state == "ready" and state(paths, first).decided_by == COLLECTOR

    assert not at.dataframe[0].value.empty
    _select(at, TABLE, 1)
    at.button(key="relances.skip").click().run()
    assert state(paths, second).state == "skipped"

    _select(at, TABLE, 1)  # the skipped row has left the queue: customer 3's is the second now
    day = formatting.paris_today() + timedelta(days=30)
    at.date_input(key="relances.postpone.day").set_value(day)
    at.button(key="relances.postpone").click().run()
    assert not at.exception and not at.error
    moved = state(paths, third)
    assert moved.scheduled_for.date() >= day and moved.reason.startswith("Reportée au")


def test_a_row_is_edited_in_its_form(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    [queue_id] = put(paths, due(20))
    at = _open(monkeypatch, paths)
    _select(at, TABLE, 0)
    key = f"relances.edit.{queue_id}"
    at.text_input(key=key + ".subject").input("Relance : merci de régler F-2026-000020")
    at.text_input(key=key + ".cc").input("rep.a@verdier.example")
    at.button(key=key + ".submit").click().run()
    assert not at.exception and not at.error
    edited = state(paths, queue_id)
    assert edited.subject == "Relance : merci de régler F-2026-000020" and edited.cc == ("rep.a@verdier.example",)
    assert edited.state == "needs_validation"


def test_a_stale_row_is_refused_with_its_current_state(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    [queue_id] = put(paths, due(20))
    at = _select(_open(monkeypatch, paths), TABLE, 0)
    admin = Scope(email=ADMIN, role="admin", full_name="Ada Admin")
    now = formatting.paris_now()
    queue.postpone(paths, admin, queue_id, now + timedelta(days=20), version=1, now=now, settings=ReminderSettings())
    at.button(key="relances.approve").click().run()  # meanwhile, someone else postponed it
    assert not at.exception
    message = at.error[0].value
    assert "a été modifiée entre-temps (état actuel : à valider, par admin@verdier.example)" in message
    assert state(paths, queue_id).state == "needs_validation"


def test_approve_all_validates_every_row_waiting_for_validation(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    ids = put(paths, due(20), due(22), due(23, validation=False))
    at = _open(monkeypatch, paths)
    assert at.button(key="relances.approve_all").label == "Tout valider (2)"
    at.button(key="relances.approve_all").click().run()
    assert "2 relance(s) validée(s)" in at.success[0].value
    assert [state(paths, q).state for q in ids] == ["ready", "ready", "ready"]
    assert at.button(key="relances.approve_all").disabled


def test_letters_are_downloaded_and_marked_printed(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    [letter] = put(paths, due(20, code="formal_notice", channel="letter"))
    at = _open(monkeypatch, paths)
    letters = _table(at, "Motif")
    assert letters["Factures"].tolist() == ["F-2026-000020"]
    _select(at, "letters", 0)
    assert not at.exception and not at.error
    at.button(key="relances.letters.printed").click().run()
    assert "1 courrier(s) marqué(s) comme imprimé(s)" in at.success[0].value
    printed = state(paths, letter)
    assert printed.state == "printed" and printed.decided_by == COLLECTOR
    assert any("Aucun courrier à imprimer" in i.value for i in at.info)


def test_who_may_open_the_page(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    put(paths, due(20))
    for email in (ADMIN, COLLECTOR):
        at = _open(monkeypatch, paths, email)
        assert not at.exception and not at.error and at.dataframe, email
    for email in ("rep.a@verdier.example", "dir.paris@verdier.example"):
        at = _open(monkeypatch, paths, email)
        assert "n'est pas ouverte à votre profil" in at.error[0].value
        assert not at.dataframe


def test_sent_messages_show_their_delivery_status(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    first, second = put(paths, due(20, validation=False), due(22, validation=False))
    record_sent(paths, first, "t1")
    record_sent(paths, second, "t2", status="bounced")
    at = _open(monkeypatch, paths)
    sent = _table(at, "Remise")
    assert sent["Remise"].tolist() == ["rejeté : adresse invalide", "envoyé"]
    assert sent["Client"].tolist()[0] == "Morel Transport Ltd" and sent["Niveau"].tolist() == ["Deuxième relance"] * 2
    assert sent["Destinataires"].tolist() == ["accounts@morel.example", "compta1@client.example"]


def test_a_bounced_reminder_is_resent_to_a_corrected_address(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    first, second = put(paths, due(20, validation=False), due(22, validation=False))
    record_sent(paths, first, "t1")
    record_sent(paths, second, "t2", status="bounced")
    at = _open(monkeypatch, paths)
    at.text_input(key="relances.resend.to").set_value("compta.morel@transports.example")
    at = _select(at, "sent", 0)  # the bounced one, newest first
    at.button(key="relances.resend").click().run()
    assert not at.exception and "1 relance(s) à renvoyer" in at.success[0].value
    again = state(paths, second + 1)  # the new queue row
    assert (again.state, again.to, again.customer_id) == ("ready", ("compta.morel@transports.example",), 2)


def test_an_invalid_address_in_the_form_is_refused(tmp_path, monkeypatch):
    paths = _store(tmp_path)
    [queue_id] = put(paths, due(20))
    at = _select(_open(monkeypatch, paths), TABLE, 0)
    key = f"relances.edit.{queue_id}"
    at.text_input(key=key + ".to").input("compta1@client.example, pas-une-adresse")
    at.button(key=key + ".submit").click().run()
    assert "Adresse e-mail invalide : pas-une-adresse." in at.error[0].value
    assert state(paths, queue_id).to == ("compta1@client.example",) and state(paths, queue_id).version == 1


def test_customers_held_by_the_last_pass_are_shown_above_the_queue_with_their_reason(tmp_path, monkeypatch):
    from core.reminders.cycle import record_holds

    paths = _store(tmp_path)
    at = _open(monkeypatch, paths)
    assert not at.warning  # nothing held: nothing said
    reason = "Taux BCE du 2e semestre 2026 manquant : à saisir dans « Plans de relance »."
    with operations.session(paths) as ops:
        record_holds(ops, {("alpha", 2): reason}, now=formatting.paris_now())
    at = _open(monkeypatch, paths)
    assert not at.exception
    assert "1 client(s) sans relance automatique" in at.warning[0].value
    held = _table(at, "Motif")
    assert held["Client"].tolist() == ["Morel Transport Ltd"] and held["Motif"].tolist() == [reason]
