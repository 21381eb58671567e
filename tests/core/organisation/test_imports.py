"""Import of assignments (issue 8 acceptance): a Windows-1252 CSV with `;`, unknown customers and
e-mails, duplicate rows, and an .xlsx; the preview is right, every rejected row is reported with
its line and reason, and a failure midway leaves the assignments as they were."""

import sqlite3

import openpyxl
import pytest

from core.organisation import imports, people
from core.organisation.changes import InvalidChange
from core.scope import scope_of
from core.store import operations
from tests.core.organisation.conftest import ADMIN, REP_A, REP_B, assignments, changes
from tests.support.stores import NOW

TODAY = NOW.date()
REP_C = "rep.c@verdier.example"

CSV_LINES = [
    "Identifiant Pennylane;Référence;Client;Entité;E-mail du chargé",  # 1
    ";;Garage Petit;;rep.a@verdier.example",  # 2 add alpha/3
    "2;;;;rep.a@verdier.example",  # 3 already there
    ";C1;;;REP.B@verdier.example",  # 4 add alpha/1 (e-mail case ignored)
    ";;Société Inconnue;;rep.a@verdier.example",  # 5 no customer
    ";;Boulangerie Lefèvre;;rep.a@verdier.example",  # 6 two entities
    ";;boulangerie lefevre;Beta SARL;rep.a@verdier.example",  # 7 add beta/20
    ";;Garage Petit;;inconnu@verdier.example",  # 8 unknown e-mail
    ";;Garage Petit;;rep.c@verdier.example",  # 9 deactivated
    ";;GARAGE PETIT;;rep.a@verdier.example",  # 10 duplicate of 2
    ";;Café du Port;;rep.a@verdier.example",  # 11 two customers, one entity
    ";;;;rep.a@verdier.example",  # 12 no customer given
    "1;;;;",  # 13 no e-mail given
    "",  # 14 blank: skipped
    ";;Garage Petit;Gamma;rep.a@verdier.example",  # 15 unknown entity
    "999;;;;admin@verdier.example",  # 16 both wrong
]

EXPECTED_REJECTS = [
    (5, "aucun client ne correspond à client « Société Inconnue »"),
    (6, "2 clients correspondent à client « Boulangerie Lefèvre » (Alpha SAS, Beta SARL) : précisez l'entité"),
    (8, "e-mail inconnu : aucun utilisateur « inconnu@verdier.example »"),
    (9, "Claire Roux (rep.c@verdier.example) est désactivé"),
    (10, "doublon de la ligne 2"),
    (11, "2 clients correspondent à client « Café du Port » (Beta SARL) : utilisez l'identifiant"),
    (12, "client non renseigné (identifiant Pennylane, référence ou nom)"),
    (13, "e-mail du chargé non renseigné"),
    (15, "entité inconnue « Gamma »"),
    (
        16,
        "aucun client ne correspond à identifiant pennylane « 999 » ; "
        "Ada Admin (admin@verdier.example) n'est pas chargé de clientèle",
    ),
]


@pytest.fixture
def admin(paths, admin):
    """The admin, with a deactivated sales rep in the store."""
    people.create_user(paths, admin, email=REP_C, full_name="Claire Roux", role="sales_rep", agency_id="paris", now=NOW)
    people.deactivate(paths, admin, REP_C, now=NOW)
    return admin


def _cp1252_csv(tmp_path):
    path = tmp_path / "portefeuilles.csv"
    path.write_text("\r\n".join(CSV_LINES) + "\r\n", encoding="cp1252")
    return path.read_bytes()


def _summary(plan):
    def pairs(rows):
        return [(a.line, a.entity_id, a.customer_id, a.email) for a in rows]

    return pairs(plan.to_add), pairs(plan.present), [(r.line, r.reason) for r in plan.rejected]


def test_a_windows_1252_csv_with_semicolons_is_previewed_row_by_row(paths, admin, tmp_path):
    data = _cp1252_csv(tmp_path)
    assert "Société".encode("cp1252") in data  # really Windows-1252, not UTF-8
    before = assignments(paths)
    plan = imports.preview(paths, admin, "portefeuilles.csv", data, today=TODAY)
    assert plan.reading == "CSV Windows-1252, séparateur « ; »"
    to_add, present, rejected = _summary(plan)
    assert to_add == [(2, "alpha", 3, REP_A), (4, "alpha", 1, REP_B), (7, "beta", 20, REP_A)]
    assert present == [(3, "alpha", 2, REP_A)]
    assert rejected == EXPECTED_REJECTS
    assert plan.rejected[0].row == "Société Inconnue | rep.a@verdier.example"
    assert plan.to_remove == []
    assert assignments(paths) == before  # a preview writes nothing


def test_applying_adds_the_assignments_records_them_and_opens_the_scope(paths, admin, tmp_path):
    plan = imports.preview(paths, admin, "portefeuilles.csv", _cp1252_csv(tmp_path), today=TODAY)
    result = imports.apply(paths, admin, plan, now=NOW)
    assert (result.added, result.removed, result.unchanged, result.rejected) == (3, 0, 1, 10)
    rows = assignments(paths)
    assert ("alpha", 3, REP_A, 0) in rows  # Garage Petit already had Bob as primary
    assert ("beta", 20, REP_A, 1) in rows  # its first manager becomes primary
    assert ("alpha", 1, REP_B, 0) in rows
    assert {("alpha", 3), ("beta", 20)} <= scope_of(paths, REP_A).customers
    import_rows = [c for c in changes(paths) if c[1] in ("assignment_added", "primary_set", "import_applied")]
    assert import_rows == [
        (ADMIN, "assignment_added", "alpha/3", "Rita Rep (rep.a@verdier.example) ajouté."),
        (ADMIN, "assignment_added", "alpha/1", "Bob Rep (rep.b@verdier.example) ajouté."),
        (ADMIN, "assignment_added", "beta/20", "Rita Rep (rep.a@verdier.example) ajouté."),
        (ADMIN, "primary_set", "beta/20", "rep.a@verdier.example devient chargé principal."),
        (
            ADMIN,
            "import_applied",
            "portefeuilles.csv",
            "portefeuilles.csv : 3 ajout(s), 0 retrait(s), 10 ligne(s) rejetée(s).",
        ),
    ]
    again = imports.preview(paths, admin, "portefeuilles.csv", _cp1252_csv(tmp_path), today=TODAY)
    assert again.to_add == [] and len(again.present) == 4  # importing twice changes nothing


@pytest.mark.parametrize("replace", [False, True])
def test_a_failure_midway_leaves_the_assignments_as_they_were(paths, admin, tmp_path, replace):
    data = "\n".join(
        [
            "Identifiant Pennylane;Entité;E-mail du chargé",
            "3;alpha;rep.a@verdier.example",
            "2;alpha;rep.a@verdier.example",
            "20;beta;rep.a@verdier.example",
        ]
    )
    plan = imports.preview(paths, admin, "f.csv", data.encode("cp1252"), today=TODAY, replace=replace)
    assert len(plan.to_add) == 2 and len(plan.to_remove) == (2 if replace else 0)  # replace: Bob leaves alpha/2, 3
    with operations.session(paths) as ops:  # the store refuses the last insert: alpha/3 is written by then
        ops.execute(
            "CREATE TRIGGER refuse_beta BEFORE INSERT ON customer_managers WHEN NEW.entity_id = 'beta'"
            " BEGIN SELECT RAISE(ABORT, 'refusé'); END"
        )
        revision = operations.revision(ops)
    before, history_before = assignments(paths), changes(paths)
    with pytest.raises(sqlite3.IntegrityError):
        imports.apply(paths, admin, plan, now=NOW)
    assert assignments(paths) == before
    assert changes(paths) == history_before
    with operations.session(paths) as ops:
        assert operations.revision(ops) == revision


def test_a_user_deactivated_since_the_preview_stops_the_whole_import(paths, admin, tmp_path):
    plan = imports.preview(paths, admin, "portefeuilles.csv", _cp1252_csv(tmp_path), today=TODAY)
    people.deactivate(paths, admin, REP_B, now=NOW)
    before = assignments(paths)
    with pytest.raises(InvalidChange, match="Ligne 4 : Bob Rep .* est désactivé. Rien n'a été importé"):
        imports.apply(paths, admin, plan, now=NOW)
    assert assignments(paths) == before


def test_an_xlsx_is_read_with_numbers_as_identifiers(paths, admin, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Affectations"
    sheet.append(["Client", "Identifiant Pennylane", "Entité", "Chargé de clientèle"])
    sheet.append([None, 3, "alpha", "rep.a@verdier.example"])  # an int cell
    sheet.append([None, 22.0, "Beta SARL", "rep.b@verdier.example"])  # a float cell, entity by name
    sheet.append([None, None, None, None])
    sheet.append(["Café du Port", None, "beta", "rep.a@verdier.example"])
    sheet.append(["Garage Petit", None, None, "rep.a@verdier.example"])  # duplicate of row 2
    path = tmp_path / "portefeuilles.xlsx"
    book.save(path)
    plan = imports.preview(paths, admin, path.name, path.read_bytes(), today=TODAY)
    assert plan.reading == "Excel, feuille « Affectations »"
    to_add, present, rejected = _summary(plan)
    assert to_add == [(2, "alpha", 3, REP_A), (3, "beta", 22, REP_B)]
    assert present == []
    assert rejected == [
        (5, "2 clients correspondent à client « Café du Port » (Beta SARL) : utilisez l'identifiant"),
        (6, "doublon de la ligne 2"),
    ]
    imports.apply(paths, admin, plan, now=NOW)
    assert ("beta", 22, REP_B, 1) in assignments(paths)


def test_a_utf8_csv_with_bom_and_commas_is_read(paths, admin):
    data = "\ufeffRéférence,E-mail\nC3,rep.a@verdier.example\nB21,rep.b@verdier.example\n".encode()
    plan = imports.preview(paths, admin, "f.csv", data, today=TODAY)
    assert plan.reading == "CSV UTF-8 (avec BOM), séparateur « , »"
    assert _summary(plan)[0] == [(2, "alpha", 3, REP_A), (3, "beta", 21, REP_B)]


def test_replace_keeps_only_the_files_managers_of_the_customers_it_names(paths, admin):
    data = b"Identifiant Pennylane;Entite;E-mail du charge\n2;alpha;rep.a@verdier.example\n"
    plan = imports.preview(paths, admin, "f.csv", data, today=TODAY, replace=True)
    assert [(a.entity_id, a.customer_id, a.email) for a in plan.to_remove] == [("alpha", 2, REP_B)]
    result = imports.apply(paths, admin, plan, now=NOW)
    assert (result.added, result.removed) == (0, 1)
    rows = assignments(paths)
    assert [r for r in rows if r[:2] == ("alpha", 2)] == [("alpha", 2, REP_A, 1)]  # Rita takes over as primary
    assert ("alpha", 3, REP_B, 1) in rows  # a customer the file does not name is left alone
    added_only = imports.preview(paths, admin, "f.csv", data, today=TODAY)
    assert added_only.to_remove == [] and not added_only.replace


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Client;Telephone\nGarage Petit;0102030405\n", "Colonnes introuvables"),
        (b"", "Le fichier est vide"),
        (b"\xd0\xcf\x11\xe0old", "Excel 97-2003"),
        (b"PK\x03\x04broken", "Fichier Excel illisible"),
    ],
)
def test_an_unreadable_file_is_refused_in_french(paths, admin, data, message):
    with pytest.raises(InvalidChange, match=message):
        imports.preview(paths, admin, "f.csv", data, today=TODAY)


def test_a_header_alone_is_an_empty_import(paths, admin):
    plan = imports.preview(paths, admin, "f.csv", b"Nom;Courriel\n", today=TODAY)
    assert _summary(plan) == ([], [], [])
