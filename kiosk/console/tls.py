"""The console over HTTPS with terminals' client certificates (docs/adr/0700).

`ConsoleTls` names the console's own certificate and key and the fleet CA that signs terminals'
certificates. uvicorn serves with ``ssl_cert_reqs=CERT_OPTIONAL`` and ``ssl_ca_certs`` = the
fleet CA: people's browsers present no certificate and still reach the login page; a terminal's
certificate is verified during the handshake, so a certificate from another CA never completes
it (the terminal sees an ``unknown ca`` alert). Whether a request *needs* a certificate is the
terminal API's business (kiosk/console/terminal_auth.py): no certificate there is a 401.

uvicorn (0.55) does not put the peer certificate in the ASGI scope yet. `PeerCertProtocol`, the
HTTP protocol class handed to uvicorn, adds the ASGI TLS extension's ``client_cert_chain``
(``scope["extensions"]["tls"]``, the verified leaf certificate as PEM) for each request of a TLS
connection, read once per connection from the transport's ``ssl_object``, and for a WebSocket
upgraded from it (the terminal's 视频帮办 signalling, docs/adr/0823). When uvicorn ships
the extension itself, this class can go and nothing else changes.

`dev_tls` makes (first time) or reuses the developer's throwaway PKI: the demo profile's CA in
the data folder (``var/pki/ca``, the same one a demo kiosk's certificate comes from) and a
console server certificate for the host it listens on.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kiosk.trust.ca import SERVER_CERT, SERVER_KEY, CertificateAuthority, Credentials

#: Where `dev_tls` keeps the console's own certificate, under the throwaway PKI folder.
DEV_SERVER_DIR = "console-server"


@dataclass(frozen=True, slots=True)
class ConsoleTls:
    """The files the console serves TLS with."""

    cert_file: Path  # the console's server certificate (PEM)
    key_file: Path  # its private key (0600)
    ca_file: Path  # the fleet CA: terminals' certificates must chain to it
    revoked_file: Path | None = None  # the CA's revoked.txt (serials), re-read when it changes

    def uvicorn_options(self) -> dict[str, Any]:
        """The keyword arguments for `uvicorn.Config` (TLS 1.2+, client certs optional)."""
        return {"ssl_certfile": str(self.cert_file), "ssl_keyfile": str(self.key_file),
                "ssl_ca_certs": str(self.ca_file), "ssl_cert_reqs": ssl.CERT_OPTIONAL,
                "http": PeerCertProtocol}

    def problems(self) -> list[str]:
        """Files that are missing or unsafe (the command line prints these, one a line)."""
        found = []
        for what, path in (("--tls-cert", self.cert_file), ("--tls-key", self.key_file),
                           ("--ca-file", self.ca_file)):
            if not path.is_file():
                found.append(f"{what}: file not found: {path}")
        if self.key_file.is_file() and self.key_file.stat().st_mode & 0o077:
            found.append(f"--tls-key: {self.key_file} is readable by others; expected mode 0600 "
                         "(chmod 600)")
        if self.revoked_file is not None and not self.revoked_file.parent.is_dir():
            found.append(f"--revoked-file: folder not found: {self.revoked_file.parent}")
        return found


def _pem(der: bytes) -> str:
    return ssl.DER_cert_to_PEM_cert(der)


class PeerCertProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, plus the ASGI TLS extension's client certificate."""

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        """Read the verified peer certificate once; every request on this connection sees it."""
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:
            return  # plain http: the extension is absent, as the ASGI spec says
        der = ssl_object.getpeercert(binary_form=True)
        tls = {"client_cert_chain": [_pem(der)] if der else [],
               "tls_version": ssl_object.version(), "server_cert": None,
               "client_cert_name": None, "client_cert_error": None, "cipher_suite": None}
        inner = self.app

        async def with_tls(scope: Any, receive: Any, send: Any) -> None:
            if scope.get("type") in ("http", "websocket"):
                scope = {**scope, "extensions": {**(scope.get("extensions") or {}),
                                                 "tls": tls}}
            await inner(scope, receive, send)

        self.app = with_tls
        # a WebSocket upgrade hands the connection to uvicorn's WebSocket protocol, which calls
        # the app it was configured with: give it the same one (视频帮办 signalling over wss)
        ws_protocol: Any = self.ws_protocol_class
        if ws_protocol is not None:
            def ws_with_tls(*args: Any, **kwargs: Any) -> Any:
                protocol = ws_protocol(*args, **kwargs)
                protocol.app = with_tls
                return protocol

            self.ws_protocol_class = ws_with_tls  # type: ignore[assignment]


def _covers(cert_file: Path, host: str) -> bool:
    """True when the certificate at ``cert_file`` names ``host`` (a name or an address)."""
    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in names.get_values_for_type(x509.DNSName)
    return address in names.get_values_for_type(x509.IPAddress)


def dev_tls(pki_dir: Path, host: str) -> ConsoleTls:
    """The developer's TLS: the throwaway CA in ``pki_dir/ca`` (made when absent) and a server
    certificate for ``host``, 127.0.0.1 and localhost (re-issued when ``host`` changes)."""
    ca = CertificateAuthority.open_or_create(pki_dir / "ca")
    server_dir = pki_dir / DEV_SERVER_DIR
    cert_file, key_file = server_dir / SERVER_CERT, server_dir / SERVER_KEY
    wanted = host if host not in ("0.0.0.0", "::", "") else "127.0.0.1"
    if not (cert_file.is_file() and key_file.is_file() and _covers(cert_file, wanted)):
        hosts = list(dict.fromkeys([wanted, "127.0.0.1", "localhost"]))
        creds: Credentials = ca.issue_server(hosts, server_dir)
        cert_file, key_file = creds.cert_file, creds.key_file
    return ConsoleTls(cert_file, key_file, ca.ca_file, ca.revoked_file)
