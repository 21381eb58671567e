"""Build a complete snapshot privately, then publish it with one atomic rename.

Readers keep whatever snapshot they opened; new readers see the new one; a crash at any
point leaves the previously published file whole (the half-built work file is never
renamed, and the next run deletes it). Only the run holding the ingestion lock builds.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

import duckdb
import pyarrow as pa

from core.store import analytical, schema
from core.store.paths import StorePaths

log = logging.getLogger(__name__)
BUILD_PREFIX = "build-"


def failpoint(name: str) -> None:
    """Crash-test hook: when ENCOURS_FAILPOINT names this point, announce it and wait to be killed."""
    if os.environ.get("ENCOURS_FAILPOINT") != name:
        return
    marker = os.environ.get("ENCOURS_FAILPOINT_MARKER")
    if marker:
        Path(marker).write_text(name)
    while True:  # the crash test kill -9s the process here
        time.sleep(1)


def remove_stale_builds(paths: StorePaths) -> None:
    """Delete work files left by a crashed run (call only while holding the ingestion lock)."""
    for stale in paths.work_dir.glob(BUILD_PREFIX + "*"):
        log.info("suppression d'un fichier de travail abandonné : %s", stale.name)
        stale.unlink(missing_ok=True)


class SnapshotBuild:
    """A private, read-write copy of the store that becomes the published snapshot on publish().

    `from_published=True` starts from a copy of the current snapshot (incremental runs);
    otherwise from an empty store (full loads). Leaving the block without publishing
    discards the work file.
    """

    def __init__(self, paths: StorePaths, *, from_published: bool) -> None:
        self.paths = paths.ensure()
        self.work_path = paths.work_dir / f"{BUILD_PREFIX}{uuid.uuid4().hex}.duckdb"
        if from_published and paths.published.exists():
            shutil.copyfile(paths.published, self.work_path)
        self.con: duckdb.DuckDBPyConnection = analytical.open_build(self.work_path)
        schema.create_tables(self.con)
        self.published = False
        self.derived = False

    def __enter__(self) -> SnapshotBuild:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.published:
            self.con.close()
            for suffix in ("", ".wal"):
                Path(str(self.work_path) + suffix).unlink(missing_ok=True)

    def replace_organisation(self, tables: Mapping[str, pa.Table]) -> None:
        """Copy the operational hierarchy and follow-ups into the snapshot, for analysts."""
        for name in schema.ORGANISATION_TABLES:
            if name not in tables:
                continue
            self.con.execute(_DELETE_ALL[name])
            self.con.register("_organisation_rows", tables[name])
            self.con.execute(_INSERT_BY_NAME[name])
            self.con.unregister("_organisation_rows")

    def carry_entities(self, previous: Path, entity_ids: Iterable[str]) -> None:
        """Copy some entities' rows from a previous snapshot (entities this build does not reload).

        Column by column, for the columns both files have: the previous file may have been
        built with another schema version. One transaction of its own.
        """
        self.con.execute("ATTACH ? AS previous (READ_ONLY)", [str(previous)])
        try:
            self.con.execute("BEGIN")
            for table in schema.ENTITY_TABLES:
                found = self.con.execute(_COMMON_COLUMNS, {"table": table, "previous": "previous"}).fetchall()
                columns = [name for (name,) in found]
                if "entity_id" not in columns:
                    continue
                # The table comes from schema.ENTITY_TABLES, the column names from the files' own catalog.
                listed = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
                copy = "INSERT INTO " + table + " (" + listed + ") SELECT " + listed  # noqa: S608
                for entity_id in entity_ids:
                    self.con.execute(_DELETE_ENTITY[table], [entity_id])
                    self.con.execute(copy + " FROM previous." + table + " WHERE entity_id = ?", [entity_id])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self.con.execute("DETACH previous")

    def rebuild_derived(self) -> None:
        """Rebuild the modelled relations from the tables (publish() does it if not done)."""
        schema.write_schema_version(self.con)
        schema.rebuild_derived(self.con)
        self.derived = True

    def publish(self) -> Path:
        """Rebuild the modelled relations, make the file durable, and swap it in atomically."""
        if not self.derived:
            self.rebuild_derived()
        failpoint("before_checkpoint")
        self.con.execute("CHECKPOINT")
        self.con.close()
        _fsync(self.work_path)
        failpoint("before_replace")
        os.replace(self.work_path, self.paths.published)
        _fsync(self.paths.published.parent)
        self.published = True
        log.info("instantané publié : %s", self.paths.published)
        return self.paths.published


_COMMON_COLUMNS = """
SELECT c.column_name
FROM duckdb_columns() AS c
JOIN duckdb_columns() AS p
  ON p.database_name = $previous AND p.schema_name = 'main' AND p.table_name = $table AND p.column_name = c.column_name
WHERE c.database_name = current_database() AND c.schema_name = 'main' AND c.table_name = $table
ORDER BY c.column_index
"""
_DELETE_ENTITY = {name: "DELETE FROM " + name + " WHERE entity_id = ?" for name in schema.ENTITY_TABLES}  # noqa: S608


# Identifiers below come from schema.ORGANISATION_TABLES, never from input.
_DELETE_ALL = {name: "DELETE FROM " + name for name in schema.ORGANISATION_TABLES}  # noqa: S608
_INSERT_BY_NAME = {
    name: "INSERT INTO " + name + " BY NAME SELECT * FROM _organisation_rows"  # noqa: S608
    for name in schema.ORGANISATION_TABLES
}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
