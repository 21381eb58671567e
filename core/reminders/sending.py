"""Sending the queue's ready messages exactly once, whatever kills the process.

Per message: (1) the `messages` row (state `sending`, its Message-ID and VERP token) and the
queue row's `sending` are committed together before the SMTP conversation; (2) the
conversation; (3) message, queue row, levels, recipients and invoices are marked together. A
crash between (1) and (3) leaves a `sending` row, settled at the start of the next run: found in
the archive (the BCC copy, or the embedded server's maildir) → sent; not found → sent again with
the same Message-ID and token; no archive to ask → failed "à vérifier", never resent blind.

The ready rows go out in batches of `RECHECK_BATCH` (50). Just before a batch: the stale-data
guard (last successful sync of each entity) and the re-check of every invoice's open amount,
read for the whole batch at once (one `recheck` call, so one DuckDB session, per entity in the
batch — a session per message was half the run's time). A re-check is therefore seconds old at
most when its message leaves (50 messages at ≥ 20/s; read again if the batch takes longer than
`RECHECK_MAX_AGE_S`): an invoice paid, cancelled, disputed… since the queueing is dropped and its
level freed. Then the invalid addresses, and the batch goes over one SMTP connection. One sender
at a time (a file lock): a second run would take the first one's `sending` rows for a crash.
"""

from __future__ import annotations

import email.parser
import fcntl
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from pathlib import Path

from core.mail import history
from core.mail.message import InvalidAddress, build_message, message_id
from core.mail.smtp import Connection, MailError, SmtpServer, connection, send
from core.mail.verp import return_path
from core.reminders.followup import active_invalid_addresses
from core.reminders.queue import Composed, QueueItem, read_item, stale_reason
from core.reminders.settings import ReminderSettings, load_settings
from core.reminders.window import in_window, next_opening
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths
from core.store.reading import read_session

log = logging.getLogger("encours.reminders.sending")

SYSTEM_SENDER = "systeme"
INTERRUPTED = "envoi interrompu : à vérifier avant de renvoyer"
NO_VALID_ADDRESS = "aucune adresse valide : toutes les adresses de ce client sont marquées invalides"
NOTHING_LEFT = (
    "Plus aucune facture à relancer (payée, annulée, en litige, en attente ou au contentieux depuis la mise en file)."
)
AMOUNTS_CHANGED = (
    "Les montants ont changé depuis la mise en file (paiement partiel ou avoir) : la relance sera recalculée "
    "au prochain passage."
)

RECHECK_BATCH = 50  # queue rows re-checked together, then sent over one SMTP connection
RECHECK_MAX_AGE_S = 10.0  # a batch's re-check older than this is read again for the rest of the batch

Recheck = Callable[[str, tuple[int, ...]], Mapping[int, Decimal | None]]
LastSync = Callable[[str], datetime | None]
Delivered = Callable[[str], bool]
Recompose = Callable[[QueueItem], Composed]


class SendingBusy(RuntimeError):
    """Another sending run holds the lock (French message)."""


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)  # queue ids
    failed: dict[int, str] = field(default_factory=dict)
    cancelled: dict[int, str] = field(default_factory=dict)
    waiting: dict[int, str] = field(default_factory=dict)  # left ready: stale data, server down
    recovered: list[int] = field(default_factory=list)  # found delivered after a crash
    resent: list[int] = field(default_factory=list)  # sent again, same Message-ID
    outside_window: bool = False
    stopped: bool = False


@contextmanager
def sending_lock(path: Path) -> Iterator[None]:
    """One sender at a time; the kernel frees the lock when its holder dies, even by SIGKILL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SendingBusy("Un envoi de relances est déjà en cours.") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_path(paths: StorePaths) -> Path:
    return paths.data_dir / "reminders-send.lock"


def maildir_archive(folder: Path) -> Delivered:
    """`delivered(message_id)` over a maildir (the embedded server's, or an archive's copy):
    whether a message with that Message-ID header is there. Rescans on a miss."""
    seen: set[str] = set()
    read: set[str] = set()
    parser = email.parser.BytesHeaderParser(policy=policy.compat32)

    def scan() -> None:
        for sub in ("new", "cur"):
            directory = folder / sub
            if not directory.is_dir():
                continue
            for entry in os.scandir(directory):
                if entry.name in read:
                    continue
                try:
                    with open(entry.path, "rb") as handle:
                        headers = parser.parse(handle)
                except FileNotFoundError:  # moved from new/ to cur/ meanwhile: found on the next scan
                    continue
                read.add(entry.name)
                value = headers.get("Message-ID")
                if value:
                    seen.add(str(value).strip())

    def delivered(header_message_id: str) -> bool:
        if header_message_id.strip() not in seen:
            scan()
        return header_message_id.strip() in seen

    return delivered


def send_ready(
    paths: StorePaths,
    *,
    now: datetime,
    server: SmtpServer,
    recheck: Recheck,
    last_sync: LastSync,
    mail_from: str,
    from_name: str = "Service recouvrement",
    stop: threading.Event | None = None,
    delivered: Delivered | None = None,
    recompose: Recompose | None = None,
    settings: ReminderSettings | None = None,
    clock: Callable[[], datetime] | None = None,
) -> SendReport:
    """Settle what a crash left, then send the ready messages whose time has come (see the module
    docstring). Raises SendingBusy when another run is sending. `clock` stamps each message
    (default: `now`); `recompose` renders a message again when a payment lowered its amounts
    (without it such a message is cancelled and its levels freed, for the engine to decide again)."""
    report = SendReport()
    tick = clock or (lambda: now)
    with sending_lock(lock_path(paths)), operations.session(paths) as con:
        cfg = settings or load_settings(con)
        ctx = _Context(con, server, mail_from, from_name, cfg, tick, report)
        open_now = in_window(now, cfg) and not cfg.dry_run
        _recover(ctx, delivered, resend=open_now)
        if not open_now:
            report.outside_window = not in_window(now, cfg)
            return report
        invalid = active_invalid_addresses(con)
        synced: dict[str, datetime | None] = {}
        due = _due(con, now, cfg.send_batch_size)
        for start in range(0, len(due), RECHECK_BATCH):
            if not _send_batch(ctx, due[start : start + RECHECK_BATCH], now, recheck, last_sync, synced, invalid,
                               recompose, stop):  # fmt: skip
                break
    return report


@dataclass
class _Context:
    con: sqlite3.Connection
    server: SmtpServer
    mail_from: str
    from_name: str
    settings: ReminderSettings
    clock: Callable[[], datetime]
    report: SendReport
    smtp: Connection | None = None  # the batch's connection (one message per connection without it)


def _send_batch(
    ctx: _Context,
    queue_ids: list[int],
    now: datetime,
    recheck: Recheck,
    last_sync: LastSync,
    synced: dict[str, datetime | None],
    invalid: set[str],
    recompose: Recompose | None,
    stop: threading.Event | None,
) -> bool:
    """One batch: guard, one re-check read for all its rows, then each message over one SMTP
    connection. False when the run must end (stop requested, server down)."""
    fresh: list[QueueItem] = []
    for queue_id in queue_ids:
        item = read_item(ctx.con, queue_id)
        if item is None or item.state != "ready":
            continue
        if item.entity_id not in synced:
            synced[item.entity_id] = last_sync(item.entity_id)
        last = synced[item.entity_id]
        if last is None or now - last > ctx.settings.max_sync_age:
            _set_reason(ctx.con, item, stale_reason(item.entity_id, now=now, synced=last), ctx.report)
            continue
        fresh.append(item)
    if not fresh:
        return True
    amounts, read_at = _open_amounts(fresh, recheck), time.monotonic()
    with connection(ctx.server) as smtp:
        ctx.smtp = smtp
        try:
            for position, queued in enumerate(fresh):
                if stop is not None and stop.is_set():
                    ctx.report.stopped = True
                    return False
                item = read_item(ctx.con, queued.queue_id)  # a person may have skipped or postponed it meanwhile
                if item is None or item.state != "ready":
                    continue
                if time.monotonic() - read_at > RECHECK_MAX_AGE_S:  # a slow server: read the rest again
                    amounts, read_at = _open_amounts(fresh[position:], recheck), time.monotonic()
                checked = _recheck(ctx, item, amounts.get(item.entity_id, {}), recompose)
                if checked is None:
                    continue
                checked = _drop_invalid(ctx, checked, invalid)
                if checked is None:
                    continue
                if not _send_one(ctx, checked):
                    return False  # the server is down: the rest waits for the next run
        finally:
            ctx.smtp = None
    return True


def _open_amounts(items: list[QueueItem], recheck: Recheck) -> dict[str, Mapping[int, Decimal | None]]:
    """The open amounts of every invoice of `items`, one `recheck` call per entity."""
    wanted: dict[str, dict[int, None]] = {}
    for item in items:
        wanted.setdefault(item.entity_id, {}).update(dict.fromkeys(i.invoice_id for i in item.invoices))
    return {entity_id: recheck(entity_id, tuple(ids)) for entity_id, ids in wanted.items()}


def _due(con: sqlite3.Connection, now: datetime, limit: int) -> list[int]:
    """Ready rows whose window has come, oldest first (compared as datetimes: offsets differ)."""
    rows = con.execute(
        "SELECT queue_id, scheduled_for FROM reminder_queue WHERE state = 'ready' AND dry_run = 0"
    ).fetchall()
    due = sorted((datetime.fromisoformat(s), int(q)) for q, s in rows if datetime.fromisoformat(s) <= now)
    return [q for _, q in due[:limit]]


def _set_reason(con: sqlite3.Connection, item: QueueItem, reason: str, report: SendReport) -> None:
    """Why a ready row waits (no version bump: nothing a person decided changed)."""
    if item.reason != reason:
        with operations.transaction(con):
            con.execute(
                "UPDATE reminder_queue SET reason = ? WHERE queue_id = ? AND state = 'ready'", (reason, item.queue_id)
            )
    report.waiting[item.queue_id] = reason


def _close(ctx: _Context, item: QueueItem, state: str, reason: str, *, levels: str) -> None:
    """End a ready row without sending (cancelled or failed), freeing or keeping its levels."""
    now = ctx.clock().isoformat()
    with operations.transaction(ctx.con):
        ctx.con.execute(
            "UPDATE reminder_queue SET state = ?, reason = ?, updated_at = ?, version = version + 1"
            " WHERE queue_id = ? AND state = 'ready'",
            (state, reason, now, item.queue_id),
        )
        ctx.con.execute(
            "UPDATE reminder_invoice_levels SET state = ?, decided_at = ? WHERE queue_id = ? AND state = 'queued'",
            (levels, now, item.queue_id),
        )
    (ctx.report.cancelled if state == "cancelled" else ctx.report.failed)[item.queue_id] = reason


def _recheck(
    ctx: _Context, item: QueueItem, current: Mapping[int, Decimal | None], recompose: Recompose | None
) -> QueueItem | None:
    """The invoices as they are now (`current`, the batch's re-check): paid or blocked ones leave
    the message (levels freed); lowered amounts are re-rendered (or the message cancelled for the
    engine to redo)."""
    keep, drop, changed = [], [], False
    for invoice in item.invoices:
        amount = current.get(invoice.invoice_id)
        if amount is None or amount <= 0:
            drop.append(invoice.invoice_id)
        else:
            changed = changed or amount != invoice.amount_due
            keep.append(replace(invoice, amount_due=amount))
    if not keep:
        _close(ctx, item, "cancelled", NOTHING_LEFT, levels="released")
        return None
    if not drop and not changed:
        return item
    if recompose is None:
        _close(ctx, item, "cancelled", AMOUNTS_CHANGED, levels="released")
        return None
    updated = replace(item, invoices=tuple(keep), total_due=sum((i.amount_due for i in keep), Decimal(0)))
    composed = recompose(updated)
    updated = replace(updated, subject=composed.subject, body=composed.body, to=composed.to, cc=composed.cc)
    now = ctx.clock().isoformat()
    with operations.transaction(ctx.con):
        for invoice_id in drop:
            ctx.con.execute(
                "DELETE FROM reminder_queue_invoices WHERE queue_id = ? AND invoice_id = ?", (item.queue_id, invoice_id)
            )
            ctx.con.execute(
                "UPDATE reminder_invoice_levels SET state = 'released', decided_at = ?"
                " WHERE queue_id = ? AND invoice_id = ? AND state = 'queued'",
                (now, item.queue_id, invoice_id),
            )
        ctx.con.executemany(
            "UPDATE reminder_queue_invoices SET amount_due = ? WHERE queue_id = ? AND invoice_id = ?",
            [(str(i.amount_due), item.queue_id, i.invoice_id) for i in keep],
        )
        ctx.con.execute(
            "UPDATE reminder_queue SET subject = ?, body = ?, to_addresses = ?, cc_addresses = ?, total_due = ?,"
            " updated_at = ? WHERE queue_id = ?",
            (updated.subject, updated.body, json.dumps(list(updated.to)), json.dumps(list(updated.cc)),
             str(updated.total_due), now, item.queue_id),
        )  # fmt: skip
    return updated


def _drop_invalid(ctx: _Context, item: QueueItem, invalid: set[str]) -> QueueItem | None:
    to = tuple(a for a in item.to if a.lower() not in invalid)
    cc = tuple(a for a in item.cc if a.lower() not in invalid and a not in to)
    if not to and cc:
        to, cc = cc, ()
    if not to:
        _close(ctx, item, "failed", NO_VALID_ADDRESS, levels="released")
        return None
    return replace(item, to=to, cc=cc)


def _send_one(ctx: _Context, item: QueueItem) -> bool:
    """Record, send, mark. False when the server is unreachable (the row stays ready)."""
    token = secrets.token_hex(12)
    header_id = message_id(token, ctx.mail_from)
    now = ctx.clock()
    try:
        message = build_message(
            from_name=ctx.from_name, from_address=ctx.mail_from, reply_to=None, to=item.to, cc=item.cc,
            subject=item.subject, body=item.body, header_message_id=header_id, language=item.language, now=now,
        )  # fmt: skip
    except InvalidAddress as exc:
        _close(ctx, item, "failed", str(exc), levels="released")
        return True
    outgoing = history.Outgoing(
        token=token, header_message_id=header_id, kind="automatic", entity_id=item.entity_id,
        customer_id=item.customer_id, sender_email=SYSTEM_SENDER, sender_name=ctx.from_name,
        from_address=str(message["From"]), envelope_from=return_path(ctx.mail_from, token), subject=item.subject,
        body=item.body, language=item.language, to=item.to, cc=item.cc,
        invoices=tuple((i.invoice_id, None, i.amount_due) for i in item.invoices),
    )  # fmt: skip
    try:
        with operations.transaction(ctx.con):
            mid = history.insert_outgoing(ctx.con, outgoing, now=now)
            moved = ctx.con.execute(
                "UPDATE reminder_queue SET state = 'sending', message_id = ?, reason = NULL, updated_at = ?,"
                " version = version + 1 WHERE queue_id = ? AND state = 'ready'",
                (mid, now.isoformat(), item.queue_id),
            ).rowcount
            if not moved:
                raise _Changed
    except _Changed:  # a person skipped or postponed it meanwhile: the message row was rolled back
        return True
    return _converse(ctx, item.queue_id, mid, message, outgoing.envelope_from)


class _Changed(Exception):
    """The queue row left `ready` between the read and the write."""


def _converse(ctx: _Context, queue_id: int, mid: int, message: EmailMessage, envelope_from: str) -> bool:
    """The SMTP conversation for a row in `sending`, and its outcome recorded in one transaction."""
    recipients = [*_addresses(message, "To"), *_addresses(message, "Cc")]
    archive = ctx.settings.archive_address
    envelope = list(dict.fromkeys(recipients + ([archive] if archive else [])))
    try:
        if ctx.smtp is not None:
            delivery = ctx.smtp.send(message, envelope_from=envelope_from, recipients=envelope)
        else:
            delivery = send(message, ctx.server, envelope_from=envelope_from, recipients=envelope)
    except MailError as exc:
        _finish_failed(ctx, queue_id, mid, str(exc), exc.refused, transient=exc.transient)
        return not exc.transient
    refused = {a: r for a, r in delivery.refused.items() if a != archive}
    if all(a in refused for a in recipients):
        _finish_failed(ctx, queue_id, mid, "Le serveur a refusé tous les destinataires.", refused, transient=False)
        return True
    _finish_sent(ctx, queue_id, mid, refused)
    return True


def _addresses(message: EmailMessage, header: str) -> list[str]:
    value = message.get(header)
    return [a.addr_spec for a in value.addresses] if value is not None else []


def _finish_sent(ctx: _Context, queue_id: int, mid: int, refused: Mapping[str, str]) -> None:
    now = ctx.clock().isoformat()
    with operations.transaction(ctx.con):
        history.apply_sent(ctx.con, mid, now=ctx.clock(), refused=refused)
        ctx.con.execute(
            "UPDATE reminder_queue SET state = 'sent', reason = ?, updated_at = ?, version = version + 1"
            " WHERE queue_id = ? AND state = 'sending'",
            ("Non remis à : " + ", ".join(refused) if refused else None, now, queue_id),
        )
        ctx.con.execute(
            "UPDATE reminder_invoice_levels SET state = 'sent', sent_at = ?, decided_at = ?"
            " WHERE queue_id = ? AND state = 'queued'",
            (now, now, queue_id),
        )
    ctx.report.sent.append(queue_id)


def _finish_failed(
    ctx: _Context, queue_id: int, mid: int, reason: str, refused: Mapping[str, str], *, transient: bool
) -> None:
    """The message row is failed either way; the queue row waits (server down) or fails (levels freed)."""
    now = ctx.clock().isoformat()
    with operations.transaction(ctx.con):
        history.apply_failed(ctx.con, mid, reason=reason, refused=refused)
        if transient:
            ctx.con.execute(
                "UPDATE reminder_queue SET state = 'ready', message_id = NULL, reason = ?, updated_at = ?,"
                " version = version + 1 WHERE queue_id = ? AND state = 'sending'",
                (reason + " Nouvel essai au prochain passage.", now, queue_id),
            )
        else:
            ctx.con.execute(
                "UPDATE reminder_queue SET state = 'failed', reason = ?, updated_at = ?, version = version + 1"
                " WHERE queue_id = ? AND state = 'sending'",
                (reason, now, queue_id),
            )
            ctx.con.execute(
                "UPDATE reminder_invoice_levels SET state = 'released', decided_at = ? WHERE queue_id = ? AND state = 'queued'",
                (now, queue_id),
            )
    (ctx.report.waiting if transient else ctx.report.failed)[queue_id] = reason


# --- after a crash --------------------------------------------------------------------------------


def _recover(ctx: _Context, delivered: Delivered | None, *, resend: bool) -> None:
    rows = ctx.con.execute(
        "SELECT q.queue_id, q.message_id, m.header_message_id, m.state, m.envelope_from, m.subject, m.body,"
        " m.language, m.from_address FROM reminder_queue q LEFT JOIN messages m ON m.message_id = q.message_id"
        " WHERE q.state = 'sending' ORDER BY q.queue_id"
    ).fetchall()
    for queue_id, mid, header_id, state, envelope_from, subject, body, language, _from in rows:
        if mid is None:  # cannot happen (both are written together); be explicit anyway
            _fail_interrupted(ctx, queue_id, None)
        elif state in ("sent", "partly_sent"):
            _finish_sent(ctx, queue_id, mid, {})
            ctx.report.sent.remove(queue_id)
            ctx.report.recovered.append(queue_id)
        elif delivered is None:
            _fail_interrupted(ctx, queue_id, mid)
        elif delivered(header_id):
            log.info("relance %s retrouvée dans l'archive (%s) : marquée envoyée", queue_id, header_id)
            _finish_sent(ctx, queue_id, mid, {})
            ctx.report.sent.remove(queue_id)
            ctx.report.recovered.append(queue_id)
        elif resend:
            to = [
                r[0]
                for r in ctx.con.execute(
                    "SELECT address FROM message_recipients WHERE message_id = ? AND kind = 'to' ORDER BY rowid", (mid,)
                )
            ]
            cc = [r[0] for r in ctx.con.execute(
                "SELECT address FROM message_recipients WHERE message_id = ? AND kind = 'cc' ORDER BY rowid", (mid,))]  # fmt: skip
            message = build_message(
                from_name=ctx.from_name, from_address=ctx.mail_from, reply_to=None, to=to, cc=cc, subject=subject,
                body=body, header_message_id=header_id, language=language, now=ctx.clock(),
            )  # fmt: skip
            log.info("relance %s interrompue, absente de l'archive : renvoyée avec le même Message-ID", queue_id)
            before = len(ctx.report.sent)
            if not _converse(ctx, queue_id, mid, message, envelope_from):
                return  # server down: the row went back to ready, nothing else can leave
            if len(ctx.report.sent) > before:
                ctx.report.sent.pop()
                ctx.report.resent.append(queue_id)


def _fail_interrupted(ctx: _Context, queue_id: int, mid: int | None) -> None:
    now = ctx.clock().isoformat()
    with operations.transaction(ctx.con):
        if mid is not None:
            history.apply_failed(ctx.con, mid, reason=INTERRUPTED)
        # Levels stay 'queued': the message may have left; a person checks before anything is sent again.
        ctx.con.execute(
            "UPDATE reminder_queue SET state = 'failed', reason = ?, updated_at = ?, version = version + 1"
            " WHERE queue_id = ? AND state = 'sending'",
            (INTERRUPTED, now, queue_id),
        )
    ctx.report.failed[queue_id] = INTERRUPTED


def next_send_at(now: datetime, settings: ReminderSettings) -> datetime:
    """When the next run may send (for the scheduler and the job's message)."""
    return next_opening(now, settings)


# --- the stores' answers (what the job wires in) --------------------------------------------------

BLOCKED_STATUSES = ("disputed", "legal", "collected")
CLOSED_INVOICE_STATUSES = ("paid", "cancelled", "archived", "draft", "credit_note")
SYSTEM_SCOPE = Scope(email=SYSTEM_SENDER, role="admin", full_name="Envoi automatique")


def store_last_sync(paths: StorePaths) -> LastSync:
    """`last_sync(entity_id)`: the end of its last successful synchronisation (sync_runs)."""

    def last_sync(entity_id: str) -> datetime | None:
        with operations.session(paths) as con:
            row = con.execute(
                "SELECT max(finished_at) FROM sync_runs WHERE entity_id = ? AND status = 'success'", (entity_id,)
            ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    return last_sync


def store_recheck(paths: StorePaths, *, today: date) -> Recheck:
    """`recheck(entity_id, invoice_ids)`: each invoice's open amount as the last sync published it,
    None when it is paid, cancelled, disputed, on hold (until its date), in litigation or collected
    (the collectors' follow-ups are read live from the operational store)."""

    def recheck(entity_id: str, invoice_ids: tuple[int, ...]) -> Mapping[int, Decimal | None]:
        wanted = [int(i) for i in invoice_ids]
        with read_session(paths, SYSTEM_SCOPE, today=today) as duck:
            rows = duck.execute(
                "SELECT invoice_id, open_amount_eur, status FROM scoped_invoices"
                " WHERE entity_id = ? AND list_contains(?, invoice_id)",
                [entity_id, wanted],
            ).fetchall()
        amounts: dict[int, Decimal | None] = {i: None for i in wanted}
        for invoice_id, amount, status in rows:
            open_amount = Decimal(str(amount or 0))
            amounts[int(invoice_id)] = None if status in CLOSED_INVOICE_STATUSES or open_amount <= 0 else open_amount
        with operations.session(paths) as con:
            followups = con.execute(
                "SELECT invoice_id, internal_status, on_hold_until FROM invoice_followups"
                " WHERE entity_id = ? AND invoice_id IN (SELECT value FROM json_each(?))",
                (entity_id, json.dumps(wanted)),
            ).fetchall()
        for invoice_id, status, on_hold_until in followups:
            held = status == "on_hold" and (on_hold_until is None or date.fromisoformat(on_hold_until) > today)
            if status in BLOCKED_STATUSES or held:
                amounts[int(invoice_id)] = None
        return amounts

    return recheck
