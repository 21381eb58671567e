"""The export log: who exported which list, when, in which format, with which filters, how many rows.

`record_export` writes one row inside the caller's transaction (the export is recorded with the
same write as anything else it does); `log_export` is the same in a transaction of its own.
`export_log` lists the rows for administrators only (Action.VIEW_AUDIT), latest first.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from core.access.permissions import Action, require
from core.exports.formats import FORMATS
from core.scope import Scope
from core.store import operations
from core.store.paths import StorePaths

LIST_LABELS: dict[str, str] = {"invoices": "Factures", "customers": "Clients"}
SOURCE_LABELS: dict[str, str] = {"app": "Application", "cli": "Ligne de commande"}
Source = Literal["app", "cli"]


@dataclass(frozen=True)
class ExportRecord:
    exported_at: datetime
    email: str
    role: str
    list_kind: str
    format: str
    filters: dict[str, Any]
    filters_text: str
    row_count: int
    source: str

    @property
    def list_label(self) -> str:
        return LIST_LABELS.get(self.list_kind, self.list_kind)

    @property
    def format_label(self) -> str:
        found = FORMATS.get(self.format)
        return found.label if found else self.format

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


def record_export(
    ops: sqlite3.Connection,
    scope: Scope,
    *,
    now: datetime,
    list_kind: str,
    format: str,
    filters: Mapping[str, Any],
    filters_text: str,
    row_count: int,
    source: Source,
) -> None:
    """Write one row of the export log; call it inside the caller's transaction."""
    if list_kind not in LIST_LABELS:
        raise ValueError(f"unknown list kind {list_kind!r}")
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}")
    if source not in SOURCE_LABELS:
        raise ValueError(f"unknown export source {source!r}")
    ops.execute(
        "INSERT INTO export_log (exported_at, email, role, list_kind, format, filters_json, filters_text,"
        " row_count, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            now.isoformat(),
            scope.email,
            scope.role,
            list_kind,
            format,
            json.dumps(dict(filters), ensure_ascii=False, sort_keys=True, default=str),
            filters_text,
            row_count,
            source,
        ),
    )


def log_export(
    paths: StorePaths,
    scope: Scope,
    *,
    now: datetime,
    list_kind: str,
    format: str,
    filters: Mapping[str, Any],
    filters_text: str,
    row_count: int,
    source: Source,
) -> None:
    """`record_export` in a transaction of its own (no cache reads the log: the revision stays)."""
    with operations.session(paths) as ops, operations.transaction(ops, revision=False):
        record_export(
            ops,
            scope,
            now=now,
            list_kind=list_kind,
            format=format,
            filters=filters,
            filters_text=filters_text,
            row_count=row_count,
            source=source,
        )


def export_log(paths: StorePaths, scope: Scope, *, limit: int = 500) -> list[ExportRecord]:
    """The latest exports first; administrators only (Forbidden otherwise)."""
    require(scope.role, Action.VIEW_AUDIT)
    with operations.session(paths) as ops:
        rows = ops.execute(
            "SELECT exported_at, email, role, list_kind, format, filters_json, filters_text, row_count, source"
            " FROM export_log ORDER BY exported_at DESC, export_id DESC LIMIT ?",
            (limit,),
        ).fetchall()
    return [
        ExportRecord(datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], int(r[7]), r[8])
        for r in rows
    ]
