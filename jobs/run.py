"""`make run`: everything Encours needs, started together and stopped together.

With no Pennylane token configured, the demo company is generated (once) and its hierarchy
seeded; the scheduler then serves it with the local Pennylane-compatible server and syncs at
start and on its cadence, and the app (port 8501) shows "no data yet" until the first sync
publishes. With no SMTP server configured, the embedded one (`jobs.mailserver`, 127.0.0.1:8025)
receives the reminders the app sends and keeps them in `data/maildir`.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path

from core.access.accounts import one_user_per_role
from core.access.permissions import role_label
from core.config import PROJECT_ROOT, load_settings
from core.formatting import paris_today
from core.store import operations
from core.store.paths import StorePaths
from jobs import demo, logs

log = logging.getLogger("encours.run")


def demo_sign_in_help(paths: StorePaths, port: int) -> str:
    """What `make run` prints: how to sign in to the demo company (one profile per role)."""
    with operations.session(paths) as ops:
        profiles = one_user_per_role(ops)
    lines = [
        f"Encours (démonstration) : ouvrez http://127.0.0.1:{port} et cliquez sur « Essayer en tant que … » :",
        *(f"  - {role_label(role)} : {name} <{email}>" for role, email, name in profiles),
        "Comptes locaux : un administrateur les crée (page Organisation) avec un mot de passe provisoire.",
    ]
    return "\n".join(lines)


def main() -> int:
    logs.configure()
    settings = load_settings()
    paths = StorePaths(settings.data_dir).ensure()
    if settings.demo:
        demo.ensure_generated(paths.demo_dir, today=paris_today(), invoices=settings.demo_invoices)
        demo.seed(paths)
    python = sys.executable
    children = [
        subprocess.Popen([python, "-m", "jobs.scheduler"], cwd=PROJECT_ROOT),
        subprocess.Popen(
            [
                python, "-m", "streamlit", "run", str(Path(PROJECT_ROOT) / "serve.py"),
                "--server.port", str(settings.app_port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--browser.gatherUsageStats", "false",
            ],
            cwd=PROJECT_ROOT,
        ),
    ]  # fmt: skip
    if settings.mail.embedded:
        children.append(subprocess.Popen([python, "-m", "jobs.mailserver"], cwd=PROJECT_ROOT))
    log.info("Encours : http://127.0.0.1:%s", settings.app_port)
    if settings.demo:
        print(demo_sign_in_help(paths, settings.app_port), flush=True)
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
