"""The embedded SMTP server: aiosmtpd on 127.0.0.1, every message kept in a maildir.

`make run` starts it (`python -m jobs.mailserver`) when no SMTP server is configured, so a
newcomer sees a reminder leave Encours and arrive; the tests send to the same server. Like a
real delivery agent it adds `Return-Path` (the envelope sender, where bounces go) and
`X-Envelope-To` (every recipient of the SMTP envelope, copies included) on top of the message.

`refused` lists addresses the server answers `550 5.1.1` to (the failure tests; the demo's
bouncing addresses later).
"""

from __future__ import annotations

import logging
import mailbox
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

log = logging.getLogger("encours.mail.local_server")

LOCAL_HOST = "127.0.0.1"


def open_maildir(folder: Path) -> mailbox.Maildir:
    """The maildir at `folder`, created whole (Maildir(create=True) skips tmp/new/cur in an existing empty folder)."""
    for sub in ("tmp", "new", "cur"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(folder, factory=None, create=False)


class MaildirHandler:
    """aiosmtpd handler: accept, and add the raw message to the maildir."""

    def __init__(self, folder: Path, *, refused: Iterable[str] = ()) -> None:
        self.box = open_maildir(folder)
        self.refused = {a.lower() for a in refused}

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: adresse inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content or b""
        prefix = f"Return-Path: <{envelope.mail_from}>\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        self.box.add(prefix.encode("ascii", "replace") + raw)
        log.info("message reçu pour %s", ", ".join(envelope.rcpt_tos))
        return "250 2.0.0 Message accepted for delivery"


@contextmanager
def serving(
    folder: Path, *, port: int, host: str = LOCAL_HOST, refused: Iterable[str] = (), **smtp_options: Any
) -> Iterator[Controller]:
    """The server listening on `host:port` until the block ends (port 0 does not work: pick a free one).

    `smtp_options` go to aiosmtpd (`tls_context` + `require_starttls`, `ssl_context` for TLS from
    the start, `authenticator`…): the tests of STARTTLS, TLS and sign-in use them."""
    controller = Controller(MaildirHandler(folder, refused=refused), hostname=host, port=port, **smtp_options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()
