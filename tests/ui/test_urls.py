"""Which requests ui.urls sends home: a browser asking for an address that is not a page."""

import pytest

from ui.urls import lands_home

HTML = "text/html,application/xhtml+xml,*/*;q=0.8"


@pytest.mark.parametrize("path", ["/nimportequoi", "/pages/home", "/a/b/c", "/home", "/accueil/x"])
def test_unknown_addresses_land_home(path):
    assert lands_home("GET", path, HTML)


@pytest.mark.parametrize("path", ["/", "/accueil", "/accueil/"])
def test_the_pages_are_served(path):
    assert not lands_home("GET", path, HTML)


@pytest.mark.parametrize(
    "path",
    ["/_stcore/health", "/_stcore/stream", "/static/js/index.js", "/favicon.png", "/media/x.png", "/oauth2callback"],
)
def test_streamlit_routes_pass(path):
    assert not lands_home("GET", path, HTML)


def test_only_browser_page_requests_are_redirected():
    assert not lands_home("GET", "/nimportequoi", "application/json")
    assert not lands_home("POST", "/nimportequoi", HTML)
