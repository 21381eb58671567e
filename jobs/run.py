"""`make run`: everything Encours needs, started together and stopped together.

With no Pennylane token configured, the demo company is generated (once) and its hierarchy
seeded; the scheduler then syncs at start and on its cadence, and the app (port 8501)
shows "no data yet" until the first sync publishes.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from core.config import PROJECT_ROOT, load_settings
from core.formatting import paris_today
from core.ingestion.demo_source import answers, demo_entities
from core.pennylane.scopes import API_PREFIX
from core.store.paths import StorePaths
from jobs import demo, logs

log = logging.getLogger("encours.run")


def wait_for_demo_api(paths: StorePaths, port: int, timeout_s: float = 60) -> None:
    entity = demo_entities(paths.demo_dir, f"http://127.0.0.1:{port}{API_PREFIX}")[0]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if answers(entity.api_url, entity.token.reveal()):
            return
        time.sleep(0.2)
    log.warning("le serveur Pennylane local ne répond pas ; la synchronisation en démarrera un")


def main() -> int:
    logs.configure()
    settings = load_settings()
    paths = StorePaths(settings.data_dir).ensure()
    if settings.demo:
        demo.ensure_generated(paths.demo_dir, today=paris_today(), invoices=settings.demo_invoices)
        demo.seed(paths)
    python = sys.executable
    children: list[subprocess.Popen[bytes]] = []
    if settings.demo:
        # The demo company is served over real HTTP by the project's Pennylane-compatible server;
        # the scheduler's syncs read it exactly as they would read Pennylane.
        children.append(
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "jobs.pennylane_local",
                    "--data",
                    str(paths.demo_dir),
                    "--port",
                    str(settings.demo_api_port),
                    "--no-rate-limit",
                ],
                cwd=PROJECT_ROOT,
            )  # fmt: skip
        )
        wait_for_demo_api(paths, settings.demo_api_port)
    children += [
        subprocess.Popen([python, "-m", "jobs.scheduler"], cwd=PROJECT_ROOT),
        subprocess.Popen(
            [
                python, "-m", "streamlit", "run", str(Path(PROJECT_ROOT) / "app.py"),
                "--server.port", str(settings.app_port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
            cwd=PROJECT_ROOT,
        ),
    ]  # fmt: skip
    log.info("Encours : http://127.0.0.1:%s", settings.app_port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.is_set() and all(c.poll() is None for c in children):
        stop.wait(1.0)
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
