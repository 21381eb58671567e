"""Logging set-up shared by the command-line jobs: plain lines, French messages, no secrets."""

from __future__ import annotations

import logging
import sys


def configure(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry full URLs
