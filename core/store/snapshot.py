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
from collections.abc import Mapping
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

    def publish(self) -> Path:
        """Rebuild the modelled relations, make the file durable, and swap it in atomically."""
        schema.rebuild_derived(self.con)
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
