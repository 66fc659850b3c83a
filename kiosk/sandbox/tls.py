"""The sandbox platform's side of terminal identity (ADR 0412).

`SandboxTls` builds the server's TLS context: its own certificate, and client certificates
verified against the terminal CA. A client without a certificate still completes the handshake
(``CERT_OPTIONAL``) so that it gets a plain 401 answer instead of a broken connection; a client
with a certificate the CA did not sign fails the handshake. `Peer` is the verified certificate
(fingerprint, serial, terminal id); `RevocationList` re-reads ``revoked.txt`` whenever it
changes, on each request, so a revocation takes effect at once; `RateLimit` counts identity
verifications per terminal in a sliding minute.
"""

from __future__ import annotations

import hashlib
import os
import ssl
import threading
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from kiosk.trust.ca import read_revoked

HANDSHAKE_SECONDS = 10.0  # a client that does not finish the TLS handshake is dropped
DEFAULT_VERIFY_PER_MINUTE = 30


@dataclass(frozen=True, slots=True)
class SandboxTls:
    """Files the TLS sandbox needs."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path
    revoked_file: Path | None = None
    verify_per_minute: int = DEFAULT_VERIFY_PER_MINUTE

    def context(self) -> ssl.SSLContext:
        """A server context: TLS 1.2+, client certificates checked against the terminal CA."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        context.load_verify_locations(cafile=str(self.client_ca_file))
        context.verify_mode = ssl.CERT_OPTIONAL
        return context


@dataclass(frozen=True, slots=True)
class Peer:
    """A verified client certificate."""

    fingerprint: str  # SHA-256 of the DER certificate, hex
    serial: str  # lower-case hex, as in revoked.txt
    common_name: str  # the terminal id

    @classmethod
    def from_der(cls, der: bytes) -> Peer:
        """Read the identity out of a DER certificate the handshake verified."""
        cert = x509.load_der_x509_certificate(der)
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        common_name = str(names[0].value) if names else ""
        return cls(hashlib.sha256(der).hexdigest(), format(cert.serial_number, "x"), common_name)


class RevocationList:
    """The serials in a revocation file, re-read when the file changes (checked per request)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._serials: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def serials(self) -> frozenset[str]:
        """The revoked serials now."""
        if self.path is None:
            return frozenset()
        try:
            info = os.stat(self.path)
            stamp = (info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            stamp = (0, 0)
        with self._lock:
            if stamp != self._stamp:
                self._serials = read_revoked(self.path)
                self._stamp = stamp
            return self._serials


class RateLimit:
    """At most ``per_minute`` events per key in any 60 seconds (0 = no limit)."""

    WINDOW_SECONDS = 60.0
    MAX_KEYS = 10_000

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float) -> float:
        """Count one event; 0 when allowed, else the seconds until the next is allowed."""
        if self.per_minute <= 0:
            return 0.0
        with self._lock:
            if len(self._events) > self.MAX_KEYS:
                self._events.clear()
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.WINDOW_SECONDS:
                events.popleft()
            if len(events) >= self.per_minute:
                return events[0] + self.WINDOW_SECONDS - now
            events.append(now)
            return 0.0
