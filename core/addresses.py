"""Postal addresses as La Poste reads them: what a letter's window shows and the customer page
repeats, from the billing address Pennylane holds for the customer."""

from __future__ import annotations

from babel import Locale

_COUNTRY_NAMES = Locale("fr").territories
"""Country names in French (Babel's CLDR data): La Poste asks for the country in capitals, in French."""


def postal_lines(street: str | None, postal_code: str | None, city: str | None, country: str | None) -> tuple[str, ...]:
    """The address lines under the recipient's name, as La Poste reads them (NF Z10-011): the
    street lines, then the postal code and the town in capitals (a British postcode on its own
    line after the town), then, abroad, the country in French capitals. Missing parts are left
    out: a letter with a partial address still prints, and the screen shows what is there."""
    country = (country or "").strip().upper() or None
    lines = [line.strip() for line in (street or "").splitlines() if line.strip()]
    town = (city or "").strip().upper()
    code = (postal_code or "").strip()
    if country == "GB":
        lines += [part for part in (town, code) if part]
    elif code or town:
        lines.append(" ".join(part for part in (code, town) if part))
    if country and country != "FR":
        lines.append(str(_COUNTRY_NAMES.get(country, country)).upper())
    return tuple(lines)
