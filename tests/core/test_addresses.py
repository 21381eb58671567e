"""Postal lines: the customer's billing address as La Poste reads it (letters, customer page)."""

import pytest

from core.addresses import postal_lines


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        (("12 rue des Lilas", "69003", "Lyon", "FR"), ("12 rue des Lilas", "69003 LYON")),
        (("Bât. B\n  3 allée Verte ", "33000", "Bordeaux", None), ("Bât. B", "3 allée Verte", "33000 BORDEAUX")),
        (("221 Baker Street", "NW1 6XE", "London", "GB"), ("221 Baker Street", "LONDON", "NW1 6XE", "ROYAUME-UNI")),
        (("Hauptstraße 5", "10115", "Berlin", "DE"), ("Hauptstraße 5", "10115 BERLIN", "ALLEMAGNE")),
        ((None, None, "Genève", "CH"), ("GENÈVE", "SUISSE")),
        (("1 Main St", "10001", "New York", "US"), ("1 Main St", "10001 NEW YORK", "ÉTATS-UNIS")),
        ((None, None, None, "FR"), ()),
        (("5 rue Haute", "1000", "Bruxelles", " be "), ("5 rue Haute", "1000 BRUXELLES", "BELGIQUE")),
    ],
)
def test_the_recipient_address_is_laid_out_as_la_poste_reads_it(address, lines):
    assert postal_lines(*address) == lines
