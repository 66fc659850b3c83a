"""告警规则: admins set the alert thresholds (kiosk/console/alert_rules.py).

A bad value gets the page back with a Chinese message beside the field and nothing saved; a
good form is stored and audited (old and new value of each change) in one transaction, and
this process uses it at once (the others within alert_rules.CACHE_SECONDS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kiosk.console import alert_rules, audit
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now

router = APIRouter()


def _page(request: Request, actor: Actor, values: Mapping[str, object], *,
          problems: dict[str, str] | None = None, message: str = "",
          status_code: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(request, "alert_rules.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "values": values,
        "problems": problems or {}, "message": message, "thresholds": alert_rules.THRESHOLDS,
        "paper_levels": alert_rules.PAPER_LEVELS, "defaults": asdict(alert_rules.DEFAULT_RULES)},
        status_code=status_code)


@router.get("/settings/alerts")
def alert_rules_form(request: Request,
                     actor: Actor = Depends(NEEDS[Permission.MANAGE_ALERT_RULES]),
                     db: Session = Depends(get_db)) -> Response:
    """The thresholds now in force."""
    return _page(request, actor, asdict(alert_rules.load(db)))


@router.post("/settings/alerts")
async def save_alert_rules(request: Request,
                           actor: Actor = Depends(NEEDS[Permission.MANAGE_ALERT_RULES]),
                           db: Session = Depends(get_db),
                           moment: datetime = Depends(now)) -> Response:
    """Check the form; store and audit it, or show what is wrong and store nothing."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    rules, problems = alert_rules.parse_form(form)
    if rules is None:
        values = {k: form.get(k, "") for k in alert_rules.LABELS}
        return _page(request, actor, values, problems=problems, status_code=400,
                     message="有设置不正确，没有保存任何更改。请按提示修改后再保存。")
    changes = alert_rules.save(db, rules, by=actor.name, at=moment)
    if changes:
        detail: dict[str, Any] = dict(changes)
        audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                     action="alert_rules_change", source_ip=actor.source_ip, **detail)
    db.commit()
    request.app.state.rules.set(rules)
    return _page(request, actor, asdict(rules),
                 message="已保存。" if changes else "没有改动。")
