"""A seeded group (tests/support/stores.py) and, for the import, a second entity sharing names."""

from __future__ import annotations

import pytest

from core.ingestion.batches import batch_from_directory
from core.ingestion.runs import publish_batches
from core.scope import scope_of
from core.store import operations
from core.store.paths import StorePaths
from tests.support import records as r
from tests.support.stores import NOW, ORGANISATION, small_entity

ADMIN = "admin@verdier.example"
REP_A = "rep.a@verdier.example"
REP_B = "rep.b@verdier.example"
DIRECTOR = "dir.paris@verdier.example"


@pytest.fixture
def paths(tmp_path) -> StorePaths:
    return two_entities(tmp_path)


def two_entities(tmp_path) -> StorePaths:
    """The seeded group plus a second entity. Alpha SAS (customers 1 Boulangerie Lefèvre/C1, 2 Transports Morel/C2, 3 Garage Petit/C3)
    and Beta SARL (20 Boulangerie Lefèvre/B20, 21 and 22 both Café du Port)."""
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    beta = r.write_entity(
        tmp_path / "source",
        "beta",
        customers=[
            r.customer(20, reference="B20"),
            r.customer(21, name="Café du Port", reference="B21"),
            r.customer(22, name="Café du Port", reference="B22"),
        ],
        invoices=[],
        lines=[],
    )
    batches = [
        batch_from_directory(small_entity(tmp_path / "source"), "alpha", "Alpha SAS"),
        batch_from_directory(beta, "beta", "Beta SARL"),
    ]
    publish_batches(paths, batches, now=NOW, source="files")
    return paths


@pytest.fixture
def admin(paths):
    return scope_of(paths, ADMIN)


def assignments(paths: StorePaths) -> list[tuple[str, int, str, int]]:
    """Every customer_managers row, sorted: what the assignments are."""
    with operations.session(paths) as ops:
        return sorted(ops.execute("SELECT entity_id, customer_id, email, is_primary FROM customer_managers"))


def changes(paths: StorePaths) -> list[tuple[str, str, str, str]]:
    """(changed_by, kind, subject, detail) of every history row, oldest first."""
    with operations.session(paths) as ops:
        return ops.execute(
            "SELECT changed_by, kind, subject, detail FROM organisation_changes ORDER BY change_id"
        ).fetchall()
