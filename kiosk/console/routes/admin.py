"""Admin pages: the audit log (read, CSV export), users and roles, terminal enrolment."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import audit, rollout
from kiosk.console.models import AuditEntry, Terminal, User
from kiosk.console.passwords import hash_password, password_problem
from kiosk.console.roles import Permission, Role
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now
from kiosk.console.terminal_auth import ClientCertificateIdentity, hash_token, new_token

router = APIRouter()
AUDIT_PAGE_ROWS = 200
ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def _render(request: Request, template: str, actor: Actor, status_code: int = 200,
            **context: object) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, {
        "actor": actor, "csrf": actor.session.csrf_token, **context}, status_code=status_code)


@router.get("/audit")
def audit_page(request: Request, actor_name: str = "", action: str = "",
               actor: Actor = Depends(NEEDS[Permission.READ_AUDIT]),
               db: Session = Depends(get_db)) -> Response:
    """The audit log, newest first, filterable by who and what."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE_ROWS)
    if actor_name:
        stmt = stmt.where(AuditEntry.actor == actor_name)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return _render(request, "audit.html", actor, entries=list(db.scalars(stmt)),
                   filters={"actor_name": actor_name, "action": action})


@router.get("/audit.csv")
def audit_export(actor: Actor = Depends(NEEDS[Permission.EXPORT_AUDIT]),
                 db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The whole audit log as CSV; the export itself is recorded first."""
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="audit_export",
                 source_ip=actor.source_ip)
    db.commit()
    body = audit.to_csv(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    stamp = moment.strftime("%Y%m%d-%H%M%S")
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="console-audit-{stamp}.csv"'})


@router.get("/users")
def users_page(request: Request, actor: Actor = Depends(NEEDS[Permission.MANAGE_USERS]),
               db: Session = Depends(get_db)) -> Response:
    """Users and their roles."""
    users = list(db.scalars(select(User).order_by(User.username)))
    return _render(request, "users.html", actor, users=users, roles=list(Role), message="")


@router.post("/users")
def create_user(request: Request, username: str = Form(..., pattern=ID_PATTERN),
                display_name: str = Form("", max_length=64), role: str = Form(...),
                password: str = Form(..., max_length=256),
                badge: str = Form("", pattern=r"^[A-Za-z0-9-]{0,16}$"),
                actor: Actor = Depends(NEEDS[Permission.MANAGE_USERS]),
                db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Add a user (audited; the password is never recorded)."""
    problem = password_problem(password)
    if role not in {r.value for r in Role}:
        problem = "未知的角色"
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        problem = "该用户名已存在"
    if problem:
        users = list(db.scalars(select(User).order_by(User.username)))
        return _render(request, "users.html", actor, 400, users=users, roles=list(Role),
                       message=problem)
    db.add(User(username=username, display_name=display_name.strip(),
                password_hash=hash_password(password), role=role, active=True,
                created_at=moment, badge=badge))
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="user_create",
                 target=username, source_ip=actor.source_ip, new_role=role)
    db.commit()
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{user_id}/disable")
def disable_user(user_id: int, actor: Actor = Depends(NEEDS[Permission.MANAGE_USERS]),
                 db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Disable a user (their sessions end at their next request); not oneself."""
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(404)
    if user.id == actor.user.id:
        raise HTTPException(400, "不能停用自己的账号")
    user.active = False
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="user_disable",
                 target=user.username, source_ip=actor.source_ip)
    db.commit()
    return RedirectResponse("/users", status_code=303)


@router.get("/enrol")
def enrol_form(request: Request, actor: Actor = Depends(NEEDS[Permission.ENROL]),
               db: Session = Depends(get_db)) -> Response:
    """The form to add a terminal, and the enrolled terminals."""
    terminals = list(db.scalars(select(Terminal).order_by(Terminal.district, Terminal.id)))
    return _render(request, "enrol.html", actor, terminals=terminals, bundle=None, message="")


@router.post("/enrol")
def enrol_terminal(request: Request, terminal_id: str = Form(..., pattern=ID_PATTERN),
                   district: str = Form(..., min_length=1, max_length=64),
                   site: str = Form(..., min_length=1, max_length=128),
                   group_name: str = Form("", max_length=64),
                   actor: Actor = Depends(NEEDS[Permission.ENROL]),
                   db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Enrol a terminal and show its token once (the console keeps only its hash)."""
    if db.get(Terminal, terminal_id) is not None:
        terminals = list(db.scalars(select(Terminal).order_by(Terminal.district, Terminal.id)))
        return _render(request, "enrol.html", actor, 400, terminals=terminals, bundle=None,
                       message="该终端编号已登记；如需更换凭据请使用“重新签发”。")
    token = new_token()
    db.add(Terminal(id=terminal_id, district=district.strip(), site=site.strip(),
                    group_name=group_name.strip(), token_hash=hash_token(token), revoked=False,
                    enrolled_at=moment, devices={}, last_update={}, app_version="",
                    bundle_version="", outbox_depth=0, sessions=0, ratings=0,
                    out_of_service=False, out_of_service_message=""))
    rollout.enrol_groups(db, terminal_id, group_name)  # central groups (ADR 0721)
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="terminal_enrol",
                 target=terminal_id, source_ip=actor.source_ip, district=district, site=site)
    db.commit()
    return _enrolled(request, actor, db, terminal_id, token)


def _enrolled(request: Request, actor: Actor, db: Session, terminal_id: str,
              token: str) -> Response:
    terminals = list(db.scalars(select(Terminal).order_by(Terminal.district, Terminal.id)))
    identity = request.app.state.identity
    ca_pem = identity.ca_pem() if isinstance(identity, ClientCertificateIdentity) else ""
    # mutual TLS (docs/adr/0700): the terminal needs the console's URL and the fleet CA; its
    # own key and certificate come from `kiosk ca enrol`. The token is the plain-http
    # development mode's only (ADR 0502) and is not shown with certificates.
    bundle = {"console_url": str(request.base_url).rstrip("/"), "terminal_id": terminal_id,
              "token": "" if ca_pem else token, "ca_pem": ca_pem,
              "mutual_tls": isinstance(identity, ClientCertificateIdentity)}
    response = _render(request, "enrol.html", actor, terminals=terminals, bundle=bundle,
                       message="")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/enrol/{terminal_id}/rekey")
def rekey_terminal(request: Request, terminal_id: str,
                   actor: Actor = Depends(NEEDS[Permission.ENROL]),
                   db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Issue a new token (the old one stops working) and lift a revocation (audited)."""
    terminal = db.get(Terminal, terminal_id)
    if terminal is None:
        raise HTTPException(404)
    token = new_token()
    terminal.token_hash = hash_token(token)
    terminal.revoked = False
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="terminal_rekey",
                 target=terminal_id, source_ip=actor.source_ip)
    db.commit()
    return _enrolled(request, actor, db, terminal_id, token)


@router.post("/enrol/{terminal_id}/revoke")
def revoke_terminal(terminal_id: str, actor: Actor = Depends(NEEDS[Permission.ENROL]),
                    db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Refuse the terminal from now on (audited)."""
    terminal = db.get(Terminal, terminal_id)
    if terminal is None:
        raise HTTPException(404)
    terminal.revoked = True
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="terminal_revoke",
                 target=terminal_id, source_ip=actor.source_ip)
    db.commit()
    return RedirectResponse("/enrol", status_code=303)
