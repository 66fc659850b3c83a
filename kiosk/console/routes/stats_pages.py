"""统计: the monthly usage and 好差评 page, its CSV, and the 差评 status (docs/adr/0640).

Every role may read (VIEW_STATS); 管理员 and 运维 set a 差评 to 待整改 / 已整改 (RECTIFY,
audited). The CSV export is recorded in the audit log like the audit export.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import audit, stats
from kiosk.console.models import Terminal, UsageRecord
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now

router = APIRouter()
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _filters(month: str, district: str, site: str, terminal: str,
             moment: datetime) -> stats.Filters:
    if month and not _MONTH.match(month):
        raise HTTPException(400)
    return stats.Filters(month or stats.this_month(moment), district[:64], site[:128],
                         terminal[:64])


@router.get("/stats")
def stats_page(request: Request, month: str = "", district: str = "", site: str = "",
               terminal: str = "", actor: Actor = Depends(NEEDS[Permission.VIEW_STATS]),
               db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The month's sessions, completions per service, 好差评 by level and the 差评 list."""
    filters = _filters(month, district, site, terminal, moment)
    report = stats.month_report(db, filters)
    places = db.execute(select(Terminal.district, Terminal.site).distinct()
                        .order_by(Terminal.district, Terminal.site)).all()
    query = urlencode({"month": filters.month, "district": filters.district,
                       "site": filters.site, "terminal": filters.terminal})
    return request.app.state.templates.TemplateResponse(request, "stats.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "report": report, "f": filters,
        "districts": sorted({d for d, _ in places}), "sites": sorted({s for _, s in places}),
        "levels": stats.LEVELS, "categories": stats.CATEGORY_LABELS,
        "bad_status": stats.STATUS_LABELS, "query": query, "bad_limit": stats.BAD_PAGE_ROWS})


@router.get("/stats.csv")
def stats_export(month: str = "", district: str = "", site: str = "", terminal: str = "",
                 actor: Actor = Depends(NEEDS[Permission.VIEW_STATS]),
                 db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The month's figures and every 差评 as CSV; the export is recorded first."""
    filters = _filters(month, district, site, terminal, moment)
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role, action="stats_export",
                 source_ip=actor.source_ip, month=filters.month, district=filters.district,
                 site=filters.site, terminal=filters.terminal)
    db.commit()
    body = stats.to_csv(stats.month_report(db, filters, bad_limit=None))
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="console-stats-{filters.month}.csv"'})


@router.post("/stats/bad/{record_id}/status")
def set_bad_status(record_id: int, status: str = Form(...), back: str = Form(""),
                   actor: Actor = Depends(NEEDS[Permission.RECTIFY]),
                   db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Mark a 差评 待整改 or 已整改 (audited)."""
    if status not in stats.STATUS_LABELS:
        raise HTTPException(400)
    record = db.get(UsageRecord, record_id)
    if record is None or record.kind != "rating" or record.score not in stats.BAD_SCORES:
        raise HTTPException(404)
    target = "/stats?" + back if re.fullmatch(r"[A-Za-z0-9=&%._+-]*", back) else "/stats"
    if record.status == status:
        return RedirectResponse(target, status_code=303)  # nothing changes: nothing recorded
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action="bad_rating_status", target=record.terminal_id,
                 source_ip=actor.source_ip, rating_id=record.id, service=record.service,
                 before=record.status, after=status)
    record.status = status
    db.commit()
    return RedirectResponse(target, status_code=303)
