"""Backups of the operational store: `python -m jobs.backup [--restore FILE]`.

Without arguments: an online, consistent copy of `operations.sqlite` into ENCOURS_BACKUP_DIR
(default `data/backups`), named after the Paris date and time, then the rotation
(ENCOURS_BACKUP_KEEP_DAILY days, ENCOURS_BACKUP_KEEP_WEEKLY weeks). The scheduler runs it nightly.

`--restore FILE` puts a backup back, while the app may be running: the file is checked first
(readable, intact, an Encours store no newer than this code), the current store is kept as
`avant-restauration-….sqlite` in the same folder, and the restored store is brought up to the
current schema.

Exit codes: 0 done; 1 the backup or the restore failed (reason on stderr; a refused file
restores nothing); 2 configuration error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from core.config import ConfigError, load_settings
from core.formatting import paris_now
from core.store.backup import BackupError, restore_backup, rotate, take_backup
from core.store.paths import StorePaths
from jobs import exit_codes, logs

log = logging.getLogger("encours.backup")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jobs.backup", description="Sauvegarde (ou restauration) de la base opérationnelle d'Encours"
    )
    parser.add_argument("--restore", type=Path, metavar="FICHIER", help="restaurer cette sauvegarde")
    args = parser.parse_args(argv)
    logs.configure()
    try:
        settings = load_settings()
        paths = StorePaths(settings.data_dir)
        folder = settings.backup_dir
        if args.restore is not None:
            report = restore_backup(paths, args.restore, folder, now=paris_now())
            if report.safety_copy is not None:
                print(f"Base actuelle conservée dans {report.safety_copy}.")
            print(
                f"Base opérationnelle restaurée depuis {report.restored_from} "
                f"(schéma {report.backup_version} → {report.version}) : "
                f"{report.rows.get('users', 0)} utilisateurs, {report.rows.get('invoice_followups', 0)} suivis de factures."
            )
            return exit_codes.OK
        written = take_backup(paths, folder, now=paris_now())
        deleted = rotate(folder, keep_daily=settings.backup.keep_daily, keep_weekly=settings.backup.keep_weekly)
    except ConfigError as exc:
        print(f"encours: configuration : {exc}", file=sys.stderr)
        return exit_codes.CONFIG
    except BackupError as exc:
        print(f"encours: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    except OSError as exc:  # the folder cannot be created or written (disk full, permissions)
        print(f"encours: sauvegarde impossible : {exc.strerror or exc} ({exc.filename or ''}).", file=sys.stderr)
        return exit_codes.FAILED
    log.info("sauvegarde écrite : %s (%d octets)", written, written.stat().st_size)
    for path in deleted:
        log.info("ancienne sauvegarde supprimée : %s", path.name)
    return exit_codes.OK


if __name__ == "__main__":
    sys.exit(main())
