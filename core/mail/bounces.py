"""Bounces: which address failed, for good or for now, and which of our messages it was.

Standard reports (RFC 3464, `multipart/report; report-type=delivery-status`) are read here,
block by block: `Status: 5.x.x` is a hard bounce, `4.x.x` or `Action: delayed` a soft one.
The rest (old Postfix, Exim, qmail…) goes through `flufl.bounce.all_failures`, which finds the
address but calls every heuristic match "permanent" — even Exim's delay warnings (STACK-NOTES):
the kind is decided here, from a status code in the text and from "delayed" subjects.

The message is named by its token: the VERP return path the bounce was sent back to first
(recoverable in 9/9 samples), then our Message-ID quoted in the report (7/9).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message

from flufl.bounce import all_failures

from core.mail.verp import token_from_address, token_from_message_id

HARD, SOFT = "hard_bounce", "soft_bounce"

_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_DELAY_SUBJECT = re.compile(
    r"delayed|delay|warning:.*(?:not yet|delayed)|still being retried|retard|différé|en attente",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status|failure|has failed|failed)|mail delivery|failure notice|"
    r"returned mail|returning message|delivery problem|non remis|remise impossible|échec de (?:la )?remise|"
    r"could not be delivered|delayed mail|message delayed",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"mailer-daemon|postmaster|mail delivery (?:system|subsystem)", re.IGNORECASE)
_DELAYED_BODY = re.compile(r"has been delayed|not yet been delivered|will (?:keep|continue) (?:trying|to try)", re.I)

# Status detail (the x.Y.Z part without the class) → French, for the history.
_DETAILS = {
    "1.1": "adresse inconnue du serveur destinataire",
    "1.10": "adresse inexistante chez le destinataire",
    "1.2": "domaine du destinataire introuvable",
    "1.3": "adresse du destinataire mal formée",
    "1.6": "la boîte du destinataire a été déplacée",
    "2.1": "boîte du destinataire désactivée",
    "2.2": "boîte du destinataire pleine",
    "3.2": "serveur destinataire indisponible",
    "4.1": "serveur destinataire injoignable",
    "4.4": "serveur destinataire injoignable",
    "4.7": "délai de remise dépassé",
    "7.1": "message refusé par le serveur destinataire",
}


@dataclass(frozen=True)
class Bounce:
    """A failed delivery. `detail` is French, short, for the message's history."""

    kind: str  # HARD | SOFT
    addresses: tuple[str, ...]
    status_code: str | None  # '5.1.1'
    detail: str
    token: str | None  # the token of our message (core.mail.verp), when the bounce names it

    @property
    def hard(self) -> bool:
        return self.kind == HARD


def classify(msg: EmailMessage) -> Bounce | None:
    """The bounce `msg` is, or None when it is not one (a reply, an out-of-office…)."""
    report = _delivery_status(msg)
    if report is not None:
        found = _from_report(report, _subject(msg))
    elif _looks_like_bounce(msg):
        found = _from_heuristics(msg)
    else:
        return None
    if found is None:
        return None
    kind, addresses, status = found
    return Bounce(kind, addresses, status, _detail(kind, status), token_of(msg))


def token_of(msg: Message) -> str | None:
    """Our message's token: the VERP address the report came back to, else in the quoted original."""
    for header in ("X-Original-To", "Delivered-To", "X-Envelope-To", "To", "Envelope-To"):
        for value in msg.get_all(header, []):
            token = token_from_address(str(value))
            if token:
                return token
    text = _all_text(msg)
    token = token_from_address(text)
    if token:
        return token
    own = str(msg.get("Message-ID", ""))
    for header in ("In-Reply-To", "References"):
        token = token_from_message_id(str(msg.get(header, "")))
        if token:
            return token
    return token_from_message_id(text.replace(own, "") if own else text)


def _subject(msg: Message) -> str:
    return " ".join(str(msg.get("Subject", "")).split())


def _delivery_status(msg: Message) -> Message | None:
    if msg.get_content_type() != "multipart/report":
        return None
    if str(msg.get_param("report-type", "")).lower() != "delivery-status":
        return None
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            return part
    return None


def _from_report(report: Message, subject: str) -> tuple[str, tuple[str, ...], str | None] | None:
    blocks = report.get_payload()
    if not isinstance(blocks, list):
        return None
    hard: list[tuple[str, str | None]] = []
    soft: list[tuple[str, str | None]] = []
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        if not isinstance(block, Message):
            continue
        action = str(block.get("Action", "")).strip().lower()
        if action in ("delivered", "relayed", "expanded"):
            continue
        recipient = _recipient(block)
        if not recipient:
            continue
        match = _STATUS.search(str(block.get("Status", "")))
        status = ".".join(match.groups()) if match else None
        if action == "delayed" or (status or "").startswith("4"):
            soft.append((recipient, status))
        elif status is None and _DELAY_SUBJECT.search(subject):
            soft.append((recipient, status))
        else:
            hard.append((recipient, status))
    chosen = hard or soft
    if not chosen:
        return None
    addresses = tuple(dict.fromkeys(a for a, _ in chosen))
    return (HARD if hard else SOFT), addresses, next((s for _, s in chosen if s), None)


def _recipient(block: Message) -> str:
    for header in ("Original-Recipient", "Final-Recipient"):
        value = str(block.get(header, "")).strip()
        if value:
            _, _, address = value.rpartition(";")
            address = address.strip().strip("<>").strip()
            if "@" in address:
                return address
    return ""


def _looks_like_bounce(msg: Message) -> bool:
    """Only reports go to the heuristics: they would take an away message quoting an address for one."""
    sender = str(msg.get("From", "")) + " " + str(msg.get("Return-Path", ""))
    return bool(
        _DAEMON.search(sender)
        or str(msg.get("Return-Path", "")).strip() == "<>"
        or _BOUNCE_SUBJECT.search(_subject(msg))
    )


def _from_heuristics(msg: Message) -> tuple[str, tuple[str, ...], str | None] | None:
    temporary, permanent = all_failures(msg)
    found = sorted({a.decode("utf-8", "replace").strip().strip("<>") for a in (temporary | permanent)})
    addresses = tuple(a for a in found if "@" in a and not token_from_address(a))
    if not addresses:
        return None
    text = _all_text(msg, skip_original=True)
    match = _STATUS.search(text)
    status = ".".join(match.groups()) if match else None
    delayed = bool(_DELAY_SUBJECT.search(_subject(msg)) or _DELAYED_BODY.search(text))
    if status and status.startswith("5") and not delayed:
        return HARD, addresses, status
    if delayed or (status or "").startswith("4") or (temporary and not permanent):
        return SOFT, addresses, status
    return HARD, addresses, status


def _all_text(msg: Message, *, skip_original: bool = False) -> str:
    """The text of every part (quoted headers included), for tokens and status codes."""
    out: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if skip_original and ctype in ("message/rfc822", "text/rfc822-headers"):
            break
        if ctype in ("message/rfc822", "message/delivery-status"):
            payload = part.get_payload()
            for sub in payload if isinstance(payload, list) else []:
                if isinstance(sub, Message):
                    out.extend(f"{k}: {v}" for k, v in sub.items())
            continue
        if part.get_content_maintype() != "text":
            continue
        raw = part.get_payload(decode=True)
        if isinstance(raw, bytes):
            out.append(raw.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(out)


def _detail(kind: str, status: str | None) -> str:
    if kind == SOFT and status is None:
        return "Remise retardée : le serveur destinataire réessaie."
    known = _DETAILS.get(status.split(".", 1)[1], "") if status else ""
    if kind == HARD:
        text = f"Adresse en échec définitif : {known}" if known else "Adresse en échec définitif"
    else:
        text = f"Remise retardée : {known}" if known else "Remise retardée : le serveur destinataire réessaie"
    return f"{text} ({status})." if status else f"{text}."
