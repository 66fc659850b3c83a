"""What every route depends on: the database session, the clock, the logged-in person and the
permission the route needs, the CSRF check for changes. (The terminal API identifies
terminals itself: routes/api.py.)

`require(permission)` (made once per permission in `NEEDS`) is the one way a page route gets
its user; it carries `.permission`, so
tests/console/test_wrong_role_refused.py can check that every route names one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from kiosk.console import auth
from kiosk.console.models import User, WebSession
from kiosk.console.roles import Permission, allows

SESSION_COOKIE = "console_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class NotLoggedIn(Exception):
    """No live session: the page sends the person to the login page."""


class Forbidden(Exception):
    """The person's role lacks the permission."""


class CsrfRefused(Exception):
    """A change arrived without the session's CSRF token."""


class TerminalRefused(Exception):
    """A terminal request without a valid identity for that terminal."""


@dataclass(frozen=True, slots=True)
class Actor:
    """The person making a request."""

    user: User
    session: WebSession
    source_ip: str

    @property
    def name(self) -> str:
        """The user name, as written to the audit log."""
        return self.user.username

    def can(self, permission: Permission) -> bool:
        """Whether the role holds `permission` (for showing or hiding buttons)."""
        return allows(self.user.role, permission)


def get_db(request: Request) -> Iterator[Session]:
    """One database session per request, closed afterwards (routes commit what they change)."""
    db: Session = request.app.state.sessions()
    try:
        yield db
    finally:
        db.close()


async def now(request: Request) -> datetime:
    """The console's clock (injectable for tests of expiry and lockout)."""
    moment: datetime = request.app.state.clock()
    return moment


def client_ip(request: Request) -> str:
    """The peer address (the audit log's "from where")."""
    return request.client.host if request.client else ""


async def submitted_csrf(request: Request) -> str | None:
    """The CSRF token sent with a change: the htmx header or the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            return value if isinstance(value, str) else None
    return None


def require(permission: Permission) -> Callable[..., Actor]:
    """A dependency: the logged-in actor holding `permission`; changes also need the CSRF token."""

    def dependency(request: Request, db: Session = Depends(get_db),
                   csrf: str | None = Depends(submitted_csrf)) -> Actor:
        moment: datetime = request.app.state.clock()
        polling = request.method == "GET" and bool(request.headers.get("hx-request"))
        found = auth.resume_session(db, request.cookies.get(SESSION_COOKIE), moment,
                                    touch=not polling)
        db.commit()
        if found is None:
            raise NotLoggedIn()
        session, user = found
        if request.method not in ("GET", "HEAD") and not auth.csrf_matches(session.csrf_token,
                                                                           csrf):
            raise CsrfRefused()
        if not allows(user.role, permission):
            raise Forbidden()
        return Actor(user, session, client_ip(request))

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency




#: One dependency per permission, made once: `Depends(NEEDS[Permission.OPERATE])`.
NEEDS: dict[Permission, Callable[..., Actor]] = {p: require(p) for p in Permission}
