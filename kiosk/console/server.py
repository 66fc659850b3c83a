"""Serve a console app with uvicorn on a background thread (tests, benchmarks, `kiosk console`).

`start_server(app, host, port)` binds first (port 0 picks a free one), so the URL is known
before the thread starts and a port already taken is an OSError here, not in the thread.
With `tls` (kiosk/console/tls.py) it serves HTTPS and asks for terminals' client certificates;
without, plain http (tests of the pages, and the explicit `--insecure-http` development mode).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from kiosk.console.tls import ConsoleTls

#: Largest WebSocket message (视频帮办: a screenshot frame is at most 3 MB of text).
WS_MAX_BYTES = 4 * 1024 * 1024

#: How long to wait for uvicorn to report that it is serving.
STARTUP_TIMEOUT_SECONDS = 20.0
#: How long open connections may keep a stopping server (twice: then they are closed).
STOP_GRACE_SECONDS = 5.0

log = logging.getLogger(__name__)


@dataclass
class ServerHandle:
    """A running console server."""

    url: str
    app: FastAPI
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        """Ask uvicorn to finish and wait for it; connections still open after a grace period
        (a client that keeps its TLS connection) are closed rather than waited for."""
        self.server.should_exit = True
        self.thread.join(timeout=STOP_GRACE_SECONDS)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(timeout=STOP_GRACE_SECONDS)
        if self.thread.is_alive():
            log.warning("console server still stopping after %.0f s",
                        2 * STOP_GRACE_SECONDS)


def start_server(app: FastAPI, host: str = "127.0.0.1", port: int = 0,
                 tls: ConsoleTls | None = None) -> ServerHandle:
    """Start serving `app` (over HTTPS with client certificates when `tls` is given); returns
    once uvicorn accepts connections."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual_port = sock.getsockname()[1]
    options = tls.uvicorn_options() if tls is not None else {}
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            ws_max_size=WS_MAX_BYTES, **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name="console-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the console server did not start")
        time.sleep(0.02)
    shown = f"[{host}]" if ":" in host else host
    scheme = "https" if tls is not None else "http"
    return ServerHandle(f"{scheme}://{shown}:{actual_port}", app, server, thread)
