"""Who is this terminal? The seam between the console and the terminal identity.

Today a terminal proves itself with a per-terminal bearer token issued at enrolment; the console
keeps its SHA-256 only (the token is 256 random bits, so a fast hash is enough). When the trust
work lands, a `ClientCertificateIdentity` reading the verified peer certificate's subject from
the TLS layer replaces `BearerTokenIdentity` behind the same `TerminalIdentity` protocol;
routes only ever see the terminal id it returns (docs/adr/0502-terminal-identity-seam.md).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request

from kiosk.console.models import Terminal


def new_token() -> str:
    """A fresh terminal token (shown once, in the enrolment bundle)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the console stores for a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TerminalIdentity(Protocol):
    """Resolves the terminal behind a request, or None when it proves nothing valid."""

    def terminal_id(self, request: Request, db: Session) -> str | None:
        """The id of the enrolled, not revoked terminal that sent `request`."""
        ...


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
