"""The delivery loop end to end: a reminder leaves through a real SMTP server, its bounce or
away reply comes back to the reminders' mailbox, and processing it attaches it to the right
message — a hard bounce also marks the address invalid, writes a note and puts a letter in the
print queue. Processing the mailbox again changes nothing."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

import pytest

from core.mail import history
from core.mail.drafts import draft_reminder
from core.mail.local_server import build_dsn, open_maildir, serving
from core.mail.mailbox import ImapSource, MaildirSource
from core.mail.manual import send_manual_reminder
from core.mail.message import build_message, message_id
from core.mail.smtp import SmtpServer, send
from core.mail.verp import return_path
from core.reminders.followup import process_mailbox
from core.store import operations
from core.store.paths import StorePaths
from tests.support.imap import dovecot
from tests.support.mail import MAIL_FROM, TODAY, mail_store, scope, sender, smtp_server
from tests.support.processes import free_port

SENT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


@pytest.fixture
def paths(tmp_path: Path) -> StorePaths:
    return mail_store(tmp_path)


def send_automatic(paths: StorePaths, server: SmtpServer, to: str) -> tuple[int, int]:
    """An automatic reminder as the queue sends it (queue row, message row, VERP, SMTP): ids."""
    token = secrets.token_hex(12)
    header_id = message_id(token, MAIL_FROM)
    envelope = return_path(MAIL_FROM, token)
    subject, body = "Relance : facture F-20 en retard", "Bonjour,\nla facture F-20 reste due.\n"
    msg = build_message(
        from_name="Verdier SAS", from_address=MAIL_FROM, reply_to=None, to=[to], cc=[], subject=subject,
        body=body, header_message_id=header_id, language="fr", now=SENT,
    )  # fmt: skip
    outgoing = history.Outgoing(
        token=token, header_message_id=header_id, kind="automatic", entity_id="alpha", customer_id=1,
        sender_email="systeme", sender_name="Verdier SAS", from_address=MAIL_FROM, envelope_from=envelope,
        subject=subject, body=body, language="fr", to=(to,), cc=(),
        invoices=((20, "F-20", Decimal("1234.56")), (21, "F-21", Decimal("300.00"))),
    )  # fmt: skip
    with operations.session(paths) as con:
        mid = history.record_outgoing(con, outgoing, now=SENT)
        with operations.transaction(con):
            queue_id = int(
                con.execute(
                    "INSERT INTO reminder_queue (entity_id, customer_id, plan_id, code, channel, language, state,"
                    " scheduled_for, subject, body, to_addresses, total_due, message_id, created_at, updated_at)"
                    " VALUES ('alpha', 1, 'fr', 'reminder_2', 'email', 'fr', 'sent', ?, ?, ?, ?, '1534.56', ?, ?, ?)",
                    (SENT.isoformat(), subject, body, f'["{to}"]', mid, SENT.isoformat(), SENT.isoformat()),
                ).lastrowid
                or 0
            )
            con.executemany(
                "INSERT INTO reminder_queue_invoices (queue_id, entity_id, invoice_id, code, amount_due, days_late)"
                " VALUES (?, 'alpha', ?, ?, ?, ?)",
                [(queue_id, 20, "reminder_2", "1234.56", 67), (queue_id, 21, "courtesy", "300.00", -8)],
            )
        send(msg, server, envelope_from=envelope, recipients=[to])
        history.mark_sent(con, mid, now=SENT, refused={})
    return mid, queue_id


def rows(paths: StorePaths, sql: str, *args: object) -> list[tuple]:
    with operations.session(paths) as con:
        return con.execute(sql, args).fetchall()


def test_a_hard_bounce_is_linked_marks_the_address_and_puts_a_letter_to_print(
    paths: StorePaths, tmp_path: Path
) -> None:
    bounces = tmp_path / "bounces"
    port = free_port()
    with serving(tmp_path / "outbox", port=port, bounces=bounces, clock=lambda: SENT):
        mid, queue_id = send_automatic(paths, SmtpServer("127.0.0.1", port, timeout_s=10), "compta@rebond.example")
        other, _ = send_automatic(paths, SmtpServer("127.0.0.1", port, timeout_s=10), "compta1@client.example")

    report = process_mailbox(paths, MaildirSource(bounces), now=LATER)

    assert report.read == 1 and report.kinds == {"hard_bounce": 1} and report.unmatched == 0
    assert report.invalid_addresses == ("compta@rebond.example",)
    [(event_id, kind, event_message, address, status)] = rows(
        paths, "SELECT event_id, kind, message_id, address, status_code FROM mailbox_events"
    )
    assert (kind, event_message, address, status) == ("hard_bounce", mid, "compta@rebond.example", "5.1.1")
    [(delivery, detail)] = rows(
        paths, "SELECT delivery_status, delivery_detail FROM messages WHERE message_id = ?", mid
    )
    assert delivery == "bounced" and detail.startswith("compta@rebond.example : Adresse en échec définitif")
    assert rows(paths, "SELECT delivery_status FROM messages WHERE message_id = ?", other) == [(None,)]
    # SMTP accepted it: the recipient row keeps saying so; the history shows the bounce beside it.
    assert rows(paths, "SELECT status FROM message_recipients WHERE message_id = ?", mid) == [("accepted",)]
    assert rows(paths, "SELECT address, event_id, cleared_at FROM invalid_addresses") == [
        ("compta@rebond.example", event_id, None)
    ]
    [letter] = rows(
        paths,
        "SELECT queue_id, customer_id, plan_id, code, channel, state, total_due, body FROM reminder_queue"
        " WHERE channel = 'letter'",
    )
    assert letter[1:] == (
        1,
        "fr",
        "reminder_2",
        "letter",
        "to_print",
        "1534.56",
        "Bonjour,\nla facture F-20 reste due.\n",
    )
    assert report.letters == (letter[0],)
    assert rows(
        paths,
        "SELECT invoice_id, code, amount_due, days_late FROM reminder_queue_invoices WHERE queue_id = ?",
        letter[0],
    ) == [(20, "reminder_2", "1234.56", 67), (21, "courtesy", "300.00", -8)]
    [(invoice, who, note)] = rows(paths, "SELECT invoice_id, written_by, body FROM collection_notes")
    assert invoice == 20 and who == "système"
    assert "compta@rebond.example" in note and "07/12/2026" in note and "lettre de relance est à imprimer" in note

    again = process_mailbox(paths, MaildirSource(bounces), now=LATER)
    assert again.read == 0
    assert len(rows(paths, "SELECT * FROM mailbox_events")) == 1
    assert len(rows(paths, "SELECT * FROM reminder_queue WHERE channel = 'letter'")) == 1
    assert len(rows(paths, "SELECT * FROM collection_notes")) == 1
    assert queue_id != letter[0]


def test_an_away_reply_gives_the_return_date_the_engine_postpones_to(paths: StorePaths, tmp_path: Path) -> None:
    bounces = tmp_path / "bounces"
    port = free_port()
    with serving(tmp_path / "outbox", port=port, bounces=bounces, clock=lambda: SENT):
        mid, _ = send_automatic(paths, SmtpServer("127.0.0.1", port, timeout_s=10), "compta@absent.example")

    report = process_mailbox(paths, MaildirSource(bounces), now=LATER)

    assert report.kinds == {"auto_reply": 1} and report.letters == () and report.invalid_addresses == ()
    assert rows(paths, "SELECT kind, message_id, address, return_date FROM mailbox_events") == [
        ("auto_reply", mid, "compta@absent.example", "2026-12-21")
    ]
    assert rows(paths, "SELECT delivery_status, delivery_detail FROM messages WHERE message_id = ?", mid) == [
        ("auto_reply", "Réponse automatique d'absence : de retour le 21/12/2026.")
    ]
    assert rows(paths, "SELECT COUNT(*) FROM invalid_addresses") == [(0,)]


def test_a_manual_reminder_bouncing_without_verp_is_found_by_its_message_id(paths: StorePaths, tmp_path: Path) -> None:
    user = scope(paths)
    with smtp_server(tmp_path / "outbox") as smtp:
        draft = draft_reminder(paths, user, "alpha", (20,), TODAY, sender(user))
        outcome = send_manual_reminder(paths, user, draft, now=SENT, server=smtp.server)
        [received] = smtp.received()
    raw = (tmp_path / "outbox" / "new" / received.key).read_bytes()
    dsn = build_dsn(raw, envelope_from=MAIL_FROM, recipient="compta1@client.example", now=LATER)
    inbox = tmp_path / "inbox"
    open_maildir(inbox).add(dsn.as_bytes())

    report = process_mailbox(paths, MaildirSource(inbox), now=LATER)

    assert report.kinds == {"hard_bounce": 1} and report.unmatched == 0
    assert rows(paths, "SELECT message_id FROM mailbox_events") == [(outcome.message_id,)]
    [(plan, code, state, total)] = rows(
        paths, "SELECT plan_id, code, state, total_due FROM reminder_queue WHERE channel = 'letter'"
    )
    assert (plan, code, state, Decimal(total)) == ("", "manual", "to_print", Decimal("1234.56"))


def test_a_reply_from_the_customer_marks_the_message_replied(paths: StorePaths, tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path / "outbox", port=port):
        mid, _ = send_automatic(paths, SmtpServer("127.0.0.1", port, timeout_s=10), "compta1@client.example")
    [(header_id,)] = rows(paths, "SELECT header_message_id FROM messages WHERE message_id = ?", mid)
    answer = EmailMessage()
    answer["From"] = "compta1@client.example"
    answer["To"] = MAIL_FROM
    answer["Subject"] = "RE: Relance : facture F-20 en retard"
    answer["Date"] = "Mon, 07 Dec 2026 11:00:00 +0100"
    answer["In-Reply-To"] = header_id
    answer.set_content("Bonjour, le virement est parti ce matin.")
    open_maildir(tmp_path / "inbox").add(answer.as_bytes())

    report = process_mailbox(paths, MaildirSource(tmp_path / "inbox"), now=LATER)

    assert report.kinds == {"reply": 1}
    assert rows(paths, "SELECT delivery_status FROM messages WHERE message_id = ?", mid) == [("replied",)]
    # the reply's own date is kept, not the time the mailbox was read
    assert rows(paths, "SELECT received_at FROM mailbox_events") == [("2026-12-07T11:00:00+01:00",)]


def test_bounces_and_replies_read_from_a_real_imap_server_once(paths: StorePaths, tmp_path: Path) -> None:
    outbox, bounced = tmp_path / "outbox", tmp_path / "bounces"
    port = free_port()
    with serving(outbox, port=port, bounces=bounced, clock=lambda: SENT):
        server = SmtpServer("127.0.0.1", port, timeout_s=10)
        bounced_id, _ = send_automatic(paths, server, "compta@rebond.example")
        away_id, _ = send_automatic(paths, server, "compta@absent.example")
    with dovecot() as imap:
        for _, _, msg in MaildirSource(bounced).read():
            imap.append(msg.as_bytes())
        source = ImapSource(imap.host, imap.port, imap.user, imap.password, "INBOX", "none")

        report = process_mailbox(paths, source, now=LATER)

        assert report.kinds == {"hard_bounce": 1, "auto_reply": 1} and len(report.letters) == 1
        assert imap.seen_uids() == {1, 2}
        assert sorted(rows(paths, "SELECT kind, message_id FROM mailbox_events")) == [
            ("auto_reply", away_id),
            ("hard_bounce", bounced_id),
        ]
        assert all(
            key.startswith("imap:127.0.0.1/INBOX") for (key,) in rows(paths, "SELECT source FROM mailbox_events")
        )
        assert process_mailbox(paths, source, now=LATER).read == 0


class CrashAfterFirst(MaildirSource):
    """The process dies right after the first message's transaction committed."""

    def mark_read(self, key: str) -> None:
        raise KeyboardInterrupt("killed")


def test_a_run_killed_midway_converges_on_the_next_run(paths: StorePaths, tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path / "outbox", port=port, bounces=tmp_path / "bounces", clock=lambda: SENT):
        server = SmtpServer("127.0.0.1", port, timeout_s=10)
        send_automatic(paths, server, "a@rebond.example")
        send_automatic(paths, server, "b@rebond.example")

    with pytest.raises(KeyboardInterrupt):
        process_mailbox(paths, CrashAfterFirst(tmp_path / "bounces"), now=LATER)
    assert len(rows(paths, "SELECT * FROM mailbox_events")) == 1
    report = process_mailbox(paths, MaildirSource(tmp_path / "bounces"), now=LATER)

    assert report.read == 1
    assert rows(paths, "SELECT COUNT(*) FROM mailbox_events") == [(2,)]
    assert rows(paths, "SELECT COUNT(*) FROM reminder_queue WHERE channel = 'letter'") == [(2,)]
    assert rows(paths, "SELECT COUNT(*) FROM invalid_addresses") == [(2,)]
