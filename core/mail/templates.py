"""The reminder templates (Jinja2 files under `core/mail/templates/`), one pair per language.

Each language has a subject and a body template: `reminder.<lang>.subject.txt` and
`reminder.<lang>.body.txt`. They are plain text, so nothing is escaped; amounts and dates reach
them already formatted by `core.formatting` (one money formatter: `1 234,56 €`). A missing
variable is an error, never an empty hole in a letter sent to a customer.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from core.mail.message import header_text

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("fr", "en")
LANGUAGE_LABELS = {"fr": "français", "en": "anglais"}


def language_of(billing_language: str | None) -> str:
    """The template language for a customer's Pennylane billing language (fr_FR, en_GB, de_DE…):
    French for French or unknown, English for every other language."""
    if not billing_language or billing_language.lower().startswith("fr"):
        return "fr"
    return "en"


@functools.cache
def environment() -> SandboxedEnvironment:
    """The one environment every e-mail is rendered in. Sandboxed: the automatic reminders'
    templates are written by an admin in the app (core/reminders/render.py renders them here)."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),  # the .txt templates are plain text
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, language: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of template `name` (e.g. "reminder") in `language`."""
    if language not in LANGUAGES:
        raise ValueError(f"langue de modèle inconnue : {language!r}")
    env = environment()
    subject = env.get_template(f"{name}.{language}.subject.txt").render(context)
    body = env.get_template(f"{name}.{language}.body.txt").render(context)
    return header_text(subject), body.strip() + "\n"
