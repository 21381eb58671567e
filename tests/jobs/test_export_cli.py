"""`python -m jobs.export`: the same export as the page's buttons, in the scope of the user named,
recorded in the export log as 'cli'; French errors and exit 2 on what cannot be exported as asked."""

import csv
import io
import os
import subprocess
import sys

import pytest

from core.exports.audit import export_log
from core.formatting import paris_today
from core.lists.filters import from_query
from core.lists.invoices import query_page
from core.scope import everything, scope_of
from jobs import exit_codes
from jobs.export import main
from tests.conftest import ROOT
from tests.support.invoice_book import CUSTOMERS, invoice_book_store, portfolio


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return invoice_book_store(tmp_path_factory.mktemp("book"))


@pytest.fixture
def env(book, monkeypatch):
    monkeypatch.setenv("ENCOURS_DATA_DIR", str(book.data_dir))
    monkeypatch.delenv("PENNYLANE_API_TOKEN", raising=False)
    monkeypatch.delenv("ENCOURS_ENTITIES", raising=False)
    return book


def _csv_numbers(path):
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    return [r[0] for r in rows[1:] if r and r[0].startswith("F-")]


def test_a_filtered_export_as_a_command_writes_the_whole_set_and_is_logged(env, tmp_path):
    out = tmp_path / "lyon.csv"
    code = main(["--list", "invoices", "--filters", "agence=lyon&agence=paris&retard_min=20&tri=-montant",
                 "--format", "csv", "--as", "admin@verdier.example", "--out", str(out)])  # fmt: skip
    assert code == exit_codes.OK
    filters, _ = from_query({"agence": ["lyon", "paris"], "retard_min": ["20"], "tri": ["-montant"]})
    expected = query_page(env, everything(), filters, today=paris_today(), page_size=1000).rows
    assert _csv_numbers(out) == [r.invoice_number for r in expected] and expected
    assert not list(tmp_path.glob("*.partial"))
    latest = export_log(env, scope_of(env, "admin@verdier.example"))[0]
    assert (latest.email, latest.list_kind, latest.format, latest.source) == (
        "admin@verdier.example",
        "invoices",
        "csv",
        "cli",
    )
    assert latest.row_count == len(expected) and "Agence Lyon" in latest.filters_text


def test_a_sales_rep_s_export_holds_only_their_portfolio(env, tmp_path):
    out = tmp_path / "clients.xlsx"
    assert main(["--list", "customers", "--format", "xlsx", "--as", "rep.c@verdier.example", "--out", str(out)]) == 0
    from openpyxl import load_workbook

    names = {row[0] for row in load_workbook(out, read_only=True).active.iter_rows(min_row=2, values_only=True)}
    allowed = {CUSTOMERS[e][c] for e, c in portfolio("rep.c@verdier.example")}
    assert allowed <= names and not (set(CUSTOMERS["alpha"].values()) & names)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--list", "invoices", "--filters", "retard_min=-3"], "retard_min"),
        (["--list", "invoices", "--filters", "agence=lyon&pays=fr"], "pays"),
        (["--list", "invoices", "--filters", "montant_min=9&montant_max=1"], "minimum"),
        (["--list", "factures"], "Liste inconnue"),
        (["--list", "invoices", "--format", "docx"], "Format d'export inconnu"),
        (["--list", "invoices", "--as", "personne@verdier.example"], "Aucun utilisateur actif"),
    ],
    ids=["bad-value", "unknown-parameter", "min-above-max", "list", "format", "user"],
)
def test_what_cannot_be_exported_as_asked_exits_2_in_french_and_writes_nothing(env, tmp_path, capsys, args, says):
    defaults = {"--format": "pdf", "--as": "admin@verdier.example", "--out": str(tmp_path / "x.pdf")}
    for flag, value in defaults.items():
        if flag not in args:
            args = [*args, flag, value]
    assert main(args) == exit_codes.CONFIG
    assert says in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_module_runs_as_a_command(env, tmp_path):
    out = tmp_path / "f.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "jobs.export", "--list", "invoices", "--filters", "statut=overdue", "--format", "pdf",
         "--as", "dir.paris@verdier.example", "--out", str(out)],
        cwd=ROOT, env={**os.environ}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
