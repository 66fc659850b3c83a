"""Choose the platform a terminal talks to: the configured URL, or the embedded sandbox (demo).

``platform.base_url`` empty means "the embedded sandbox", which only the demo profile allows;
the site profile must name a real platform. This is the one place that choice is made: the
composition root, `kiosk doctor` and the tools all call `connect`. The caller closes the
connection on exit, which also stops the embedded sandbox. The embedded sandbox speaks mutual
TLS like a real platform, with a throwaway CA made in the data folder (``pki/``) on first use
(ADR 0410).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.boot.settings import ConfigError
from kiosk.core.events import log_event
from kiosk.platform.client import PlatformClient
from kiosk.trust.ca import Credentials, demo_pki

if TYPE_CHECKING:
    from kiosk.sandbox.server import SandboxHandle

#: The embedded sandbox's database, in the terminal's data folder (kept across restarts).
SANDBOX_DB_NAME = "sandbox.sqlite3"
DEMO_PKI_DIR = "pki"
log = logging.getLogger(__name__)


def start_embedded_sandbox(
    db_path: Path, data_dir: Path, terminal_id: str, port: int = 0
) -> tuple[SandboxHandle, Credentials]:
    """The demo's sandbox over mutual TLS, and this terminal's credentials for it.

    The throwaway CA, the sandbox's server certificate and the terminal's certificate live in
    ``data_dir/pki`` (made on first use, keys 0600). The per-terminal verification limit is
    off: the demo sandbox holds invented residents only and soak runs verify at machine pace.
    """
    from kiosk.sandbox.demo_address import record_demo_url
    from kiosk.sandbox.server import start_sandbox  # only the demo profile loads the sandbox
    from kiosk.sandbox.tls import SandboxTls

    pki = demo_pki(Path(data_dir) / DEMO_PKI_DIR, terminal_id)
    tls = SandboxTls(
        pki.server.cert_file,
        pki.server.key_file,
        pki.ca.ca_file,
        pki.ca.revoked_file,
        verify_per_minute=0,
    )
    try:
        handle = start_sandbox(db_path, port=port, tls=tls)
    except OSError as exc:  # the demo port is taken (another demo, a test): any free port
        if port == 0:
            raise
        log_event(log, "demo_port_taken", logging.WARNING, port=port, error=exc.strerror)
        handle = start_sandbox(db_path, port=0, tls=tls)
    record_demo_url(Path(data_dir), handle.url)
    return handle, pki.terminal


class PlatformConfigError(ConfigError):
    """The configuration does not say which platform to use (message names the key)."""


@dataclass(slots=True)
class PlatformConnection:
    """The client, and the embedded sandbox when one was started for it."""

    client: PlatformClient
    sandbox: SandboxHandle | None = None

    @property
    def base_url(self) -> str:
        """Where the client sends its requests."""
        return self.client.base_url

    def close(self) -> None:
        """Close the client, then stop the embedded sandbox if any."""
        self.client.close()
        if self.sandbox is not None:
            self.sandbox.stop()


def connect(settings: Any, data_dir: Path | None = None) -> PlatformConnection:
    """A client for ``settings`` (`kiosk.boot.settings.Settings`), starting the sandbox if needed
    (its database in ``data_dir``, by default the terminal's data folder)."""
    platform = settings.platform
    if platform.base_url:
        return PlatformConnection(PlatformClient.from_settings(platform, settings.terminal_id))
    if settings.profile != "demo":
        raise PlatformConfigError(
            "platform.base_url: required in the site profile "
            "(the embedded sandbox is for the demo profile only)"
        )
    folder = Path(data_dir) if data_dir is not None else Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    sandbox, credentials = start_embedded_sandbox(
        folder / SANDBOX_DB_NAME, folder, settings.terminal_id, port=platform.demo_port
    )
    client = PlatformClient.from_settings(
        platform, settings.terminal_id, base_url=sandbox.url, tls=credentials
    )
    return PlatformConnection(client, sandbox)
