"""The e-mail as sent, built with the standard `email` package.

User input never reaches a header as such: every text meant for a header (subject, display
names) has its control characters — CR, LF and the other line breaks — turned into spaces
before `email.headerregistry` encodes it, and every address must be a plain `local@domain`
(anything else, such as `a@b.example\\r\\nBcc: x`, is refused with a French message). An
injected "Bcc:" line therefore stays words in a subject, never a header.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from core.formatting import PARIS

_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_SPACES = re.compile(" {2,}")
# A deliberately plain address: ASCII local part and a dotted domain. The demo company's ledgers
# (like real ones) hold "compta@", "x@@y.example", "a@b.example;c@b.example": those are refused here.
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


_POLICY = email.policy.default.clone(max_line_length=998)
"""Headers folded at RFC 5322's hard limit, not at 78: Python's folding splits a French subject
into several encoded words and drops the space between them ("impayée –20,00 €" arrived for
"impayée – 20,00 €"); one encoded word up to 998 characters keeps it."""


class InvalidAddress(ValueError):
    """Not an e-mail address Encours sends to; the message is French, for the screen."""


def header_text(value: str) -> str:
    """`value` on one line: line breaks and other control characters become one space (the
    no-break spaces of French amounts stay)."""
    return _SPACES.sub(" ", _BREAKS.sub(" ", value)).strip(" ")


def is_address(value: str) -> bool:
    return bool(_ADDRESS.fullmatch(value))


def address(value: str, display_name: str = "") -> Address:
    """A checked address (surrounding spaces ignored); raises InvalidAddress."""
    spec = value.strip()
    if not is_address(spec):
        raise InvalidAddress(f"« {header_text(value)[:80]} » n'est pas une adresse e-mail valide.")
    return Address(display_name=header_text(display_name), addr_spec=spec)


def split_addresses(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The addresses typed in one field (separated by commas, semicolons or spaces):
    (valid ones without duplicates, in order; invalid ones)."""
    valid: list[str] = []
    invalid: list[str] = []
    for part in re.split(r"[,;\s]+", text):
        if not part:
            continue
        if not is_address(part):
            invalid.append(part)
        elif part.lower() not in {v.lower() for v in valid}:
            valid.append(part)
    return tuple(valid), tuple(invalid)


def message_id(token: str, from_address: str) -> str:
    """`<…encours-TOKEN@domain>`: the token identifies the message when a reply or a bounce quotes it."""
    domain = from_address.rsplit("@", 1)[-1]
    return make_msgid(idstring="encours-" + token, domain=domain)


def build_message(
    *,
    from_name: str,
    from_address: str,
    reply_to: str | None,
    to: Sequence[str],
    cc: Sequence[str],
    subject: str,
    body: str,
    header_message_id: str,
    language: str,
    now: datetime,
) -> EmailMessage:
    """The message, plain text in UTF-8. Raises InvalidAddress for a bad address."""
    msg = EmailMessage(policy=_POLICY)
    msg["From"] = address(from_address, from_name)
    msg["To"] = tuple(address(a) for a in to)
    if cc:
        msg["Cc"] = tuple(address(a) for a in cc)
    if reply_to:
        msg["Reply-To"] = address(reply_to, from_name)
    msg["Subject"] = header_text(subject)
    msg["Date"] = format_datetime(now.astimezone(PARIS))
    msg["Message-ID"] = header_message_id
    msg["Content-Language"] = language
    msg.set_content(body.replace("\r\n", "\n").replace("\r", "\n"), charset="utf-8")
    return msg
