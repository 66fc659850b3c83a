"""Who is this terminal? The seam between the console and the terminal identity.

`ClientCertificateIdentity` (docs/adr/0700): the terminal's client certificate, verified against
the fleet CA during the TLS handshake (kiosk/console/tls.py), names the terminal in its subject
(CN = terminal id, as `kiosk ca enrol` issues it); the id must be enrolled on the console, not
revoked there, the certificate's serial not in the CA's revocation list, and it must be the
terminal the request's path names. A refusal says which of these failed (`Refusal`).

`BearerTokenIdentity` (docs/adr/0502) is the explicit development mode only (`kiosk console
--insecure-http`, and tests of the pages on plain http): a per-terminal token issued at
enrolment, of which the console keeps the SHA-256. Routes only ever see the terminal id an
identity returns.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from kiosk.console.models import Terminal
from kiosk.trust.ca import read_revoked


def new_token() -> str:
    """A fresh terminal token (shown once, in the enrolment bundle)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the console stores for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TerminalIdentity(Protocol):
    """Resolves the terminal behind a request, or None (or `Refusal`) when it proves nothing
    valid."""

    def terminal_id(self, request: Request, db: Session) -> str | None:
        """The id of the enrolled, not revoked terminal that sent `request`."""
        ...


class Refusal(Exception):
    """Why a terminal is refused: an HTTP status, a code and a plain message for its log."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message


NO_CERTIFICATE = Refusal(401, "no_client_certificate",
                         "no client certificate: terminals call the console over mutual TLS "
                         "with the certificate from `kiosk ca enrol`")


def peer_certificate(request: Request) -> x509.Certificate | None:
    """The verified client certificate of the request's TLS connection (the ASGI TLS
    extension's ``client_cert_chain[0]``), or None."""
    tls = (request.scope.get("extensions") or {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or []
    if not chain:
        return None
    try:
        return x509.load_pem_x509_certificate(str(chain[0]).encode("ascii"))
    except ValueError:
        return None


class _RevokedSerials:
    """The CA's revoked.txt, re-read whenever its size or time changes (thread-safe)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = None
        self._serials: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def current(self) -> frozenset[str]:
        if self.path is None:
            return frozenset()
        try:
            stat = os.stat(self.path)
            key = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            key = (0, 0)
        with self._lock:
            if key != self._seen:
                self._serials = read_revoked(self.path)
                self._seen = key
            return self._serials


class ClientCertificateIdentity:
    """The verified client certificate's CN, enrolled and not revoked (docs/adr/0700)."""

    def __init__(self, ca_file: Path | None = None, revoked_file: Path | None = None) -> None:
        self.ca_file = ca_file
        self._revoked = _RevokedSerials(revoked_file)

    def ca_pem(self) -> str:
        """The fleet CA certificate for the enrolment bundle ("" when it cannot be read)."""
        if self.ca_file is None:
            return ""
        try:
            return self.ca_file.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            return ""

    def terminal_id(self, request: Request, db: Session) -> str | None:
        """The terminal the certificate names; raises `Refusal` saying what is wrong."""
        cert = peer_certificate(request)
        if cert is None:
            raise NO_CERTIFICATE
        try:
            usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            usages = None
        if usages is None or ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
            raise Refusal(403, "not_a_terminal_certificate",
                          "the certificate is not issued for client authentication "
                          "(issue terminal certificates with `kiosk ca enrol`)")
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        terminal_id = str(names[0].value) if names else ""
        if not terminal_id:
            raise Refusal(403, "certificate_without_terminal",
                          "the client certificate names no terminal (no CN)")
        if format(cert.serial_number, "x") in self._revoked.current():
            raise Refusal(403, "certificate_revoked",
                          f"the certificate of terminal {terminal_id} is revoked by the fleet CA")
        wanted = request.path_params.get("terminal_id")
        if wanted is not None and wanted != terminal_id:
            raise Refusal(403, "wrong_terminal",
                          f"this certificate belongs to terminal {terminal_id}, not {wanted}")
        terminal = db.get(Terminal, terminal_id)
        if terminal is None:
            raise Refusal(403, "not_enrolled",
                          f"terminal {terminal_id} is not enrolled on this console "
                          "(an admin adds it on 终端登记)")
        if terminal.revoked:
            raise Refusal(403, "terminal_revoked",
                          f"terminal {terminal_id} is revoked on this console")
        return terminal.id


class BearerTokenIdentity:
    """`Authorization: Bearer <token>`; the token must belong to an enrolled, live terminal."""

    def terminal_id(self, request: Request, db: Session) -> str | None:
        """The terminal whose token hash matches, if it is not revoked."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        terminal = db.scalar(select(Terminal).where(Terminal.token_hash == hash_token(
            token.strip())))
        if terminal is None or terminal.revoked:
            return None
        return terminal.id
