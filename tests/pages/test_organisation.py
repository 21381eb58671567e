"""The organisation page (through app.py): an admin previews and applies an import; a sales rep
is refused in French and sees none of the organisation."""

import openpyxl

from tests.core.organisation.conftest import ADMIN, REP_A, assignments, two_entities
from tests.support.apptest import app_on

PAGE = "pages/organisation.py"


def _as(monkeypatch, paths, email=ADMIN):
    return app_on(monkeypatch, paths, as_user=email).run().switch_page(PAGE).run()


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def _table(at, column):
    """The table with this column (a read-only st.dataframe carries no key to select it by)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_an_admin_previews_then_applies_a_csv_import(tmp_path, monkeypatch):
    paths = two_entities(tmp_path)
    at = _as(monkeypatch, paths)
    assert not at.exception and not at.error
    assert [t.label for t in at.tabs] == ["Utilisateurs", "Agences", "Portefeuilles", "Import", "Historique"]
    assert not any("French message" in m.value for m in at.markdown)  # no stray literal on the page
    csv = "\r\n".join(
        [
            "Client;Entité;E-mail du chargé",
            "Garage Petit;;rep.a@verdier.example",
            "Société Inconnue;;rep.a@verdier.example",
            "Transports Morel;;rep.a@verdier.example",
            "Garage Petit;;rep.a@verdier.example",
        ]
    ).encode("cp1252")
    at.file_uploader(key="org.import.file").set_value(("portefeuilles.csv", csv, "text/csv")).run()
    assert not at.exception
    assert _metrics(at) == {"À ajouter": "1", "Déjà présentes": "1", "À retirer": "0", "Lignes rejetées": "2"}
    assert any("Windows-1252" in c.value for c in at.caption)
    rejected = _table(at, "Motif")
    assert rejected["Ligne"].tolist() == [3, 5]
    assert rejected["Motif"].tolist() == [
        "aucun client ne correspond à client « Société Inconnue »",
        "doublon de la ligne 2",
    ]
    before = assignments(paths)
    at.button(key="org.import.apply").click().run()
    assert not at.exception and not at.error
    assert any("1 affectation(s) ajoutée(s)" in s.value for s in at.success)
    assert set(assignments(paths)) - set(before) == {("alpha", 3, REP_A, 0)}
    assert _metrics(at)["À ajouter"] == "0"  # the preview now says there is nothing left to do
    assert at.button(key="org.import.apply").disabled
    history = _table(at, "Changement")
    assert history["Changement"].tolist()[:2] == ["Import de portefeuilles", "Chargé de clientèle ajouté"]


def test_an_admin_previews_an_xlsx(tmp_path, monkeypatch):
    paths = two_entities(tmp_path)
    book = openpyxl.Workbook()
    book.active.append(["Identifiant Pennylane", "Entité", "E-mail du chargé"])
    book.active.append([22, "beta", "inconnu@verdier.example"])
    book.save(tmp_path / "p.xlsx")
    at = _as(monkeypatch, paths)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="org.import.file").set_value(("p.xlsx", (tmp_path / "p.xlsx").read_bytes(), xlsx)).run()
    assert not at.exception
    assert _table(at, "Motif")["Motif"].tolist() == ["e-mail inconnu : aucun utilisateur « inconnu@verdier.example »"]
    assert at.button(key="org.import.apply").disabled


def test_an_admin_creates_a_user_and_gets_a_one_time_password(tmp_path, monkeypatch):
    paths = two_entities(tmp_path)
    at = _as(monkeypatch, paths)
    at.text_input(key="org.users.new.name").input("Claire Roux")
    at.text_input(key="org.users.new.email").input("claire.roux@verdier.example")
    at.button(key="org.users.new.submit").click().run()
    assert not at.exception and not at.error
    assert any("claire.roux@verdier.example créé" in s.value for s in at.success)
    assert len(at.code) == 1 and len(at.code[0].value) >= 12
    users = _table(at, "Clients suivis")
    assert users.loc[users["E-mail"] == "claire.roux@verdier.example", "Rôle"].tolist() == ["Chargé de clientèle"]


def test_a_sales_rep_is_refused_in_french_and_sees_nothing(tmp_path, monkeypatch):
    paths = two_entities(tmp_path)
    at = _as(monkeypatch, paths, REP_A)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Cette page n'est pas ouverte à votre profil (Chargé de clientèle). "
        "Demandez à un administrateur si vous pensez devoir y accéder."
    ]
    assert not at.tabs and not at.dataframe and not at.file_uploader and not at.main.text_input
    shown = " ".join(m.value for m in at.main.markdown)
    assert "rep.b@verdier.example" not in shown and "Bob Rep" not in shown


def test_an_admin_assigns_a_customer_and_deactivates_a_user(tmp_path, monkeypatch):
    from core.scope import scope_of

    paths = two_entities(tmp_path)
    at = _as(monkeypatch, paths)
    at.text_input(key="org.assign.search").input("Garage").run()
    assert at.selectbox(key="org.assign.customer").value == ("alpha", 3)
    at.selectbox(key="org.assign.add.email").set_value(REP_A)
    at.button(key="org.assign.add").click().run()
    assert not at.exception and not at.error
    managers = _table(at, "Principal")
    assert sorted(managers["E-mail"].tolist()) == [REP_A, "rep.b@verdier.example"]
    assert ("alpha", 3) in scope_of(paths, REP_A).customers
    at.selectbox(key="org.users.pick").set_value("rep.b@verdier.example").run()
    at.button(key="org.users.deactivate").click().run()
    assert not at.exception and not at.error
    assert any("Bob Rep est désactivé" in s.value for s in at.success)
    users = _table(at, "Clients suivis")
    assert users.loc[users["E-mail"] == "rep.b@verdier.example", "Actif"].tolist() == ["non"]
