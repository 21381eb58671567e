"""Registration numbers, VAT numbers, IBANs and UUIDs that pass their own checksums.

Validators downstream (and people reading the demo) notice a SIREN that fails Luhn or a
French VAT number whose key is wrong; drawing valid ones costs nothing.
"""

from __future__ import annotations

import random
import unicodedata


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def siren(rng: random.Random) -> str:
    """A 9-digit SIREN with a valid Luhn check digit."""
    body = str(rng.randint(30_000_000, 99_999_999))
    for check in range(10):
        if luhn_ok(body + str(check)):
            return body + str(check)
    raise AssertionError("unreachable: one Luhn digit always fits")


def french_vat(siren_number: str) -> str:
    """``FRkk`` + SIREN, with the official key ``(12 + 3 × (SIREN mod 97)) mod 97``."""
    key = (12 + 3 * (int(siren_number) % 97)) % 97
    return f"FR{key:02d}{siren_number}"


def uk_company(rng: random.Random) -> tuple[str, str]:
    """``(company number, VAT number)`` shaped like Companies House and HMRC ones."""
    return f"{rng.randint(1_000_000, 15_999_999):08d}", f"GB{rng.randint(100_000_000, 999_999_999)}"


def german_company(rng: random.Random) -> tuple[str, str]:
    """``(Handelsregister number, USt-IdNr.)``."""
    return f"HRB {rng.randint(10_000, 299_999)}", f"DE{rng.randint(100_000_000, 999_999_999)}"


def french_iban(rng: random.Random) -> str:
    """A French IBAN (bank, branch, account, RIB key) whose mod-97 check holds."""
    bank = f"{rng.randint(10_000, 30_099):05d}"
    branch = f"{rng.randint(0, 99_999):05d}"
    account = f"{rng.randint(0, 99_999_999_999):011d}"
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{rib_key:02d}"
    check = 98 - int(bban + "152700") % 97  # "FR00" moved to the end, letters as digits
    return f"FR{check:02d}{bban}"


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID string from the generator's own random stream."""
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def ascii_upper(text: str) -> str:
    """``"Lefèvre & Fils"`` → ``"LEFEVRE & FILS"``: how banks print payer names."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch)).upper()


def slug(text: str) -> str:
    """Lower-case ASCII letters and digits, words joined by ``-`` (for e-mail domains)."""
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_upper(text).lower()).split()
    return "-".join(words)
