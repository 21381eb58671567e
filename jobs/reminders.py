"""Automatic reminders: `python -m jobs.reminders run|send [--dry-run] [--now ISO]`.

`run` is the scheduler's pass (core/reminders/cycle.py): read the bounces and away replies, decide
and queue what is due, then send as `send` does. `run --dry-run` queues what it would send, marked
as a dry run (page "Relances"), and sends nothing.

`send` first settles what a crash left `sending`, then sends the queue's ready messages whose
window has come (settings from the `reminder_settings` table; SMTP from ENCOURS_SMTP_*). With the
embedded SMTP server its maildir is the archive a crash is reconciled against; with a real server,
an interrupted message is marked "à vérifier" and never resent blind. SIGTERM (and Ctrl-C)
finishes the message in flight and stops. The scheduler runs it; the crash test kills it.

`--dry-run` lists what would leave and changes nothing; `--now` sets the clock (tests, catch-up).

Exit codes: 0 done (including "nothing to send" and "outside the window"); 1 some messages
failed or the server is unreachable; 2 configuration error; 3 another sending run is active.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import datetime

from core.config import ConfigError, Settings, load_settings
from core.formatting import PARIS, moment, paris_now
from core.mail.mailbox import MailboxError
from core.reminders import settings as reminder_settings
from core.reminders.cycle import run_cycle, send_configured
from core.reminders.sending import SendingBusy
from core.reminders.window import in_window, next_opening
from core.store import operations
from core.store.analytical import StoreNotPublished
from core.store.paths import StorePaths
from jobs import exit_codes, logs

log = logging.getLogger("encours.reminders")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.reminders", description="Relances automatiques d'Encours")
    commands = parser.add_subparsers(dest="command", required=True)
    send = commands.add_parser("send", help="envoyer les relances prêtes")
    send.add_argument("--dry-run", action="store_true", help="afficher ce qui partirait, sans rien envoyer")
    send.add_argument("--now", type=_moment, default=None, help="date-heure ISO à utiliser comme « maintenant »")
    run = commands.add_parser("run", help="lire les retours, décider, mettre en file et envoyer")
    run.add_argument(
        "--dry-run", action="store_true", help="mettre en file ce qui partirait, marqué « essai », sans envoyer"
    )
    run.add_argument("--now", type=_moment, default=None, help="date-heure ISO à utiliser comme « maintenant »")
    args = parser.parse_args(argv)
    logs.configure()
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"encours: configuration : {exc}", file=sys.stderr)
        return exit_codes.CONFIG
    paths = StorePaths(settings.data_dir).ensure()
    now = args.now or paris_now()
    if args.command == "run":
        return _run(paths, settings, now, dry_run=args.dry_run, pinned=args.now is not None)
    if args.dry_run:
        return _dry_run(paths, now)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        report = send_configured(paths, settings, now=now, stop=stop, clock=(lambda: now) if args.now else paris_now)
    except SendingBusy as exc:
        print(f"encours: {exc}", file=sys.stderr)
        return exit_codes.BUSY
    except reminder_settings.InvalidSettings as exc:
        print(f"encours: réglages des relances : {exc}", file=sys.stderr)
        return exit_codes.CONFIG
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info(
        "relances : %d envoyées, %d retrouvées après interruption, %d renvoyées, %d annulées, %d en échec, %d en attente",
        len(report.sent), len(report.recovered), len(report.resent), len(report.cancelled), len(report.failed),
        len(report.waiting),
    )  # fmt: skip
    if report.outside_window:
        log.info("hors fenêtre d'envoi : rien ne part avant le %s", moment(next_opening(now, _settings(paths))))
    if report.stopped:
        log.info("arrêt demandé : le message en cours est parti, les autres attendent le prochain passage")
    for queue_id, reason in {**report.failed, **report.waiting}.items():
        print(f"encours: relance {queue_id} : {reason}", file=sys.stderr)
    return exit_codes.FAILED if report.failed or report.waiting else exit_codes.OK


def _run(paths: StorePaths, settings: Settings, now: datetime, *, dry_run: bool, pinned: bool) -> int:
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        report = run_cycle(paths, settings, now=now, dry_run=dry_run, stop=stop, clock=None if pinned else paris_now)
    except SendingBusy as exc:
        print(f"encours: {exc}", file=sys.stderr)
        return exit_codes.BUSY
    except StoreNotPublished as exc:
        log.info("relances : %s", exc)
        return exit_codes.OK
    except (reminder_settings.InvalidSettings, MailboxError) as exc:
        print(f"encours: relances : {exc}", file=sys.stderr)
        return exit_codes.CONFIG
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if report.followup is not None and report.followup.read:
        log.info("retours lus : %s", ", ".join(f"{n} {k}" for k, n in sorted(report.followup.kinds.items())))
    queued = report.queued
    if queued is not None:
        log.info(
            "relances mises en file : %d%s", len(queued.queued), " (essai, rien ne part)" if queued.dry_run else ""
        )
    for (entity_id, customer_id), reason in report.held.items():
        print(f"encours: relance du client {entity_id}/{customer_id} retenue : {reason}", file=sys.stderr)
    sent = report.sent
    if sent is None:
        return exit_codes.OK
    if sent.outside_window:
        log.info("hors fenêtre d'envoi : rien ne part avant le %s", moment(next_opening(now, _settings(paths))))
    log.info(
        "relances : %d envoyées, %d annulées, %d en échec, %d en attente",
        len(sent.sent), len(sent.cancelled), len(sent.failed), len(sent.waiting),
    )  # fmt: skip
    for queue_id, reason in {**sent.failed, **sent.waiting}.items():
        print(f"encours: relance {queue_id} : {reason}", file=sys.stderr)
    return exit_codes.FAILED if sent.failed else exit_codes.OK


def _settings(paths: StorePaths) -> reminder_settings.ReminderSettings:
    with operations.session(paths) as con:
        return reminder_settings.load_settings(con)


def _dry_run(paths: StorePaths, now: datetime) -> int:
    """What a send would take now, without sending or writing anything."""
    cfg = _settings(paths)
    with operations.session(paths) as con:
        rows = con.execute(
            "SELECT queue_id, entity_id, customer_id, scheduled_for, subject FROM reminder_queue"
            " WHERE state = 'ready' AND dry_run = 0 ORDER BY queue_id"
        ).fetchall()
    due = [r for r in rows if datetime.fromisoformat(r[3]) <= now]
    if not in_window(now, cfg):
        print(f"Hors fenêtre d'envoi : {len(due)} relance(s) partiraient le {moment(next_opening(now, cfg))}.")
        return exit_codes.OK
    print(f"{len(due)} relance(s) partiraient maintenant :")
    for queue_id, entity_id, customer_id, _, subject in due:
        print(f"  {queue_id} · {entity_id} client {customer_id} · {subject}")
    return exit_codes.OK


def _moment(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PARIS)
    return parsed


if __name__ == "__main__":
    sys.exit(main())
