"""The console over mutual TLS in tests: a fleet CA in a temporary folder (kiosk.trust.ca), the
console's server certificate, terminals' client certificates, and the real console served by
uvicorn with `ClientCertificateIdentity` (docs/adr/0700)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from kiosk.console.app import create_app
from kiosk.console.server import start_server
from kiosk.console.settings import ConsoleSettings
from kiosk.console.terminal_auth import ClientCertificateIdentity
from kiosk.console.tls import ConsoleTls
from kiosk.trust.ca import CertificateAuthority, Credentials
from tests.console.conftest import Clock
from tests.console.helpers import Console


@dataclass
class TlsConsole:
    """A console serving HTTPS with client certificates, and its fleet CA."""

    console: Console
    ca: CertificateAuthority
    folder: Path

    @property
    def url(self) -> str:
        """The console's https URL."""
        return self.console.url

    def certificate(self, terminal_id: str) -> Credentials:
        """A client certificate for ``terminal_id`` from the fleet CA (`kiosk ca enrol`)."""
        return self.ca.enrol(terminal_id, self.folder / "terminals" / terminal_id)

    def session(self, creds: Credentials | None) -> requests.Session:
        """A requests session trusting the fleet CA, presenting ``creds`` (None: no cert)."""
        session = requests.Session()
        session.verify = str(self.ca.ca_file)
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace `verify`
        if creds is not None:
            session.cert = (str(creds.cert_file), str(creds.key_file))
        return session


def fleet_ca(tmp_path: Path) -> CertificateAuthority:
    """The fleet CA in ``tmp_path/fleet-pki`` (made the first time), with the console's server
    certificate for 127.0.0.1."""
    folder = tmp_path / "fleet-pki"
    if (folder / "ca" / "ca.key").exists():
        return CertificateAuthority.open(folder / "ca")
    ca = CertificateAuthority.create(folder / "ca", name="Test Fleet CA")
    ca.issue_server(["127.0.0.1", "localhost"], folder / "console")
    return ca


def free_port() -> int:
    """A port nothing listens on now (for a console that starts later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def tls_console(tmp_path: Path, database_url: str | None = None, port: int = 0,
                **settings: float) -> Iterator[TlsConsole]:
    """Serve a fresh console (SQLite in ``tmp_path`` unless given) over mutual TLS."""
    ca = fleet_ca(tmp_path)
    folder = tmp_path / "fleet-pki"
    tls = ConsoleTls(folder / "console" / "server.pem", folder / "console" / "server.key",
                     ca.ca_file, ca.revoked_file)
    url = database_url or f"sqlite:///{os.path.join(tmp_path, 'console.db')}"
    clock = Clock()
    values = {"heartbeat_min_interval_seconds": 0.0, "offline_sweep_interval_seconds": 1.0,
              "notify_interval_seconds": 0.3, "notify_retry_base_seconds": 0.5, **settings}
    app = create_app(ConsoleSettings(database_url=url, secure_cookies=True,
                                     **values),  # type: ignore[arg-type]
                     clock=clock, identity=ClientCertificateIdentity(ca.ca_file,
                                                                    ca.revoked_file))
    handle = start_server(app, port=port, tls=tls)
    try:
        yield TlsConsole(Console(handle.url, app.state.sessions, clock, url, str(ca.ca_file)), ca,
                         folder)
    finally:
        handle.stop()
