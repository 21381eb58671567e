"""The sender block of printed letters, per entity: postal address, the town the letter is dated
from, a contact line. Pennylane gives the entity's name and SIREN but no address for the company
itself, so an admin enters it once ("Plans de relance"); letters without one print name and SIREN."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from core.store import operations

MAX_LINES = 4
"""Address lines under the name (the window of a DL envelope shows six, name and town included)."""
MAX_LINE = 60


class LetterheadInvalid(ValueError):
    """What is wrong with a letterhead, in French."""


@dataclass(frozen=True)
class Letterhead:
    entity_id: str
    address_lines: tuple[str, ...] = ()
    place: str = ""
    contact: str = ""


def lines_of(text: str) -> tuple[str, ...]:
    """Non-empty stripped lines, as typed in a text area."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def validated(entity_id: str, address: str, place: str, contact: str) -> Letterhead:
    lines = lines_of(address)
    if len(lines) > MAX_LINES:
        raise LetterheadInvalid(f"l'adresse tient en {MAX_LINES} lignes au plus (elle en a {len(lines)})")
    for text in (*lines, place.strip(), contact.strip()):
        if len(text) > MAX_LINE:
            raise LetterheadInvalid(f"« {text[:20]}… » dépasse {MAX_LINE} caractères")
    return Letterhead(entity_id, lines, place.strip(), contact.strip())


def load_letterheads(con: sqlite3.Connection) -> dict[str, Letterhead]:
    return {
        str(e): Letterhead(str(e), lines_of(a), str(p), str(c))
        for e, a, p, c in con.execute("SELECT entity_id, address, place, contact FROM entity_letterheads")
    }


def save_letterhead(con: sqlite3.Connection, letterhead: Letterhead, *, by: str | None, now: datetime) -> None:
    with operations.transaction(con, revision=False):  # read directly by the letters, through no cache
        con.execute(
            "INSERT INTO entity_letterheads (entity_id, address, place, contact, updated_at, updated_by)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (entity_id) DO UPDATE SET address = excluded.address,"
            " place = excluded.place, contact = excluded.contact, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by",
            (letterhead.entity_id, "\n".join(letterhead.address_lines), letterhead.place, letterhead.contact,
             now.isoformat(), by),
        )  # fmt: skip


def seed_letterheads(con: sqlite3.Connection, letterheads: tuple[Letterhead, ...], *, now: datetime) -> None:
    """Letterheads for entities that have none yet (the demo's); an admin's are never replaced."""
    known = load_letterheads(con)
    for letterhead in letterheads:
        if letterhead.entity_id not in known:
            save_letterhead(con, letterhead, by=None, now=now)
