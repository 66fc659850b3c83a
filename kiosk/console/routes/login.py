"""Logging in and out.

The login form is protected against cross-site submission by a double-submit token: the GET
sets a random cookie and puts the same value in the form; the POST must bring both.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from kiosk.console import audit, auth
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import (
    NEEDS,
    SESSION_COOKIE,
    Actor,
    client_ip,
    get_db,
    now,
)

router = APIRouter()
LOGIN_CSRF_COOKIE = "console_login_csrf"


def _login_page(request: Request, message: str = "", status_code: int = 200,
                next_path: str = "/fleet") -> Response:
    token = secrets.token_urlsafe(24)
    response = request.app.state.templates.TemplateResponse(request, "login.html", {
        "message": message, "login_csrf": token, "next": next_path, "actor": None},
        status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies, path="/login")
    return response


def _safe_next(path: str) -> str:
    """Only local paths, so the login cannot be used to send people elsewhere."""
    local = path.startswith("/") and not path.startswith("//") and "\\" not in path
    return path if local and len(path) < 200 else "/fleet"


@router.get("/")
def home() -> Response:
    """The fleet is the console's home page."""
    return RedirectResponse("/fleet", status_code=303)


home.permission = "public"  # type: ignore[attr-defined]


@router.get("/login")
def login_form(request: Request, expired: int = 0, next: str = "/fleet") -> Response:
    """The login page."""
    message = "登录已过期，请重新登录。" if expired else ""
    return _login_page(request, message, next_path=_safe_next(next))


login_form.permission = "public"  # type: ignore[attr-defined]


@router.post("/login")
def login_submit(request: Request, username: str = Form(""), password: str = Form(""),
                 login_csrf: str = Form(""), next: str = Form("/fleet"),
                 db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Check the password (with lockout) and start a session."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not auth.csrf_matches(cookie, login_csrf):
        return _login_page(request, "页面已过期，请重新输入。", 403)
    result = auth.check_login(db, username, password, moment)
    if result.user is None:
        audit.record(db, at=moment, actor=username.strip()[:64], role="", action="login_failed",
                     source_ip=client_ip(request),
                     locked_seconds=int(result.locked_seconds))
        db.commit()
        return _login_page(request, result.message, 401 if not result.locked_seconds else 429)
    token = auth.start_session(db, result.user, moment, client_ip(request))
    audit.record(db, at=moment, actor=result.user.username, role=result.user.role,
                 action="login", source_ip=client_ip(request))
    db.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


login_submit.permission = "public"  # type: ignore[attr-defined]


@router.post("/logout")
def logout(request: Request, actor: Actor = Depends(NEEDS[Permission.VIEW_FLEET]),
           db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """End the session."""
    auth.end_session(db, request.cookies.get(SESSION_COOKIE))
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="logout",
                 source_ip=actor.source_ip)
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
