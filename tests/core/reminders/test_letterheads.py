"""Letterheads: what fits the sender block of a letter, and what does not, in French."""

import re

import pytest

from core.reminders.letterheads import MAX_LINE, LetterheadInvalid, validated


def test_blank_lines_and_spaces_are_dropped():
    head = validated("alpha", "  12 rue A \n\n 69002 LYON\n", " Lyon ", " Tél. 04 ")
    assert (head.address_lines, head.place, head.contact) == (("12 rue A", "69002 LYON"), "Lyon", "Tél. 04")


@pytest.mark.parametrize(
    ("address", "place", "message"),
    [
        ("a\nb\nc\nd\ne", "", "4 lignes au plus (elle en a 5)"),
        ("x" * (MAX_LINE + 1), "", f"dépasse {MAX_LINE} caractères"),
        ("1 rue A", "y" * (MAX_LINE + 1), f"dépasse {MAX_LINE} caractères"),
    ],
)
def test_what_does_not_fit_a_letter_is_refused_in_french(address, place, message):
    with pytest.raises(LetterheadInvalid, match=re.escape(message)):
        validated("alpha", address, place, "")
