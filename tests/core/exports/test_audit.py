"""The export log: a record per export, written in the caller's transaction, read by admins only."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.access.permissions import Forbidden
from core.exports.audit import export_log, log_export, record_export
from core.formatting import PARIS
from core.scope import Scope
from core.store import operations
from tests.support.stores import seeded_store

ADMIN = Scope(email="admin@verdier.example", role="admin", full_name="Adèle Admin")
REP = Scope(email="rep.b@verdier.example", role="sales_rep", full_name="Bruno Rep", customers=frozenset())
NOW = datetime(2026, 12, 2, 14, 5, tzinfo=PARIS)
FILTERS = {"agency": "lyon", "amount_min": "5000", "q": "l'Œuf; DROP TABLE --"}


@pytest.fixture
def paths(tmp_path):
    return seeded_store(tmp_path)


def _log(paths, scope=REP, **changes):
    values = dict(
        now=NOW,
        list_kind="invoices",
        format="pdf",
        filters=FILTERS,
        filters_text="Agence : Lyon · Montant ≥ 5 000,00 €",
        row_count=1234,
        source="app",
    )
    log_export(paths, scope, **(values | changes))


def test_an_export_is_recorded_and_the_admin_reads_it(paths):
    _log(paths)
    _log(paths, ADMIN, now=NOW.replace(hour=15), format="xlsx", list_kind="customers", source="cli", filters={})
    latest, first = export_log(paths, ADMIN)
    assert (latest.email, latest.format_label, latest.list_label, latest.source_label) == (
        "admin@verdier.example",
        "Excel",
        "Clients",
        "Ligne de commande",
    )
    assert (first.email, first.role, first.row_count, first.format) == (
        "rep.b@verdier.example",
        "sales_rep",
        1234,
        "pdf",
    )
    assert first.filters == FILTERS and first.filters_text.startswith("Agence : Lyon")
    assert first.exported_at == NOW


def test_only_an_admin_reads_the_log(paths):
    _log(paths)
    for role in ("management", "accounting", "treasury", "agency_manager", "sales_rep"):
        with pytest.raises(Forbidden, match="ne permet pas"):
            export_log(paths, Scope(email="x@verdier.example", role=role))


def test_the_record_is_part_of_the_callers_transaction(paths):
    with operations.session(paths) as ops:
        with pytest.raises(RuntimeError), operations.transaction(ops):
            record_export(
                ops, REP, now=NOW, list_kind="invoices", format="csv", filters={}, filters_text="", row_count=0,
                source="app",
            )  # fmt: skip
            raise RuntimeError("the export failed after all")
    assert export_log(paths, ADMIN) == []


def test_unknown_kinds_formats_and_sources_are_refused(paths):
    for change in ({"list_kind": "payments"}, {"format": "docx"}, {"source": "api"}):
        with pytest.raises(ValueError):
            _log(paths, **change)
    assert export_log(paths, ADMIN) == []
