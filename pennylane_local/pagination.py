"""Cursor pagination of lists, with opaque cursors that hold a position and nothing else.

Like Pennylane's, a cursor encodes only the last sort key that was returned
(``[id]``, ``[date, id]`` or a changelog's ``[processed_at, seq]``), never the
filter or the sort: a client that drops its ``filter`` on page 2 gets the
unfiltered records after that position, exactly the trap the real API sets.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

Record = dict[str, Any]


class CursorError(ValueError):
    """The cursor is not one this server issued."""


def encode_cursor(position: list[Any]) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise CursorError("Invalid cursor") from exc
    if not isinstance(position, list) or not position:
        raise CursorError("Invalid cursor")
    return position


def list_position(cursor: str, sort_field: str) -> tuple[Any, ...]:
    """The ``(key...)`` tuple a list cursor points after, for the request's sort field."""
    position = decode_cursor(cursor)
    try:
        record_id = int(position[-1])
    except (TypeError, ValueError) as exc:
        raise CursorError("Invalid cursor") from exc
    if sort_field == "id":
        return (record_id,)
    if len(position) != 2 or not isinstance(position[0], str):
        raise CursorError("Invalid cursor for this sort")
    return (position[0], record_id)


def sort_key(field: str) -> Callable[[Record], tuple[Any, ...]]:
    """The total order behind a sort field; ties on ``date`` are broken by ``id``."""
    if field == "id":
        return lambda r: (r["id"],)
    return lambda r: (r.get(field) or "", r["id"])


def list_page(
    ordered: Sequence[Record],
    keys: Sequence[tuple[Any, ...]],
    *,
    descending: bool,
    after: tuple[Any, ...] | None,
    predicate: Callable[[Record], bool] | None,
    limit: int,
) -> tuple[list[Record], bool, str | None]:
    """One page from records sorted ascending by ``keys``: ``(items, has_more, next_cursor)``."""
    if descending:
        stop = bisect.bisect_left(keys, after) if after is not None else len(keys)
        indexes: Iterable[int] = range(stop - 1, -1, -1)
    else:
        indexes = range(bisect.bisect_right(keys, after) if after is not None else 0, len(keys))
    items: list[Record] = []
    last: tuple[Any, ...] | None = None
    for i in indexes:
        if predicate is None or predicate(ordered[i]):
            if len(items) == limit:
                return items, True, encode_cursor(list(last or ()))
            items.append(ordered[i])
            last = keys[i]
    return items, False, None
