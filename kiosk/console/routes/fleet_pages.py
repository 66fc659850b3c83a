"""Pages for watching and running the fleet: the fleet list, a terminal, the alerts.

The fleet table and the alert count refresh themselves with htmx every few seconds (a partial
re-render, no page reload), so a terminal that runs out of paper turns amber on an open page.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import audit, fleet
from kiosk.console.models import Alert, Command, Terminal, TerminalEvent
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now

router = APIRouter()
#: How often open pages refresh their live parts.
LIVE_REFRESH_SECONDS = 3
RECENT_EVENTS = 50


def _render(request: Request, template: str, actor: Actor, **context: object) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, {
        "actor": actor, "csrf": actor.session.csrf_token, "refresh": LIVE_REFRESH_SECONDS,
        **context})


def _fleet_context(request: Request, db: Session, moment: datetime, district: str, site: str,
                   status: str, q: str) -> dict[str, object]:
    view = fleet.fleet_view(db, moment, district=district, site=site, status=status, query=q,
                            rules=request.app.state.rules.get())
    groups: dict[tuple[str, str], list[fleet.FleetRow]] = {}
    for row in view.rows:  # worst first: the site with the worst terminal comes first
        groups.setdefault((row.terminal.district, row.terminal.site), []).append(row)
    open_alerts = db.scalar(select(func.count()).select_from(Alert).where(Alert.state == "open"))
    return {"groups": groups, "counts": view.counts, "total": view.total,
            "shown": len(view.rows), "open_alerts": open_alerts,
            "filters": {"district": district, "site": site, "status": status, "q": q}}


@router.get("/fleet")
def fleet_page(request: Request, district: str = "", site: str = "", status: str = "",
               q: str = "", actor: Actor = Depends(NEEDS[Permission.VIEW_FLEET]),
               db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The fleet by district and site, with filters and search."""
    districts, sites = fleet.districts_and_sites(db)
    return _render(request, "fleet.html", actor, districts=districts, sites=sites,
                   statuses=list(fleet.Status),
                   **_fleet_context(request, db, moment, district, site, status, q))


@router.get("/fleet/table")
def fleet_table(request: Request, district: str = "", site: str = "", status: str = "",
                q: str = "", actor: Actor = Depends(NEEDS[Permission.VIEW_FLEET]),
                db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The live part of the fleet page (htmx polls it)."""
    return _render(request, "fleet_table.html", actor,
                   **_fleet_context(request, db, moment, district, site, status, q))


def _terminal_or_404(db: Session, terminal_id: str) -> Terminal:
    terminal = db.get(Terminal, terminal_id)
    if terminal is None:
        raise HTTPException(404)
    return terminal


@router.get("/terminals/{terminal_id}")
def terminal_page(request: Request, terminal_id: str,
                  actor: Actor = Depends(NEEDS[Permission.VIEW_FLEET]),
                  db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """One terminal: devices, supplies, versions, recent events, alerts, commands."""
    terminal = _terminal_or_404(db, terminal_id)
    events = list(db.scalars(select(TerminalEvent).where(TerminalEvent.terminal_id == terminal.id)
                             .order_by(TerminalEvent.id.desc()).limit(RECENT_EVENTS)))
    alerts = list(db.scalars(select(Alert).where(Alert.terminal_id == terminal.id)
                             .order_by(Alert.id.desc()).limit(20)))
    commands = list(db.scalars(select(Command).where(Command.terminal_id == terminal.id)
                               .order_by(Command.id.desc()).limit(20)))
    return _render(request, "terminal.html", actor, terminal=terminal,
                   status=fleet.status_of(terminal, moment, request.app.state.rules.get()),
                   events=events, alerts=alerts,
                   commands=commands, command_kinds=list(fleet.CommandKind))


@router.post("/terminals/{terminal_id}/commands")
def send_command(terminal_id: str, kind: str = Form(...), message: str = Form(""),
                 hours: int = Form(24, ge=1, le=fleet.MAX_ANNOUNCEMENT_HOURS),
                 actor: Actor = Depends(NEEDS[Permission.OPERATE]),
                 db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Queue a remote operation for the terminal's next heartbeat (audited)."""
    terminal = _terminal_or_404(db, terminal_id)
    try:
        command_kind = fleet.CommandKind(kind)
    except ValueError:
        raise HTTPException(400, "未知的操作") from None
    text = message.strip()[:200] or ("本机暂停服务，请使用其他终端或到窗口办理。"
                                     if command_kind is fleet.CommandKind.OUT_OF_SERVICE else "")
    announce = command_kind is fleet.CommandKind.ANNOUNCE
    if announce and not text:
        raise HTTPException(400, "请填写通知公告的内容")
    command = Command(terminal_id=terminal.id, kind=command_kind.value, message=text,
                      hours=hours if announce else 0, state="pending", created_by=actor.name,
                      created_at=moment, outcome="")
    db.add(command)
    terminal.pending_commands = Terminal.pending_commands + 1  # type: ignore[assignment]
    db.flush()
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action=f"command_{command_kind.value}", target=terminal.id,
                 source_ip=actor.source_ip, command_id=command.id, message=text,
                 hours=command.hours)
    db.commit()
    return RedirectResponse(f"/terminals/{terminal.id}", status_code=303)


@router.get("/alerts")
def alerts_page(request: Request, state: str = "open",
                actor: Actor = Depends(NEEDS[Permission.VIEW_FLEET]),
                db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Alerts, newest first; open ones by default."""
    stmt = select(Alert).order_by(Alert.id.desc()).limit(500)
    if state in ("open", "acknowledged", "resolved"):
        stmt = stmt.where(Alert.state == state)
    return _render(request, "alerts.html", actor, alerts=list(db.scalars(stmt)), state=state)


def _change_alert(db: Session, alert_id: int, actor: Actor, moment: datetime,
                  action: str) -> Response:
    alert = db.get(Alert, alert_id)
    if alert is None:
        raise HTTPException(404)
    if action == "acknowledge" and alert.state == "open":
        alert.state = "acknowledged"
        alert.acknowledged_by = actor.name
        alert.acknowledged_at = moment
    elif action == "resolve" and alert.state != "resolved":
        alert.state = "resolved"
        alert.resolved_at = moment
    else:
        return RedirectResponse("/alerts", status_code=303)  # already done: nothing to record
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action=f"alert_{action}", target=alert.terminal_id, source_ip=actor.source_ip,
                 alert_id=alert.id, kind=alert.kind)
    db.commit()
    return RedirectResponse("/alerts", status_code=303)


@router.post("/alerts/{alert_id}/acknowledge")
def acknowledge_alert(alert_id: int, actor: Actor = Depends(NEEDS[Permission.ACK_ALERT]),
                      db: Session = Depends(get_db),
                      moment: datetime = Depends(now)) -> Response:
    """Someone is on it (audited)."""
    return _change_alert(db, alert_id, actor, moment, "acknowledge")


@router.post("/alerts/{alert_id}/resolve")
def resolve_alert(alert_id: int, actor: Actor = Depends(NEEDS[Permission.ACK_ALERT]),
                  db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Close an alert by hand (audited); it comes back if the condition persists."""
    return _change_alert(db, alert_id, actor, moment, "resolve")
