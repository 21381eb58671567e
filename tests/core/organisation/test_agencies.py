"""Agencies: created and renamed with their history; names unique; usable at once."""

import pytest

from core.organisation import agencies, people
from core.organisation.changes import InvalidChange
from tests.core.organisation.conftest import ADMIN, changes
from tests.support.stores import NOW


def test_an_agency_is_created_renamed_and_recorded(paths, admin):
    agency_id = agencies.add_agency(paths, admin, name="Agence Saint-Étienne", entity_id="alpha", now=NOW)
    assert agency_id == "agence-saint-etienne"
    agencies.rename_agency(paths, admin, agency_id, "Agence Loire", now=NOW)
    listed = {a.agency_id: a.name for a in agencies.list_agencies(paths, admin)}
    assert listed[agency_id] == "Agence Loire"
    assert changes(paths) == [
        (ADMIN, "agency_added", agency_id, "Agence « Agence Saint-Étienne » créée (entité alpha)."),
        (ADMIN, "agency_renamed", agency_id, "Agence « Agence Saint-Étienne » renommée « Agence Loire »."),
    ]
    people.create_user(
        paths, admin, email="d@verdier.example", full_name="D", role="agency_manager", agency_id=agency_id, now=NOW
    )


def test_duplicate_empty_and_unknown_agencies_are_refused(paths, admin):
    with pytest.raises(InvalidChange, match="s'appelle déjà « Agence Paris »"):
        agencies.add_agency(paths, admin, name="agence  paris", entity_id="alpha", now=NOW)
    with pytest.raises(InvalidChange, match="vide"):
        agencies.add_agency(paths, admin, name=" ", entity_id="alpha", now=NOW)
    with pytest.raises(InvalidChange, match="s'appelle déjà"):
        agencies.rename_agency(paths, admin, "lyon", "Agence Paris", now=NOW)
    with pytest.raises(InvalidChange, match="Agence inconnue « nice »"):
        agencies.rename_agency(paths, admin, "nice", "Agence Nice", now=NOW)
    assert changes(paths) == []


def test_the_entities_offered_are_the_published_ones(paths, admin):
    assert agencies.entities(paths, admin, today=NOW.date()) == [("alpha", "Alpha SAS"), ("beta", "Beta SARL")]
