"""The Pennylane client's exceptions, each marked transient (retry) or terminal.

Messages are plain French sentences meant to be shown as-is at the page or CLI
boundary. They are built only from the status, the path and a cleaned excerpt
of the server's body: the token is never part of them, and any echo of it in a
body is masked before it can reach a message or a log line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.pennylane.scopes import required_scope

_BEARER = re.compile(r"(?i)bearer\s+\S+")
_DETAIL_MAX = 300


class PennylaneError(Exception):
    """Base class: ``status``/``path`` give context, ``transient`` says whether a retry may help."""

    def __init__(self, message: str, *, status: int | None = None, path: str | None = None, transient: bool) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.path = path
        self.transient = transient

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, path={self.path!r}, transient={self.transient}, message={self.message!r})"


class PennylaneAuthError(PennylaneError):
    """401: the token is invalid, revoked or expired; only a new token fixes it."""


class PennylaneScopeError(PennylaneError):
    """403: the token works but lacks the scope this endpoint requires (``scope``)."""

    def __init__(self, message: str, *, scope: str | None, status: int | None = 403, path: str | None = None) -> None:
        super().__init__(message, status=status, path=path, transient=False)
        self.scope = scope


class PennylaneRateLimited(PennylaneError):
    """429: too many requests for this token; ``retry_after`` seconds when the server said so."""

    def __init__(self, message: str, *, retry_after: float | None, path: str | None = None) -> None:
        super().__init__(message, status=429, path=path, transient=True)
        self.retry_after = retry_after


class PennylaneServerError(PennylaneError):
    """5xx: transient for 500/502/503/504, terminal for the others (501, 505…)."""


class PennylaneTimeout(PennylaneError):
    """No answer within the client's timeout."""


class PennylaneConnectionError(PennylaneError):
    """The connection failed or broke before a full response arrived."""


class PennylaneBadResponse(PennylaneError):
    """A 2xx whose body is not JSON or not the documented shape (truncated, missing ``items``…)."""


class PennylaneRequestError(PennylaneError):
    """400/404/422 and other 4xx: the request itself is wrong; retrying will not help."""


class PennylaneCursorExpired(PennylaneRequestError):
    """400 on a request that carried a cursor: the listing must restart from its first page."""


class PennylaneChangelogTooOld(PennylaneRequestError):
    """422 on a changelog: ``start_date`` is past the 4-week retention; run a full sync instead."""


RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def clean_detail(text: str, secret: str | None = None) -> str:
    """One short line from a server body, with the token and any bearer string masked."""
    if secret:
        text = text.replace(secret, "***")
    text = _BEARER.sub("Bearer ***", text)
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"


def describe_body(body: bytes, secret: str | None = None) -> str:
    """Best-effort summary of an error body: JSON ``error``/``message``/``details`` variants or plain text."""
    text = body.decode("utf-8", errors="replace")
    try:
        data: Any = json.loads(text)
    except ValueError:
        return clean_detail(text, secret)
    if isinstance(data, dict):
        parts = [str(data[k]) for k in ("error", "message") if isinstance(data.get(k), (str, int, float))]
        if data.get("field"):
            parts.append(f"champ {data['field']}")
        if data.get("code"):
            parts.append(f"code {data['code']}")
        if data.get("details"):
            parts.append(
                json.dumps(data["details"], ensure_ascii=False)
                if not isinstance(data["details"], str)
                else data["details"]
            )
        if parts:
            return clean_detail(" — ".join(dict.fromkeys(parts)), secret)
    return clean_detail(text, secret)


def error_for_status(
    status: int,
    path: str,
    body: bytes,
    *,
    had_cursor: bool = False,
    retry_after: float | None = None,
    secret: str | None = None,
) -> PennylaneError:
    """Map a non-2xx response to the right exception, with a message a finance user can act on."""
    detail = describe_body(body, secret)
    suffix = f" Détail : {detail}" if detail else ""
    if status == 401:
        return PennylaneAuthError(
            "Pennylane refuse le jeton d'API (HTTP 401) : il est invalide, révoqué ou expiré. "
            "Générez un nouveau jeton dans Pennylane (Paramètres → Connectivité → Développeurs).",
            status=status,
            path=path,
            transient=False,
        )
    if status == 403:
        scope = required_scope(path)
        missing = f"il lui manque la permission « {scope} »" if scope else "il lui manque une permission"
        return PennylaneScopeError(
            f"Le jeton d'API n'a pas le droit de lire {path} (HTTP 403) : {missing}. "
            "Recréez le jeton en cochant cette permission.",
            scope=scope,
            path=path,
        )
    if status == 429:
        wait = f" Nouvel essai possible dans {retry_after:g} s." if retry_after is not None else ""
        return PennylaneRateLimited(
            f"Pennylane limite le nombre de requêtes (HTTP 429) sur {path}.{wait}", retry_after=retry_after, path=path
        )
    if status >= 500:
        return PennylaneServerError(
            f"Pennylane est momentanément indisponible (HTTP {status}) sur {path}.{suffix}",
            status=status,
            path=path,
            transient=status in RETRYABLE_STATUSES,
        )
    if status == 400 and had_cursor:
        return PennylaneCursorExpired(
            f"Le curseur de pagination n'est plus accepté sur {path} (HTTP 400) : "
            f"la lecture doit reprendre depuis la première page.{suffix}",
            status=status,
            path=path,
            transient=False,
        )
    if status == 422 and "/changelogs/" in path:
        return PennylaneChangelogTooOld(
            "Le journal des modifications de Pennylane ne garde que 4 semaines : la date de départ demandée "
            f"est trop ancienne (HTTP 422 sur {path}). Une synchronisation complète est nécessaire.{suffix}",
            status=status,
            path=path,
            transient=False,
        )
    return PennylaneRequestError(
        f"Pennylane a rejeté la requête sur {path} (HTTP {status}).{suffix}", status=status, path=path, transient=False
    )
