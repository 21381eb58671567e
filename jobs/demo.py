"""The built-in demo company: generate it (once), seed its hierarchy, and load it.

python -m jobs.demo                 # generate if missing, seed, load directly from files
python -m jobs.demo --no-load       # generate and seed only (the sync then goes over HTTP)
python -m jobs.demo --invoices 1000000 --data-dir /tmp/bench   # benchmark sizes
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path

from core.config import load_settings
from core.formatting import PARIS, paris_now
from core.ingestion.batches import batches_from_demo
from core.ingestion.runs import publish_batches
from core.reminders import penalties
from core.reminders.letterheads import Letterhead, seed_letterheads
from core.store import operations
from core.store.lock import IngestionAlreadyRunning
from core.store.paths import StorePaths
from demo.generator import generate
from jobs import logs

log = logging.getLogger("encours.demo")


def ensure_generated(demo_dir: Path, *, today: date, invoices: int, force: bool = False) -> dict:
    """Generate the demo company unless the same one is already on disk."""
    manifest_path = demo_dir / "manifest.json"
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("invoices_requested") == invoices:
            return manifest
    log.info("génération de la société de démonstration (%s factures)…", invoices)
    return generate(demo_dir, today=today, invoices=invoices)


DEMO_RATES = (
    (
        date(2026, 1, 1),
        "2.15",
        "démonstration : taux indicatif, à vérifier sur le site de la BCE avant tout envoi réel",
    ),
    (
        date(2026, 7, 1),
        "2.15",
        "démonstration : taux indicatif, à vérifier sur le site de la BCE avant tout envoi réel",
    ),
)
"""The demo's formal notices need a rate for 2026; a real deployment's admin enters the ECB's
(core/reminders/penalties.py never assumes one)."""


DEMO_LETTERHEADS = (
    Letterhead("verdier-conseil", ("12 avenue de la République", "69002 LYON"), "Lyon",
               "Tél. 04 72 00 00 00 · recouvrement@verdier.example"),
    Letterhead("verdier-services", ("8 rue Nationale", "59000 LILLE"), "Lille",
               "Tél. 03 20 00 00 00 · recouvrement@verdier.example"),
    Letterhead("verdier-formation", ("21 cours de l'Intendance", "33000 BORDEAUX"), "Bordeaux",
               "Tél. 05 56 00 00 00 · recouvrement@verdier.example"),
)  # fmt: skip
"""The demo group's letterheads, so its printed letters show a sender address (invented ones)."""


def seed(paths: StorePaths) -> None:
    organisation = json.loads((paths.demo_dir / "organisation.json").read_text(encoding="utf-8"))
    with operations.session(paths) as ops:
        if operations.seed_organisation(ops, organisation):
            log.info("hiérarchie de démonstration chargée (%s utilisateurs)", len(organisation["users"]))
        penalties.seed_rates(ops, DEMO_RATES, paris_now())
        seed_letterheads(ops, DEMO_LETTERHEADS, now=paris_now())


def load(paths: StorePaths, *, now: datetime) -> None:
    report = publish_batches(paths, batches_from_demo(paths.demo_dir), now=now, source="files")
    log.info("chargé : %s ; écartés : %s", report.records, len(report.rejects))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--invoices", type=int, default=None, help="défaut : ENCOURS_DEMO_INVOICES (30 000)")
    parser.add_argument(
        "--today", type=date.fromisoformat, default=None, help="AAAA-MM-JJ (défaut : aujourd'hui, Paris)"
    )
    parser.add_argument("--force", action="store_true", help="régénérer même si elle existe")
    parser.add_argument("--no-load", action="store_true", help="générer et initialiser sans charger le magasin")
    args = parser.parse_args(argv)
    logs.configure()
    settings = load_settings()
    paths = StorePaths(args.data_dir or settings.data_dir).ensure()
    now = paris_now() if args.today is None else datetime.combine(args.today, datetime.min.time(), PARIS)
    ensure_generated(
        paths.demo_dir, today=now.date(), invoices=args.invoices or settings.demo_invoices, force=args.force
    )
    seed(paths)
    if not args.no_load:
        try:
            load(paths, now=now)
        except IngestionAlreadyRunning as exc:
            print(f"encours: {exc}", file=sys.stderr)
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
