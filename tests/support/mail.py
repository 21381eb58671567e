"""E-mail tests: a store whose customers have known e-mails and languages, and a real SMTP
server (aiosmtpd, the embedded one) on a free port, keeping what it receives in a maildir."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from core.config import MailSettings
from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.mail.drafts import Sender
from core.mail.local_server import serving
from core.mail.received import ReceivedMessage, received_messages
from core.mail.smtp import SmtpServer
from core.scope import Scope, scope_of
from core.store import operations
from core.store.paths import StorePaths
from tests.support import records as r
from tests.support.processes import free_port
from tests.support.stores import ORGANISATION

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
ADMIN = "admin@verdier.example"
COLLECTOR = "compta@verdier.example"  # accounting: sends reminders, sees every customer
MAIL_FROM = "relances@verdier.example"


def mail_store(tmp_path: Path) -> StorePaths:
    """Customer 1 (French, rep.a's, one broken address), 2 (English), 3 (rep.b's, Lyon).

    Invoice 20: 1 234,56 € open, due 01/10/2026 (52 days late on TODAY); 21: 300 € not yet due;
    22: customer 2's 99,90 €; 23: customer 3's; 24: customer 1's, paid.
    """
    paths = StorePaths(tmp_path / "data").ensure()
    organisation = {
        **ORGANISATION,
        "users": [
            *ORGANISATION["users"],
            {"email": COLLECTOR, "full_name": "Claire Compta", "role": "accounting", "agency_id": None},
        ],
    }
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, organisation)
    entity = r.write_entity(
        tmp_path / "source",
        "alpha",
        customers=[
            r.customer(1, emails=["compta1@client.example", "compta@"]),
            r.customer(2, name="Morel Transport Ltd", emails=["accounts@morel.example"], billing_language="en_GB"),
            r.customer(3, name="Garage Petit"),
        ],
        invoices=[
            r.invoice(20, 1, "1234.56", date="2026-09-01", deadline="2026-10-01"),
            r.invoice(21, 1, "300.00", date="2026-11-15", deadline="2026-12-15"),
            r.invoice(22, 2, "99.90", date="2026-09-10", deadline="2026-10-10"),
            r.invoice(23, 3, "50.00"),
            r.invoice(24, 1, "80.00", remaining="0.00", status="paid"),
        ],
        lines=[
            r.line(100, account=9001, entry=50024, date="2026-09-01", debit="80.00", lettered=[100, 101]),
            r.line(101, account=9001, entry=7001, date="2026-09-20", credit="80.00", lettered=[100, 101]),
        ],
    )
    publish_batches(paths, [batch_from_directory(entity, "alpha", "Alpha SAS")], now=NOW, source="files")
    return paths


def scope(paths: StorePaths, email: str = COLLECTOR) -> Scope:
    return scope_of(paths, email)


def sender(user: Scope) -> Sender:
    return Sender.of(user, MailSettings(mail_from=MAIL_FROM))


@dataclass(frozen=True)
class LocalSmtp:
    port: int
    maildir: Path

    @property
    def server(self) -> SmtpServer:
        return SmtpServer("127.0.0.1", self.port, timeout_s=10)

    def received(self) -> list[ReceivedMessage]:
        return received_messages(self.maildir)


@contextmanager
def smtp_server(maildir: Path, *, refused: Iterable[str] = ()) -> Iterator[LocalSmtp]:
    """The embedded SMTP server, in this process, on a free port."""
    port = free_port()
    with serving(maildir, port=port, refused=refused):
        yield LocalSmtp(port, maildir)
