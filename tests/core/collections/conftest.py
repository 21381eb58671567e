"""The hand-made cash book (tests/support/cash_book.py, today Wednesday 02/12/2026) with one
person per role: Rita (rep.a) has customers 1 and 2, Bob (rep.b) customers 2 and 3."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from core.access.permissions import Role
from core.formatting import PARIS
from core.scope import Scope, scope_of
from core.store import operations
from core.store.paths import StorePaths
from tests.support.cash_book import cash_book_store

PEOPLE = {
    Role.ADMIN: "admin@verdier.example",
    Role.MANAGEMENT: "dg@verdier.example",
    Role.ACCOUNTING: "compta@verdier.example",
    Role.TREASURY: "treso@verdier.example",
    Role.AGENCY_MANAGER: "dir.paris@verdier.example",
    Role.SALES_REP: "rep.b@verdier.example",
}
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=PARIS)


def add_people(paths) -> None:
    with operations.session(paths) as ops, operations.transaction(ops):
        ops.executemany(
            "INSERT INTO users (email, full_name, role, agency_id, active) VALUES (?, ?, ?, NULL, 1)",
            [
                ("dg@verdier.example", "Diane Générale", "management"),
                ("compta@verdier.example", "Claire Compta", "accounting"),
                ("treso@verdier.example", "Théo Tréso", "treasury"),
            ],
        )


@pytest.fixture(scope="session")
def _template(tmp_path_factory):
    paths = cash_book_store(tmp_path_factory.mktemp("collections"))
    add_people(paths)
    return paths


@pytest.fixture
def paths(_template, tmp_path):
    """A fresh copy of the published book and its operational store, per test (publishing is slow)."""
    shutil.copytree(_template.data_dir, tmp_path / "data")
    return StorePaths(tmp_path / "data")


def person(paths, role: Role) -> Scope:
    return scope_of(paths, PEOPLE[role])
