"""The one paginator for Pennylane's cursor-based lists.

Pennylane does not keep filters or sort in its cursors: a page-2 request that
carries only the cursor silently comes back unfiltered. ``iter_pages``
therefore re-sends every parameter on every page, and only the parameters
passed as ``first_page_params`` (a changelog's ``start_date``, which cannot be
combined with a cursor) on the first one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from core.pennylane.errors import PennylaneBadResponse

LIST_LIMIT = 100
CHANGELOG_LIMIT = 1000


class Page(list[dict[str, Any]]):
    """One page's ``items``, with ``has_more``/``next_cursor`` kept for checkpoints."""

    def __init__(self, items: list[dict[str, Any]], *, has_more: bool, next_cursor: str | None) -> None:
        super().__init__(items)
        self.has_more = has_more
        self.next_cursor = next_cursor


def parse_envelope(body: Any, path: str) -> Page:
    """Check the ``{items, has_more, next_cursor}`` envelope; a transient error when it is not."""

    def bad(why: str) -> PennylaneBadResponse:
        return PennylaneBadResponse(f"Réponse inattendue de Pennylane sur {path} : {why}.", path=path, transient=True)

    if not isinstance(body, dict):
        raise bad("le corps n'est pas un objet JSON")
    items, has_more, cursor = body.get("items"), body.get("has_more"), body.get("next_cursor")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad("la liste « items » manque ou n'est pas une liste d'objets")
    if not isinstance(has_more, bool):
        raise bad("l'indicateur « has_more » manque")
    if cursor is not None and not isinstance(cursor, str):
        raise bad("le curseur « next_cursor » n'est pas une chaîne")
    if has_more and not cursor:
        raise bad("« has_more » est vrai mais aucun curseur n'est fourni")
    return Page(items, has_more=has_more, next_cursor=cursor)


class PageSource(Protocol):
    def get_page(self, path: str, params: Mapping[str, Any]) -> Page: ...


def iter_pages(
    source: PageSource,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    limit: int = LIST_LIMIT,
    first_page_params: Mapping[str, Any] | None = None,
    cursor: str | None = None,
) -> Iterator[Page]:
    """Yield every page of ``path``; ``params`` (filter, sort) go with every request.

    ``cursor`` resumes a listing where a previous run stopped (``first_page_params``
    are then not sent, since the cursor already carries the position).
    """
    base = {k: v for k, v in (params or {}).items() if v is not None}
    base["limit"] = limit
    seen: set[str] = set()
    while True:
        query = dict(base)
        if cursor is None:
            query.update({k: v for k, v in (first_page_params or {}).items() if v is not None})
        else:
            query["cursor"] = cursor
        page = source.get_page(path, query)
        yield page
        if not page.has_more:
            return
        assert page.next_cursor is not None  # guaranteed by parse_envelope
        if page.next_cursor in seen:
            raise PennylaneBadResponse(
                f"Pennylane renvoie deux fois le même curseur sur {path} : la pagination tourne en rond.",
                path=path,
                transient=False,
            )
        seen.add(page.next_cursor)
        cursor = page.next_cursor
