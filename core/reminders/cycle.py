"""One pass of the automatic reminders, as the scheduler runs it after each sync.

1. read what came back (bounces, out-of-office replies) first: a bounce makes an address
   invalid and an away reply postpones the customer, so both must count before deciding;
2. decide what is due now (the engine, pure) and queue it (one transaction per message, the
   levels recorded with it: never the same level twice);
3. send what the window lets out (the queue re-checks payment and data freshness per message).

Each step commits on its own, so a crash anywhere is taken up by the next pass, which looks at
what is due, never at the ticks it missed. A dry run queues what it would send, marked as such
(the previous dry run's rows are replaced), and sends nothing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from core.config import Settings
from core.formatting import PARIS
from core.mail.local_server import bounces_maildir
from core.mail.mailbox import ImapSource, MailboxError, MaildirSource, MailSource
from core.mail.message import is_address
from core.mail.smtp import SmtpServer
from core.reminders import penalties, plans
from core.reminders.engine import due_reminders
from core.reminders.followup import FollowupReport, active_invalid_addresses, process_mailbox
from core.reminders.inputs import EngineInputs, engine_inputs
from core.reminders.model import DueReminder
from core.reminders.queue import Composed, QueueReport, queue_due
from core.reminders.render import RenderContext, TemplateMissing, render_reminder
from core.reminders.sending import SendReport, maildir_archive, send_ready, store_last_sync, store_recheck
from core.reminders.settings import load_settings
from core.store import operations
from core.store.paths import StorePaths

log = logging.getLogger("encours.reminders")


@dataclass
class CycleReport:
    followup: FollowupReport | None = None
    queued: QueueReport | None = None
    sent: SendReport | None = None
    held: dict[tuple[str, int], str] = field(default_factory=dict)
    """Customers whose reminder could not be written, with the French reason (a missing ECB
    rate, a template an admin removed): nothing is recorded, the next pass tries again."""
    notes: list[str] = field(default_factory=list)


def prepare(paths: StorePaths, *, now: datetime) -> None:
    """The five default plans and the known ECB rates, once (an admin's deletions stay deleted)."""
    with operations.session(paths) as con:
        plans.seed_default_plans(con, now=now)
        penalties.seed_known_rates(con, now)


def mailbox_for(settings: Settings) -> MailSource | None:
    """Where bounces come back: the embedded server's own maildir, or the configured IMAP box."""
    mail = settings.mail
    if mail.returns is not None:
        r = mail.returns
        return ImapSource(r.host, r.port, r.user, r.password.reveal(), r.folder, r.security)
    if mail.embedded:
        return MaildirSource(bounces_maildir(settings.data_dir))
    return None


def invalid_addresses(paths: StorePaths) -> set[str]:
    with operations.session(paths) as con:
        return active_invalid_addresses(con)


def composer(inputs: EngineInputs, *, now: datetime, invalid: set[str]) -> Callable[[DueReminder], Composed]:
    """Render a due reminder for its customer: the plan's template in the customer's language,
    to the customer's valid billing addresses (none proved wrong by a bounce), the account
    manager in copy when the level says so."""
    today = now.astimezone(PARIS).date()

    def compose(due: DueReminder) -> Composed:
        contact = inputs.contacts[(due.entity_id, due.customer_id)]
        ctx = RenderContext(
            customer_name=contact.name,
            entity_name=contact.entity_name,
            today=today,
            account_manager_name=contact.manager_name,
            rates=inputs.rates,
            b2b=contact.b2b,
        )
        rendered = render_reminder(due, inputs.plans[due.plan_id], ctx)
        to = _unique(a for a in contact.emails if is_address(a) and a.lower() not in invalid)
        cc = _unique(a for a in contact.manager_emails if is_address(a)) if due.cc_account_manager else ()
        return Composed(
            rendered.subject, rendered.body, to, tuple(a for a in cc if a.lower() not in {t.lower() for t in to})
        )

    return compose


def _unique(addresses: object) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for a in addresses:  # type: ignore[attr-defined]
        seen.setdefault(a.strip().lower(), a.strip())
    return tuple(seen.values())


def plan_and_queue(
    paths: StorePaths, *, now: datetime, dry_run: bool = False
) -> tuple[QueueReport, dict[tuple[str, int], str]]:
    """Decide what is due at `now` and queue it; the customers held back and why."""
    inputs = engine_inputs(paths, now=now)
    due = due_reminders(inputs.invoices, inputs.history, inputs.plans, inputs.customers, now)
    render = composer(inputs, now=now, invalid=invalid_addresses(paths))
    rendered: dict[DueReminder, Composed] = {}

    def compose(reminder: DueReminder) -> Composed:  # each message rendered once (checked here, queued below)
        if reminder not in rendered:
            rendered[reminder] = render(reminder)
        return rendered[reminder]

    held: dict[tuple[str, int], str] = {}
    ready: list[DueReminder] = []
    for reminder in due:
        try:
            composed = compose(reminder)  # rendering errors are the admin's to fix: hold this customer, not the run
        except (penalties.RateMissing, TemplateMissing) as exc:
            held[(reminder.entity_id, reminder.customer_id)] = str(exc)
            continue
        if reminder.channel == "email" and not composed.to:
            # no address left (none in Pennylane, or every one bounced): the level goes by post
            reminder = replace(reminder, channel="letter")
            rendered[reminder] = composed
        ready.append(reminder)
    with operations.session(paths) as con:
        settings = load_settings(con)
        if dry_run or settings.dry_run:
            with operations.transaction(con):
                con.execute(
                    "DELETE FROM reminder_queue WHERE dry_run = 1 AND state IN ('ready', 'needs_validation', 'to_print')"
                )
        report = queue_due(con, ready, compose=compose, settings=settings, now=now, dry_run=dry_run)
        if not dry_run:  # a one-off trial (maybe at another --now) leaves the real pass's holds
            record_holds(con, held, now=now)
    for (entity_id, customer_id), reason in held.items():
        log.warning("relance du client %s/%s retenue : %s", entity_id, customer_id, reason)
    return report, held


def record_holds(con: sqlite3.Connection, held: Mapping[tuple[str, int], str], *, now: datetime) -> None:
    """This pass's held customers in `reminder_holds`, for the validation page: those held again
    keep the date they were first held, those no longer held leave. Read directly by the page,
    through no cache: the store's revision is left alone."""
    stamp = now.isoformat()
    with operations.transaction(con, revision=False):
        known = {(str(e), int(c)) for e, c in con.execute("SELECT entity_id, customer_id FROM reminder_holds")}
        for key in known - held.keys():
            con.execute("DELETE FROM reminder_holds WHERE entity_id = ? AND customer_id = ?", key)
        for (entity_id, customer_id), reason in held.items():
            con.execute(
                "INSERT INTO reminder_holds (entity_id, customer_id, reason, since, last_seen) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (entity_id, customer_id) DO UPDATE SET reason = excluded.reason,"
                " last_seen = excluded.last_seen",
                [entity_id, customer_id, reason, stamp, stamp],
            )


def run_cycle(
    paths: StorePaths,
    settings: Settings,
    *,
    now: datetime,
    dry_run: bool = False,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] | None = None,
) -> CycleReport:
    """The whole pass (module docstring). `clock` stamps each message sent (default: `now`)."""
    report = CycleReport()
    prepare(paths, now=now)
    source = mailbox_for(settings)
    if source is None:
        report.notes.append(
            "Aucune boîte de retour configurée (ENCOURS_IMAP_HOST) : les rejets et réponses automatiques ne sont pas lus."
        )
    elif not dry_run:
        try:
            report.followup = process_mailbox(paths, source, now=now)
        except MailboxError as exc:  # the mailbox is down: decide and send anyway, read it next time
            report.notes.append(f"Boîte de retour illisible : {exc}")
    report.queued, report.held = plan_and_queue(paths, now=now, dry_run=dry_run)
    if dry_run or (stop is not None and stop.is_set()):
        return report
    report.sent = send_configured(paths, settings, now=now, stop=stop, clock=clock)
    for note in report.notes:
        log.warning("%s", note)
    return report


def send_configured(
    paths: StorePaths,
    settings: Settings,
    *,
    now: datetime,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SendReport:
    """`send_ready` with this installation's SMTP server, the store's re-check and sync ages, and
    the embedded server's maildir as the archive a crash is reconciled against."""
    return send_ready(
        paths,
        now=now,
        server=SmtpServer.from_settings(settings.mail),
        recheck=store_recheck(paths, today=now.astimezone(PARIS).date()),
        last_sync=store_last_sync(paths),
        mail_from=settings.mail.mail_from,
        stop=stop,
        delivered=maildir_archive(paths.maildir) if settings.mail.embedded else None,
        clock=clock,
    )
