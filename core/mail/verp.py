"""Where a reminder's bounces return: a VERP return path that carries the message's token.

`relances@groupe.example` sends with the envelope sender `relances+encours-TOKEN@groupe.example`:
a bounce comes back to that address whatever the remote server quotes of the original, and the
token names the message (STACK-NOTES: recoverable in 9/9 bounce samples, the Message-ID in 7/9,
so the token is in the Message-ID as well and both are tried).
"""

from __future__ import annotations

import re

_TOKEN = r"encours-([0-9a-f]{16,64})"
_IN_ADDRESS = re.compile(r"\+" + _TOKEN + r"@", re.IGNORECASE)
_IN_MESSAGE_ID = re.compile(r"[.<]" + _TOKEN + r"@", re.IGNORECASE)


def return_path(from_address: str, token: str) -> str:
    """The envelope sender for the message `token` sent from `from_address`."""
    local, _, domain = from_address.strip().rpartition("@")
    local = local.split("+", 1)[0]  # an address already tagged keeps one tag: ours
    return f"{local}+encours-{token}@{domain}"


def token_from_address(value: str) -> str | None:
    """The token of a VERP return path (as a bounce's recipient or Delivered-To), else None."""
    found = _IN_ADDRESS.search(value or "")
    return found.group(1).lower() if found else None


def token_from_message_id(value: str) -> str | None:
    """The token in one of our Message-IDs (as In-Reply-To, References or a quoted header), else None."""
    found = _IN_MESSAGE_ID.search(value or "")
    return found.group(1).lower() if found else None
