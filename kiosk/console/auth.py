"""Logging in and staying logged in: password check with lockout, server-side sessions.

A login checks the lockout first, then the Argon2 hash. `FAILURES_BEFORE_LOCKOUT` wrong
passwords in a row lock the user name for `FIRST_LOCKOUT_SECONDS`; each further lockout doubles
the delay up to `MAX_LOCKOUT_SECONDS`; a right password resets the counters. Unknown user names
are throttled the same way, so the answer does not tell which names exist.

The session cookie holds 32 random bytes; the table keeps their SHA-256, the CSRF token and the
last time the session was used. A session idle for `IDLE_TIMEOUT_SECONDS` is deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.console.db import as_utc
from kiosk.console.models import LoginThrottle, User, WebSession
from kiosk.console.passwords import verify_password

#: Wrong passwords in a row before the user name is locked.
FAILURES_BEFORE_LOCKOUT = 5
#: The first lockout; long enough to make guessing slow, short for a person who mistyped.
FIRST_LOCKOUT_SECONDS = 30.0
#: The longest lockout (each lockout doubles the previous one up to this).
MAX_LOCKOUT_SECONDS = 3600.0
#: A session not used for this long is over (government office practice: 30 minutes).
IDLE_TIMEOUT_SECONDS = 30 * 60.0


@dataclass(frozen=True, slots=True)
class LoginResult:
    """The outcome of one login attempt; `message` is shown on the page (Chinese)."""

    user: User | None
    message: str = ""
    locked_seconds: float = 0.0


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def lockout_seconds(lockouts: int) -> float:
    """The length of the `lockouts`-th lockout (1-based)."""
    return min(FIRST_LOCKOUT_SECONDS * (2 ** max(lockouts - 1, 0)), MAX_LOCKOUT_SECONDS)


def check_login(db: Session, username: str, password: str, now: datetime) -> LoginResult:
    """Check a password against the user and the lockout; updates the counters (not committed)."""
    key = username.strip()[:64]
    throttle = db.get(LoginThrottle, key)
    if throttle is None:
        throttle = LoginThrottle(username=key, failures=0, lockouts=0, locked_until=None)
        db.add(throttle)
    if throttle.locked_until is not None and as_utc(throttle.locked_until) > now:
        remaining = (as_utc(throttle.locked_until) - now).total_seconds()
        return LoginResult(None, f"登录失败次数过多，请 {int(remaining) + 1} 秒后再试", remaining)
    user = db.scalar(select(User).where(User.username == key))
    stored = user.password_hash if user is not None and user.active else None
    if verify_password(stored, password):
        throttle.failures = 0
        throttle.lockouts = 0
        throttle.locked_until = None
        return LoginResult(user)
    throttle.failures += 1
    if throttle.failures >= FAILURES_BEFORE_LOCKOUT:
        throttle.failures = 0
        throttle.lockouts += 1
        seconds = lockout_seconds(throttle.lockouts)
        throttle.locked_until = now + timedelta(seconds=seconds)
        return LoginResult(None, f"登录失败次数过多，请 {int(seconds)} 秒后再试", seconds)
    return LoginResult(None, "用户名或密码不正确")


def start_session(db: Session, user: User, now: datetime, source_ip: str) -> str:
    """A new session for `user`; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.add(WebSession(id_hash=_hash_token(token), user_id=user.id,
                      csrf_token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now,
                      source_ip=source_ip))
    return token


def resume_session(db: Session, token: str | None, now: datetime,
                   touch: bool = True) -> tuple[WebSession, User] | None:
    """The live session and its user for a cookie value, touching it unless `touch` is False
    (a page's own refresh is not a person's activity); None when absent, expired by idleness,
    or the user was disabled (an expired session is deleted)."""
    if not token:
        return None
    row = db.get(WebSession, _hash_token(token))
    if row is None:
        return None
    if (now - as_utc(row.last_seen_at)).total_seconds() > IDLE_TIMEOUT_SECONDS:
        db.delete(row)
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        db.delete(row)
        return None
    if touch:
        row.last_seen_at = now
    return row, user


def end_session(db: Session, token: str | None) -> None:
    """Log out: forget the session."""
    if token:
        db.execute(delete(WebSession).where(WebSession.id_hash == _hash_token(token)))


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one a form sent."""
    return bool(given) and secrets.compare_digest(expected, given or "")
