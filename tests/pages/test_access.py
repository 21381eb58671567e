"""Every role over every page (AppTest through app.py): the menu and the page agree with the
permission table, a refused page says so in French and shows nothing, and a sales rep never
sees a name, a count or a total of another portfolio — whatever the URL says.

The pages come from ui.navigation.PAGES, so a new page is covered the day it is added."""

import pytest

from core.access.permissions import Role, allows
from core.store import operations
from tests.support.apptest import app_on
from tests.support.stores import seeded_store
from ui.navigation import PAGES

PEOPLE = {
    Role.ADMIN: "admin@verdier.example",
    Role.MANAGEMENT: "dg@verdier.example",
    Role.ACCOUNTING: "compta@verdier.example",
    Role.TREASURY: "treso@verdier.example",
    Role.AGENCY_MANAGER: "dir.paris@verdier.example",
    Role.SALES_REP: "rep.b@verdier.example",  # customers 2 and 3, never customer 1 (Boulangerie Lefèvre)
}
REFUSAL = "n'est pas ouverte à votre profil"


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    paths = seeded_store(tmp_path_factory.mktemp("access"))
    with operations.session(paths) as ops:
        ops.executemany(
            "INSERT INTO users (email, full_name, role, agency_id, active) VALUES (?, ?, ?, NULL, 1)",
            [
                ("dg@verdier.example", "Diane Générale", "management"),
                ("compta@verdier.example", "Claire Compta", "accounting"),
                ("treso@verdier.example", "Théo Tréso", "treasury"),
            ],
        )
    return paths


def _text(at) -> str:
    parts = [m.value for m in at.markdown] + [str(x.value) for x in (*at.caption, *at.info, *at.warning, *at.error)]
    parts += [f"{m.label} {m.value}" for m in at.metric] + [t.value for t in (*at.title, *at.subheader)]
    parts += [df.value.to_string() for df in at.dataframe]
    return " ".join(parts)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.url_path)
def test_each_page_opens_exactly_for_the_roles_the_table_allows(paths, monkeypatch, role, spec):
    at = app_on(monkeypatch, paths, as_user=PEOPLE[role]).run()
    at.switch_page(spec.script).run()
    assert not at.exception
    text = _text(at)
    if allows(role, spec.action):
        assert REFUSAL not in text
    else:
        assert REFUSAL in text
        assert not at.metric and not at.dataframe


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.url_path)
@pytest.mark.parametrize(
    "query", [{}, {"customer": "1"}, {"entity": "alpha", "customer_id": "1"}, {"q": "Boulangerie"}], ids=str
)
def test_a_sales_rep_never_sees_another_portfolio(paths, monkeypatch, spec, query):
    at = app_on(monkeypatch, paths, as_user=PEOPLE[Role.SALES_REP])
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(spec.script).run()
    assert not at.exception
    text = _text(at)
    assert "Boulangerie Lefèvre" not in text and "C1 " not in text
    if spec.url_path == "accueil":
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Clients"] == "2"  # customers 2 and 3, not the group's 3


def test_an_unsigned_visitor_sees_no_page_whatever_the_address(paths, monkeypatch):
    for spec in PAGES:
        at = app_on(monkeypatch, paths, as_user=None).run()
        at.switch_page(spec.script).run()
        assert not at.exception
        assert [t.value for t in at.title] == ["Connexion à Encours"], spec.script
        assert not at.metric and not at.dataframe
