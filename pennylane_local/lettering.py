"""Re-lettering a ledger line: the payment-side change an incremental sync must follow.

An accountant un-letters a bank receipt from the invoice it was wrongly matched with, and
letters it with the right one. The moved line's record logs a changelog event; the other
lines of both groups get their new lettering *without* one (and keep their ``updated_at``), as
some servers do. An incremental sync that re-fetched only the lines in the changelog would
keep the first invoice paid and leave the second without its payment date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pennylane_local.changelog import format_timestamp

if TYPE_CHECKING:
    from pennylane_local.dataset import Dataset

Record = dict[str, Any]


def _group(line: Record) -> list[int]:
    return list((line.get("lettered_ledger_entry_lines") or {}).get("ids") or [])


def _lettered(line: Record, ids: list[int]) -> Record:
    return {**line, "lettered_ledger_entry_lines": {**line["lettered_ledger_entry_lines"], "ids": ids}}


def reletter(ds: Dataset, line_id: int, with_line: int | None) -> list[int]:
    """Move ``line_id`` out of its lettering group, and into ``with_line``'s group when given.

    Everything is checked before anything changes. Returns the ids whose lettering changed.
    """
    with ds.lock:
        lines = ds.records["ledger_entry_lines"]
        if line_id not in lines:
            raise ValueError(f"unknown ledger entry line {line_id}")
        if with_line is not None and (with_line not in lines or with_line == line_id):
            raise ValueError(f"cannot letter line {line_id} with line {with_line}")
        old = [i for i in _group(lines[line_id]) if i != line_id]
        remaining = old if len(old) > 1 else []  # a group of one line is no lettering
        new = sorted({*_group(lines[with_line]), with_line, line_id}) if with_line is not None else []
        silent = {i: remaining for i in old} | {i: new for i in new if i != line_id}
        for partner, ids in silent.items():
            ds.put_silently("ledger_entry_lines", _lettered(lines[partner], ids))
        moved = _lettered(lines[line_id], new)
        ds.put("ledger_entry_lines", {**moved, "updated_at": format_timestamp(ds.clock())})
        return sorted({line_id, *silent})
