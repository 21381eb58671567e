"""Run the local Pennylane server with uvicorn: in a background thread (tests) or in the foreground (CLI).

The thread variant binds its socket itself before uvicorn starts, so port 0
gives a free port with no race, and the base URL is known once ``start``
returns.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from core.pennylane.scopes import API_PREFIX

log = logging.getLogger(__name__)


def _config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    # Keep-alive longer than any test's idle gap: a connection closed by the
    # server just as the client reuses it would show up as a spurious error.
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=1,
        date_header=False,  # the app sends its own, from the server's clock (which tests pin or skew)
    )


class ServerThread:
    """``with ServerThread(app) as server: server.base_url`` — uvicorn on 127.0.0.1, stopped on exit."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on connections
        # accepted from such a socket; without it every response stalls ~40 ms
        # on delayed ACKs.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(_config(app, host, self.port))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"pennylane-local:{self.port}",
            daemon=True,
        )

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + API_PREFIX

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"local Pennylane server did not start on {self.root_url}")
            time.sleep(0.01)
        log.debug("Local Pennylane server listening on %s", self.root_url)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def run_forever(app: Starlette, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve in the foreground until SIGINT/SIGTERM (uvicorn handles the signals)."""
    uvicorn.Server(_config(app, host, port)).run()
