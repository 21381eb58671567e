"""Backups of the operational store: online copies, rotation, and a checked restore.

The operational store holds what exists nowhere else (statuses, notes, calls, promises, the
organisation): Pennylane can rebuild the analytical snapshot, not this. A backup is SQLite's
backup API run in one step (`pages=-1`): it reads one consistent snapshot of the source while
writers carry on (WAL), into a temporary file that is checked (`PRAGMA integrity_check`) and only
then renamed to its final name, so a backup folder never holds a half-written file.

A restore checks the file (integrity, an Encours store no newer than this code), migrates a
private copy of it to the current schema, keeps a copy of the current store, then runs the backup
API the other way, into the live file: SQLite takes the store's write lock for the whole copy, so
writers queue behind it (busy timeout) and readers see the store either before or after, whole.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core.formatting import PARIS
from core.store import operations
from core.store.paths import StorePaths

log = logging.getLogger(__name__)

BACKUP_PREFIX = "operations-"
SAFETY_PREFIX = "avant-restauration-"
"""The copy of the current store a restore keeps first; rotation never deletes it."""
SUFFIX = ".sqlite"
STAMP_FORMAT = "%Y-%m-%d-%H%M%S"
_BACKUP_NAME = re.compile(r"^operations-(\d{4}-\d{2}-\d{2}-\d{6})\.sqlite$")
PARTIAL = ".partial"


class BackupError(RuntimeError):
    """A backup could not be written, or a file cannot be restored; the message is French."""


class NotRestorable(BackupError):
    """The file given to restore is damaged, not an Encours operational store, or too new."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime
    """Paris wall-clock time from the file name."""


def backup_name(now: datetime, prefix: str = BACKUP_PREFIX) -> str:
    """`operations-2026-11-22-023000.sqlite`: the Paris date and time the backup was taken."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return prefix + now.astimezone(PARIS).strftime(STAMP_FORMAT) + SUFFIX


def list_backups(folder: Path) -> list[Backup]:
    """The rotated backups in `folder`, newest first (other files are left alone)."""
    found = []
    if folder.is_dir():
        for path in folder.iterdir():
            match = _BACKUP_NAME.match(path.name)
            if match and path.is_file():
                stamp = datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=PARIS)
                found.append(Backup(path, stamp))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def _check_integrity(con: sqlite3.Connection, label: str, error: type[BackupError] = NotRestorable) -> None:
    try:
        rows = con.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise error(f"{label} n'est pas une base SQLite lisible ({exc}).") from exc
    if rows != [("ok",)]:
        detail = "; ".join(str(r[0]) for r in rows[:3])
        raise error(f"{label} est endommagée (PRAGMA integrity_check : {detail}).")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_store(source: sqlite3.Connection, target: Path) -> None:
    """Copy `source` into a new self-contained file `target` (rollback journal, no -wal beside it)."""
    with closing(sqlite3.connect(target, isolation_level=None)) as dst:
        source.backup(dst)  # pages=-1: one step, one consistent read of the source
        dst.execute("PRAGMA journal_mode = DELETE")
        _check_integrity(dst, f"la copie {target.name}", BackupError)
    _fsync(target)


def take_backup(paths: StorePaths, folder: Path, *, now: datetime, prefix: str = BACKUP_PREFIX) -> Path:
    """Write a consistent copy of the operational store into `folder`; returns its path.

    The copy is written under a temporary name, checked, flushed to disk, then renamed: a
    crash leaves at most a `.partial` file, never a backup that looks whole and is not.
    """
    if not paths.operations.exists():
        raise BackupError(f"aucune base opérationnelle à sauvegarder ({paths.operations} n'existe pas).")
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / backup_name(now, prefix)
    partial = folder / f".{final.name}.{os.getpid()}{PARTIAL}"
    try:
        with operations.session(paths) as source:
            _copy_store(source, partial)
        os.replace(partial, final)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"la sauvegarde de {paths.operations} a échoué : {exc}.") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _fsync(folder)
    return final


def rotate(folder: Path, *, keep_daily: int, keep_weekly: int) -> list[Path]:
    """Delete the backups no rule keeps; returns the deleted paths.

    Kept: the newest backup of each of the `keep_daily` most recent days that have one, and the
    newest of each of the `keep_weekly` most recent ISO weeks that have one (Paris dates). Days
    without a backup (the machine was off) do not count, so a pause never empties the folder.
    """
    backups = list_backups(folder)
    keep = _newest_per(backups, keep_daily, lambda b: b.taken_at.date().isoformat())
    keep |= _newest_per(backups, keep_weekly, _iso_week)
    deleted = [b.path for b in backups if b.path not in keep]
    for path in deleted:
        path.unlink(missing_ok=True)
    return deleted


def _iso_week(backup: Backup) -> str:
    year, week, _ = backup.taken_at.isocalendar()
    return f"{year}-W{week:02d}"


def _newest_per(backups: Iterable[Backup], count: int, period: Callable[[Backup], str]) -> set[Path]:
    """The first (newest) backup of each of the first `count` periods, `backups` newest first."""
    kept: dict[str, Path] = {}
    for backup in backups:
        key = period(backup)
        if key not in kept:
            if len(kept) >= count:
                break
            kept[key] = backup.path
    return set(kept.values())


# -- restore -----------------------------------------------------------------


@dataclass(frozen=True)
class RestoreReport:
    restored_from: Path
    backup_version: int
    """The schema version of the file (PRAGMA user_version) before it was brought up to date."""
    version: int
    """The schema version of the store after the restore (the code's latest)."""
    safety_copy: Path | None
    """Where the store as it was before the restore was kept (None: there was no store)."""
    rows: dict[str, int]


def check_restorable(con: sqlite3.Connection, label: str) -> int:
    """Raise NotRestorable unless `con` is a sound Encours operational store this code can open;
    returns its schema version."""
    _check_integrity(con, label)
    latest = len(operations.migrations())
    version = int(con.execute("PRAGMA user_version").fetchone()[0])
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version < 1 or not {"ops_revision", "users", "invoice_followups"} <= tables:
        raise NotRestorable(f"{label} n'est pas une sauvegarde de la base opérationnelle d'Encours.")
    if version > latest:
        raise NotRestorable(
            f"{label} vient d'une version plus récente d'Encours (schéma {version}, ce code connaît le {latest}) : "
            "mettez Encours à jour avant de la restaurer."
        )
    return version


def row_counts(con: sqlite3.Connection) -> dict[str, int]:
    """Rows per table (for the restore's report); table names come from sqlite_master, quoted."""
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return {
        name: int(con.execute('SELECT count(*) FROM "' + name.replace('"', '""') + '"').fetchone()[0])  # noqa: S608
        for name in names
        if not name.startswith("sqlite_")
    }


@contextmanager
def _private_copy(file: Path, folder: Path) -> Iterator[Path]:
    """A private copy of the file to restore, so what is checked is exactly what is restored."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f".restauration-{os.getpid()}{PARTIAL}"
    try:
        shutil.copyfile(file, copy)
        yield copy
    finally:
        copy.unlink(missing_ok=True)
        for leftover in (Path(str(copy) + "-journal"), Path(str(copy) + "-wal"), Path(str(copy) + "-shm")):
            leftover.unlink(missing_ok=True)


def restore_backup(paths: StorePaths, file: Path, folder: Path, *, now: datetime) -> RestoreReport:
    """Replace the operational store's content with `file`'s, safely while the app runs.

    The file is checked and migrated to the current schema in a private copy first, so the live
    store goes in one step from its current state to a complete, current-schema restored state.
    The store's revision ends above any it had before, so no cache keyed on it serves old rows.
    """
    label = f"le fichier {file.name}"
    if not file.is_file():
        raise NotRestorable(f"{file} n'existe pas ou n'est pas un fichier.")
    with _private_copy(file, folder) as copy:
        with closing(sqlite3.connect(copy, isolation_level=None)) as src:
            backup_version = check_restorable(src, label)
            try:
                version = operations.migrate(src)
            except sqlite3.DatabaseError as exc:
                raise NotRestorable(f"{label} ne peut pas être mis au schéma actuel ({exc}).") from exc
            src.execute("PRAGMA journal_mode = DELETE")
            safety = take_backup(paths, folder, now=now, prefix=SAFETY_PREFIX) if paths.operations.exists() else None
            paths.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                with closing(_raw_connect(paths)) as live:
                    before = operations.revision(live) if _has_revision(live) else 0
                    src.backup(live)  # takes the live store's write lock for the whole copy
                    with operations.transaction(live, revision=False):
                        live.execute("UPDATE ops_revision SET revision = max(revision, ?) + 1 WHERE id = 1", (before,))
                    _check_integrity(live, "la base restaurée", BackupError)
                    rows = row_counts(live)
            except sqlite3.OperationalError as exc:  # e.g. still locked after the busy timeout
                raise BackupError(f"la restauration n'a pas pu écrire dans {paths.operations} : {exc}.") from exc
    log.info("base opérationnelle restaurée depuis %s (schéma %s → %s)", file, backup_version, version)
    return RestoreReport(file, backup_version, version, safety, rows)


def _raw_connect(paths: StorePaths) -> sqlite3.Connection:
    """The live store without migrating it (the restore brings its own, current, schema)."""
    con = sqlite3.connect(paths.operations, timeout=operations.BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    con.execute("PRAGMA busy_timeout = " + str(int(operations.BUSY_TIMEOUT_MS)))
    con.execute("PRAGMA journal_mode = WAL")
    return con


def _has_revision(con: sqlite3.Connection) -> bool:
    return (
        con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ops_revision'").fetchone() is not None
    )
