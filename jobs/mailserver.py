"""`python -m jobs.mailserver`: the embedded SMTP server (127.0.0.1), keeping every message it
receives in the maildir under the data directory (`data/maildir`), where the "Boîte d'envoi
(démo)" page reads them. `make run` starts it when no SMTP server is configured
(ENCOURS_SMTP_HOST unset); the app then sends to it on ENCOURS_SMTP_PORT (default 8025).
It also plays the demo's bouncing (`@rebond.example`) and away (`@absent.example`) customers,
writing their bounces and replies into `data/mail/bounces`, the mailbox the scheduler reads.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from core.config import load_settings
from core.mail.local_server import LOCAL_HOST, bounces_maildir, serving
from core.store.paths import StorePaths
from jobs import exit_codes, logs

log = logging.getLogger("encours.mailserver")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.mailserver", description="Serveur SMTP local d'Encours")
    parser.add_argument("--port", type=int, default=None, help="port d'écoute (défaut : ENCOURS_SMTP_PORT, 8025)")
    parser.add_argument("--maildir", type=Path, default=None, help="dossier maildir (défaut : data/maildir)")
    parser.add_argument(
        "--bounces", type=Path, default=None, help="maildir des rebonds et absences (défaut : data/mail/bounces)"
    )
    args = parser.parse_args(argv)
    logs.configure()
    settings = load_settings()
    port = args.port or settings.mail.smtp_port
    maildir = args.maildir or StorePaths(settings.data_dir).maildir
    bounces = args.bounces or bounces_maildir(settings.data_dir)
    if not settings.mail.embedded and args.port is None:
        log.warning(
            "un serveur SMTP est configuré (%s) : Encours envoie vers lui, pas vers ce serveur local",
            settings.mail.smtp_host,
        )
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        with serving(maildir, port=port, bounces=bounces):
            log.info(
                "serveur SMTP local sur %s:%s ; messages conservés dans %s, rebonds de démonstration dans %s",
                LOCAL_HOST, port, maildir, bounces,
            )  # fmt: skip
            stop.wait()
    except OSError as exc:
        log.error("le serveur SMTP local ne peut pas écouter sur %s:%s (%s) : port déjà pris ?", LOCAL_HOST, port, exc)
        return exit_codes.FAILED
    log.info("serveur SMTP local arrêté")
    return exit_codes.OK


if __name__ == "__main__":
    sys.exit(main())
