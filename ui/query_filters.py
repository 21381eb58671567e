"""Filters kept in the address bar, both ways: a link (the dashboard's drill-downs, a shared view)
sets a list's widgets, and a widget change rewrites the query string.

A page passes a prefix for its session keys. `url_is_new` tells whether the query string is not the
one the page last wrote — a first visit, a link followed, the address edited — in which case the
page seeds its widgets from it. `write` puts the filters the widgets now say into the address bar.
The filters themselves are read and written by core.lists.filters (from_query / to_query).
"""

from __future__ import annotations

import streamlit as st

Query = dict[str, list[str]]


def current() -> Query:
    """The query string as lists of values (a repeated parameter keeps every value)."""
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()}


def url_is_new(prefix: str) -> bool:
    """Is the query string something else than what this page last wrote?

    An empty query string on a page that already has filters is the menu coming back to it
    (Streamlit clears the query string when it switches pages): the widgets keep their filters.
    """
    last = st.session_state.get(prefix + ".url")
    now = current()
    if last is None:
        return True
    return bool(now) and now != last


def write(prefix: str, query: Query) -> None:
    """Show `query` in the address bar (only when it changed: no needless history entries)."""
    st.session_state[prefix + ".url"] = query
    if current() != query:
        st.query_params.from_dict(query)
