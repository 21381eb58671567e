"""Export a list from a shell or a scheduler, exactly as the page's buttons do:

    python -m jobs.export --list invoices --filters "agence=lyon&retard_min=30" \\
        --format pdf --as compta@verdier.example --out late-lyon.pdf

`--filters` is the list's query string (docs/lists.md), read strictly: a filter that cannot be
read stops the export instead of being left out. `--as` is the active user whose scope applies;
the export is recorded in the export log with source "cli".

Exit codes: 0 the file is written; 2 bad arguments (unknown list, format or user, unreadable
filters: one French line each on stderr, nothing written); 1 the store cannot be read or the
file cannot be written.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from core.config import ConfigError, load_settings
from core.exports.formats import FORMATS, UnknownFormat, export_format
from core.formatting import paris_now
from core.lists.exporting import LISTS, ExportRequestError, requested_export, write_export
from core.scope import UnknownUser, scope_of
from core.store.analytical import StoreNotPublished
from core.store.paths import StorePaths
from jobs import exit_codes, logs

log = logging.getLogger("encours.export")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.export", description="Export d'une liste Encours")
    parser.add_argument("--list", required=True, help=f"la liste à exporter : {', '.join(LISTS)}")
    parser.add_argument("--filters", default="", help='filtres de la page, ex. "agence=lyon&retard_min=30"')
    parser.add_argument("--format", required=True, help=f"format du fichier : {', '.join(FORMATS)}")
    parser.add_argument(
        "--as", dest="email", required=True, help="e-mail de l'utilisateur dont le périmètre s'applique"
    )
    parser.add_argument("--out", required=True, type=Path, help="fichier à écrire")
    args = parser.parse_args(argv)
    logs.configure()
    now = paris_now()
    try:
        fmt = export_format(args.format)
        paths = StorePaths(load_settings().data_dir)
        if not paths.operations.exists():
            raise ConfigError(f"aucun magasin de données dans {paths.data_dir} (lancez `make run` ou jobs.ingest)")
        scope = scope_of(paths, args.email)
        export = requested_export(paths, scope, args.list, args.filters, today=now.date(), now=now)
    except (ConfigError, UnknownFormat, UnknownUser, ExportRequestError) as exc:
        for line in str(exc).splitlines():
            print(f"encours: {line}", file=sys.stderr)
        return exit_codes.CONFIG
    except StoreNotPublished as exc:
        print(f"encours: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    partial = args.out.with_name(args.out.name + ".partial")
    started = time.perf_counter()
    try:
        with partial.open("wb") as out:
            rows = write_export(paths, scope, export, fmt.key, out, now=now, source="cli")
        os.replace(partial, args.out)  # a reader never sees half a file
    except OSError as exc:
        partial.unlink(missing_ok=True)
        print(f"encours: écriture de {args.out} impossible : {exc.strerror or exc}", file=sys.stderr)
        return exit_codes.FAILED
    log.info(
        "%s : %d ligne(s) exportée(s) en %s pour %s dans %s (%.1f s)",
        LISTS[args.list], rows, fmt.label, scope.email, args.out, time.perf_counter() - started,
    )  # fmt: skip
    return exit_codes.OK


if __name__ == "__main__":
    sys.exit(main())
