"""Serve demo data through the local Pennylane-compatible API.

    python -m jobs.pennylane_local --data DIR [--port 8765] [--host 127.0.0.1] [--no-rate-limit] [--now 2026-11-20T09:00:00Z]
        [--scopes-spelling read|upper|bare] [--lettering-without-own-id] [--clock-skew-minutes -10]

``DIR`` is a demo root (``organisation.json`` + one folder per entity; the
token for entity X is built from the folder's ``api-token`` secret, see
``core.ingestion.demo_source``) or a single entity folder. ``--now``
starts the server's clock at that instant (it then advances normally), so the
changelogs of data generated for a given day stay inside their 4-week window.
The last three flags switch on quirks other Pennylane-compatible servers show
(``pennylane_local.quirks``).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.config import PROJECT_ROOT
from core.ingestion.demo_source import DemoServerUnavailable, check_server, demo_base_url, ensure_token
from core.pennylane.scopes import API_PREFIX
from pennylane_local import create_app, load_data, run_forever
from pennylane_local.changelog import parse_timestamp
from pennylane_local.quirks import SCOPE_SPELLINGS, Quirks

log = logging.getLogger("jobs.pennylane_local")


def _clock_from(start: datetime) -> Callable[[], datetime]:
    offset = start - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.pennylane_local", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="demo root or entity folder")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-rate-limit", action="store_true", help="do not enforce 25 requests / 5 s per token")
    parser.add_argument(
        "--now", type=parse_timestamp, default=None, help="server clock start, RFC 3339 (default: real time)"
    )
    parser.add_argument("--scopes-spelling", choices=sorted(SCOPE_SPELLINGS), help="/me spells the scopes otherwise")
    parser.add_argument(
        "--lettering-without-own-id", action="store_true", help="lettered ids list only the other lines of the group"
    )
    parser.add_argument(
        "--clock-skew-minutes", type=float, default=0.0, help="server clock ahead (+) or behind (-) real time"
    )
    args = parser.parse_args(argv)
    quirks = Quirks(
        scopes_spelling=args.scopes_spelling,
        lettering_without_own_id=args.lettering_without_own_id,
        clock_skew=timedelta(minutes=args.clock_skew_minutes),
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        datasets = load_data(args.data)
    except (OSError, ValueError, KeyError) as exc:
        log.error("Cannot load demo data from %s: %s", args.data, exc)
        return 2
    clock = _clock_from(args.now) if args.now else None
    app = create_app(datasets, rate_limit=not args.no_rate_limit, now=clock, quirks=quirks)
    companies = sorted(str(d.me.get("company", {}).get("name")) for d in datasets.values())
    log.info(
        "Serving %d companies on http://%s:%d%s: %s",
        len(datasets),
        args.host,
        args.port,
        API_PREFIX,
        ", ".join(companies),
    )
    run_forever(app, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())


@contextmanager
def serving_demo(demo_dir: Path, port: int, *, timeout_s: float = 60.0) -> Iterator[str]:
    """This data directory's demo company served on `port` by a child process, for the block.

    Waits until the server answers with this directory's token; fails clearly if the port is
    taken by another installation or the server does not come up.
    """
    ensure_token(demo_dir)
    base_url = demo_base_url(port)
    command = [sys.executable, "-m", "jobs.pennylane_local", "--data", str(demo_dir), "--port", str(port)]
    child = subprocess.Popen([*command, "--no-rate-limit"], cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                check_server(demo_dir, base_url, timeout_s=2.0)
                break
            except DemoServerUnavailable:
                if child.poll() is not None:
                    raise  # the port is taken (by another installation's server, or anything else)
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        log.info("serveur Pennylane local de démonstration : %s", base_url)
        yield base_url
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
