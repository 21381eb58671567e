"""Backups of the operational store: names, rotation with a pinned clock, and what a restore refuses."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from core.config import load_settings
from core.store import operations
from core.store.backup import (
    NotRestorable,
    backup_name,
    list_backups,
    restore_backup,
    rotate,
    take_backup,
)
from core.store.paths import StorePaths
from tests.support.stores import ORGANISATION

SUNDAY = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)  # 15:00 in Paris


@pytest.fixture
def paths(tmp_path) -> StorePaths:
    paths = StorePaths(tmp_path / "data").ensure()
    with operations.session(paths) as ops:
        operations.seed_organisation(ops, ORGANISATION)
    return paths


def names(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_names_carry_the_paris_date_and_time():
    assert backup_name(datetime(2026, 11, 22, 1, 30, tzinfo=UTC)) == "operations-2026-11-22-023000.sqlite"
    assert backup_name(datetime(2026, 7, 1, 0, 30, 5, tzinfo=UTC)) == "operations-2026-07-01-023005.sqlite"


def test_settings_default_to_the_data_folder_seven_days_and_four_weeks(tmp_path):
    settings = load_settings(env={"ENCOURS_DATA_DIR": str(tmp_path)}, root=tmp_path)
    assert settings.backup_dir == tmp_path / "backups"
    assert (settings.backup.keep_daily, settings.backup.keep_weekly) == (7, 4)
    custom = load_settings(
        env={
            "ENCOURS_BACKUP_DIR": "/mnt/nas/encours",
            "ENCOURS_BACKUP_KEEP_DAILY": "3",
            "ENCOURS_BACKUP_KEEP_WEEKLY": "0",
        },
        root=tmp_path,
    )
    assert str(custom.backup_dir) == "/mnt/nas/encours"
    assert (custom.backup.keep_daily, custom.backup.keep_weekly) == (3, 0)


def test_a_backup_is_a_whole_checked_copy_with_no_journal_beside_it(paths, tmp_path):
    folder = tmp_path / "sauvegardes"
    path = take_backup(paths, folder, now=SUNDAY)
    assert (
        names(folder) == {"operations-2026-11-22-150000.sqlite"}
        and path == folder / "operations-2026-11-22-150000.sqlite"
    )
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert con.execute("SELECT count(*) FROM users").fetchone() == (4,)


def test_rotation_keeps_seven_days_and_four_weeks(paths, tmp_path):
    folder = tmp_path / "sauvegardes"
    for day in range(40):  # twice a day for 40 days, up to Sunday 22 November 2026
        for hour in (1, 13):  # 02:00 and 14:00 in Paris
            take_backup(paths, folder, now=SUNDAY - timedelta(days=39 - day) + timedelta(hours=hour - 14))
    (folder / "notes-de-l-admin.txt").write_text("à garder")
    (folder / "avant-restauration-2026-09-01-120000.sqlite").write_bytes(b"")
    deleted = rotate(folder, keep_daily=7, keep_weekly=4)
    kept = {b.taken_at.strftime("%d/%m %H:%M") for b in list_backups(folder)}
    daily = {f"{d}/11 14:00" for d in range(16, 23)}  # the newest of each of the last 7 days
    weekly = {"15/11 14:00", "08/11 14:00", "01/11 14:00"}  # the newest of weeks 46, 45, 44 (47 is Sunday's)
    assert kept == daily | weekly
    assert len(deleted) == 80 - len(kept)
    assert {"notes-de-l-admin.txt", "avant-restauration-2026-09-01-120000.sqlite"} <= names(folder)


def test_rotation_counts_days_with_a_backup_so_a_pause_never_empties_the_folder(paths, tmp_path):
    folder = tmp_path / "sauvegardes"
    for day in range(10):
        take_backup(paths, folder, now=SUNDAY - timedelta(days=60 + day))
    take_backup(paths, folder, now=SUNDAY)  # back after seven weeks off
    rotate(folder, keep_daily=7, keep_weekly=4)
    kept = [b.taken_at.date().isoformat() for b in list_backups(folder)]
    assert kept[0] == "2026-11-22" and len(kept) == 7


def test_restore_brings_back_every_row_and_moves_the_revision_on(paths, tmp_path):
    folder = tmp_path / "sauvegardes"
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    with operations.session(paths) as ops:
        operations.upsert_followup(
            ops, "alpha", 10, internal_status="payment_agreement", agreement_date="2026-12-05",
            updated_by="rep.a@verdier.example", now=now,
        )  # fmt: skip
    backup = take_backup(paths, folder, now=now)
    with operations.session(paths) as ops:  # work after the backup, which the restore undoes
        operations.upsert_followup(
            ops, "alpha", 10, internal_status="disputed", agreement_date=None, updated_by="x", now=now
        )
        ops.execute("DELETE FROM customer_managers")
        revision_before = operations.revision(ops)
    report = restore_backup(paths, backup, folder, now=now + timedelta(hours=1))
    with operations.session(paths) as ops:
        assert ops.execute("SELECT internal_status, agreement_date FROM invoice_followups").fetchall() == [
            ("payment_agreement", "2026-12-05")
        ]
        assert ops.execute("SELECT count(*) FROM customer_managers").fetchone() == (4,)
        assert operations.revision(ops) > revision_before  # caches keyed on it cannot serve the undone rows
    assert report.rows["users"] == 4 and report.safety_copy is not None
    with closing(sqlite3.connect(report.safety_copy)) as kept:
        assert kept.execute("SELECT internal_status FROM invoice_followups").fetchall() == [("disputed",)]


def test_an_older_backup_is_migrated_to_the_current_schema(paths, tmp_path):
    old = tmp_path / "ancienne.sqlite"
    with closing(sqlite3.connect(old)) as con:
        con.executescript(operations.migrations()[0][1])  # the store as version 1 made it
        con.execute("INSERT INTO agencies VALUES ('nice', 'Agence Nice', 'alpha')")
        con.execute("PRAGMA user_version = 1")
        con.commit()
    report = restore_backup(paths, old, tmp_path / "sauvegardes", now=SUNDAY)
    assert (report.backup_version, report.version) == (1, len(operations.migrations()))
    with operations.session(paths) as ops:
        assert ops.execute("SELECT agency_id FROM agencies").fetchall() == [("nice",)]
        assert operations.schema_version(ops) == len(operations.migrations())


def _refused(paths, tmp_path, file, message):
    with operations.session(paths) as ops:
        before = operations.revision(ops)
    with pytest.raises(NotRestorable, match=message):
        restore_backup(paths, file, tmp_path / "sauvegardes", now=SUNDAY)
    with operations.session(paths) as ops:
        assert ops.execute("SELECT count(*) FROM users").fetchone() == (4,)
        assert operations.revision(ops) == before
    assert not list((tmp_path / "sauvegardes").glob("avant-restauration-*"))


def test_restore_refuses_a_corrupt_backup(paths, tmp_path):
    backup = take_backup(paths, tmp_path / "copies", now=SUNDAY)
    raw = bytearray(backup.read_bytes())
    assert len(raw) >= 4 * 4096
    raw[2 * 4096 : 3 * 4096] = b"\xa5" * 4096  # one page of the users' table overwritten
    backup.write_bytes(bytes(raw))
    _refused(paths, tmp_path, backup, "est endommagée|n'est pas une base SQLite lisible")


def test_restore_refuses_a_file_that_is_not_a_database(paths, tmp_path):
    junk = tmp_path / "export.sqlite"
    junk.write_text("entity_id;invoice_id\nalpha;10\n" * 200)
    _refused(paths, tmp_path, junk, "export.sqlite n'est pas une base SQLite lisible")


def test_restore_refuses_another_applications_database(paths, tmp_path):
    other = tmp_path / "crm.sqlite"
    with closing(sqlite3.connect(other)) as con:
        con.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("PRAGMA user_version = 3")
        con.commit()
    _refused(paths, tmp_path, other, "n'est pas une sauvegarde de la base opérationnelle d'Encours")


def test_restore_refuses_a_backup_from_a_newer_encours(paths, tmp_path):
    newer = take_backup(paths, tmp_path / "copies", now=SUNDAY)
    with closing(sqlite3.connect(newer)) as con:
        con.execute("PRAGMA user_version = " + str(len(operations.migrations()) + 1))
        con.commit()
    _refused(paths, tmp_path, newer, "version plus récente d'Encours")
