"""Admin page for alert notifications: the webhooks and the delivery log."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import audit, notify
from kiosk.console.models import Notification, Webhook
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now

router = APIRouter()
LOG_ROWS = 200


def _page(request: Request, actor: Actor, db: Session, message: str = "",
          status_code: int = 200) -> Response:
    hooks = list(db.scalars(select(Webhook).order_by(Webhook.id)))
    log = list(db.scalars(select(Notification).order_by(Notification.id.desc()).limit(LOG_ROWS)))
    return request.app.state.templates.TemplateResponse(request, "notifications.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "hooks": hooks, "log": log,
        "names": {h.id: h.name for h in hooks}, "message": message}, status_code=status_code)


@router.get("/notifications")
def notifications_page(request: Request, actor: Actor = Depends(NEEDS[Permission.MANAGE_NOTIFY]),
                       db: Session = Depends(get_db)) -> Response:
    """Webhooks and the delivery log."""
    return _page(request, actor, db)


@router.post("/notifications/webhooks")
def add_webhook(request: Request, name: str = Form(..., min_length=1, max_length=64),
                url: str = Form(..., max_length=500), kind: str = Form(...),
                actor: Actor = Depends(NEEDS[Permission.MANAGE_NOTIFY]),
                db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Add a webhook (audited; the URL's secret key is not written to the audit log)."""
    if kind not in notify.WEBHOOK_KINDS:
        return _page(request, actor, db, "未知的通知类型", 400)
    if not url.startswith(("https://", "http://")):
        return _page(request, actor, db, "地址必须以 https:// 开头", 400)
    hook = Webhook(name=name.strip(), url=url.strip(), kind=kind, active=True, created_at=moment)
    db.add(hook)
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="webhook_add",
                 target=hook.name, source_ip=actor.source_ip, kind=kind,
                 host=url.split("/")[2] if url.count("/") >= 2 else "")
    db.commit()
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/webhooks/{hook_id}/disable")
def disable_webhook(hook_id: int, actor: Actor = Depends(NEEDS[Permission.MANAGE_NOTIFY]),
                    db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Stop sending to a webhook (audited); its pending rows are cancelled."""
    hook = db.get(Webhook, hook_id)
    if hook is None:
        raise HTTPException(404)
    hook.active = False
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action="webhook_disable", target=hook.name, source_ip=actor.source_ip)
    db.commit()
    return RedirectResponse("/notifications", status_code=303)
