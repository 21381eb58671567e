"""The ingestion job: `python -m jobs.ingest [--full] [--wait] [--check]`.

Syncs every configured entity from Pennylane (or the demo company from the project's local
Pennylane-compatible server when no token is configured) and publishes one snapshot.
`--check` syncs nothing: per entity, the connection (GET /me), the scopes /me lists and one
request per resource the sync reads, printed in French; exit 0 when every entity answers.

Exit codes: 0 success; 1 the sync failed for at least one entity (one line per reason on
stderr; the others are published), or more than ENCOURS_MAX_GAPS_PERCENT of an entity's paid
invoices have no payment date, or the run was stopped (SIGTERM, Ctrl-C: its runs are recorded
as interrupted); 2 configuration error; 3 another sync is already running (use --wait to queue
behind it).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from core.config import ConfigError, EntityConfig, Settings, load_settings
from core.formatting import paris_now
from core.ingestion.access_check import EntityCheck, check_entities
from core.ingestion.demo_source import DemoServerUnavailable, demo_api, demo_entities
from core.ingestion.runs import percent
from core.ingestion.sync import run_sync
from core.store.lock import IngestionAlreadyRunning, ingestion_lock
from core.store.paths import StorePaths
from jobs import exit_codes, logs, progress

log = logging.getLogger("encours.ingest")


class Stopped(BaseException):
    """SIGTERM received: unwinds the run like Ctrl-C, so every run row is closed and the lock freed."""

    def __str__(self) -> str:
        return "arrêt demandé (SIGTERM)"


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn the first SIGTERM into Stopped; later ones are ignored while the run cleans up."""

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Stopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def configured_entities(settings: Settings, paths: StorePaths) -> Iterator[tuple[EntityConfig, ...]]:
    """The entities to sync: the configured tokens, or the demo company over local HTTP."""
    if not settings.demo:
        yield settings.entities
        return
    with demo_api(paths.demo_dir, settings.demo_api_port) as base_url:
        yield demo_entities(paths.demo_dir, base_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.ingest", description="Synchronisation Pennylane → Encours")
    parser.add_argument("--full", action="store_true", help="reprise complète, même si une synchro incrémentale suffit")
    parser.add_argument("--wait", action="store_true", help="attendre la fin d'une synchronisation déjà en cours")
    parser.add_argument(
        "--check", action="store_true", help="vérifier la connexion et les droits de chaque société, sans synchroniser"
    )
    args = parser.parse_args(argv)
    logs.configure()
    try:
        with stop_on_sigterm():
            settings = load_settings()
            paths = StorePaths(settings.data_dir).ensure()
            if args.check:
                with configured_entities(settings, paths) as entities:
                    return _report_checks(check_entities(entities))
            with ingestion_lock(paths.ingest_lock, wait=args.wait), configured_entities(settings, paths) as entities:
                with progress.for_terminal() as bar:
                    result = run_sync(
                        paths, entities, now=paris_now(), clock=paris_now, full=args.full, progress=bar,
                        max_rejected_share=settings.max_rejected_share, max_gap_share=settings.max_gap_share,
                    )  # fmt: skip
    except ConfigError as exc:
        print(f"encours: configuration : {exc}", file=sys.stderr)
        return exit_codes.CONFIG
    except DemoServerUnavailable as exc:
        print(f"encours: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    except IngestionAlreadyRunning as exc:
        print(f"encours: {exc}", file=sys.stderr)
        return exit_codes.BUSY
    except (Stopped, KeyboardInterrupt) as exc:
        print(f"encours: synchronisation interrompue : {exc or 'Ctrl-C'}.", file=sys.stderr)
        return exit_codes.FAILED
    for entity_id, reason in result.failures.items():
        print(f"encours: {entity_id} : {reason}", file=sys.stderr)
    holes = result.report.gaps_over(settings.max_gap_share) if result.report is not None else {}
    for entity_id, gaps in holes.items():
        print(
            f"encours: {entity_id} : {gaps.describe()} (plus de {percent(settings.max_gap_share)} ; "
            "ENCOURS_MAX_GAPS_PERCENT)",
            file=sys.stderr,
        )
    return exit_codes.OK if result.ok and not holes else exit_codes.FAILED


def _report_checks(checks: list[EntityCheck]) -> int:
    for check in checks:
        print(f"{check.entity_id} ({check.name}) :")
        for line in check.lines:
            print(f"  {line}")
    if all(c.ok for c in checks):
        print("Toutes les sociétés répondent.")
        return exit_codes.OK
    failing = ", ".join(c.entity_id for c in checks if not c.ok)
    print(f"Vérification en échec pour : {failing}.")
    return exit_codes.FAILED


if __name__ == "__main__":
    sys.exit(main())
