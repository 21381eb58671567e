"""The export log page (through app.py): an admin sees who exported what; others are refused."""

from datetime import datetime

from core.exports.audit import log_export
from core.formatting import PARIS
from core.scope import Scope
from tests.support.apptest import app_on
from tests.support.stores import seeded_store

PAGE = "pages/export_log.py"


def _as(monkeypatch, paths, email="admin@verdier.example"):
    return app_on(monkeypatch, paths, as_user=email).run().switch_page(PAGE).run()


def test_an_admin_sees_each_export_in_french(tmp_path, monkeypatch):
    paths = seeded_store(tmp_path)
    log_export(
        paths,
        Scope(email="rep.b@verdier.example", role="sales_rep"),
        now=datetime(2026, 12, 2, 14, 5, tzinfo=PARIS),
        list_kind="invoices",
        format="xlsx",
        filters={"agency": "lyon"},
        filters_text="Agence : Lyon",
        row_count=42,
        source="app",
    )
    at = _as(monkeypatch, paths)
    assert not at.exception and not at.error
    assert at.title[0].value == "Journal des exports"
    table = at.dataframe[0].value
    assert list(table.columns) == ["Date", "Utilisateur", "Rôle", "Liste", "Format", "Filtres", "Lignes", "Depuis"]
    assert table.iloc[0].tolist() == [
        "02/12/2026 à 14:05",
        "rep.b@verdier.example",
        "Chargé de clientèle",
        "Factures",
        "Excel",
        "Agence : Lyon",
        42,
        "Application",
    ]


def test_no_export_yet_says_so(tmp_path, monkeypatch):
    at = _as(monkeypatch, seeded_store(tmp_path))
    assert not at.exception and not at.dataframe
    assert "Aucun export pour l'instant" in at.info[0].value


def test_a_sales_rep_is_refused_and_sees_no_log(tmp_path, monkeypatch):
    paths = seeded_store(tmp_path)
    at = _as(monkeypatch, paths, "rep.b@verdier.example")
    assert "n'est pas ouverte à votre profil" in at.error[0].value
    assert not at.dataframe
