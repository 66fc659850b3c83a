"""统计: usage and 好差评 of a month with charts, the 差评 / 办不成事 work items, the monthly
通报 with CSV and XLSX (docs/adr/0640, 0740-0742).

Every role may read (VIEW_STATS); 管理员 and 运维 act on work items (RECTIFY: assign, rectify,
reply, close; each audited). The exports are recorded in the audit log like the audit export.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from kiosk.console import audit, stats, stats_report, stats_svg, stats_work
from kiosk.console.models import AuditEntry, Terminal, User
from kiosk.console.roles import Permission
from kiosk.console.routes.deps import NEEDS, Actor, get_db, now
from kiosk.console.stats_daily import DayFilters
from kiosk.console.stats_models import WorkItem
from kiosk.console.stats_titles import builtin_titles
from kiosk.console.stats_usage import METHOD_LABELS, PAGE_ROWS, satisfaction, usage_report

router = APIRouter()
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: The month picker offers this many months back from now.
PICKER_MONTHS = 36
#: The work-item list shows at most this many rows.
ITEM_ROWS = 200


def _filters(month: str, district: str, site: str, terminal: str,
             moment: datetime) -> stats.Filters:
    if month and not _MONTH.match(month):
        raise HTTPException(400)
    return stats.Filters(month or stats.this_month(moment), district[:64], site[:128],
                         terminal[:64])


def month_label(month: str) -> str:
    """YYYY-MM in Chinese: 2026年3月."""
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def month_choices(current: str, moment: datetime) -> list[tuple[str, str]]:
    """The month picker's options, newest first, in Chinese (the page never relies on the
    browser's own month control, which speaks the browser's language)."""
    cursor = datetime.strptime(stats.this_month(moment), "%Y-%m").date()
    months = []
    for _ in range(PICKER_MONTHS):
        months.append(f"{cursor:%Y-%m}")
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    if current not in months:
        months.append(current)
        months.sort(reverse=True)
    return [(m, month_label(m)) for m in months]


def _shift(month: str, delta: int) -> str:
    day = datetime.strptime(month, "%Y-%m").date()
    day = (day + timedelta(days=32)).replace(day=1) if delta > 0 else (
        day - timedelta(days=1)).replace(day=1)
    return f"{day:%Y-%m}"


def _places(db: Session) -> tuple[list[str], list[str]]:
    places = db.execute(select(Terminal.district, Terminal.site).distinct()
                        .order_by(Terminal.district, Terminal.site)).all()
    return sorted({d for d, _ in places}), sorted({s for _, s in places})


def _items(db: Session, filters: stats.Filters, kind: str, status: str = "",
           limit: int = ITEM_ROWS) -> list[tuple[WorkItem, str, str]]:
    start, end = filters.bounds()
    stmt = select(WorkItem, Terminal.district, Terminal.site).join(
        Terminal, Terminal.id == WorkItem.terminal_id).where(
        WorkItem.kind == kind, WorkItem.occurred_at >= start, WorkItem.occurred_at < end)
    if filters.district:
        stmt = stmt.where(Terminal.district == filters.district)
    if filters.site:
        stmt = stmt.where(Terminal.site == filters.site)
    if filters.terminal:
        stmt = stmt.where(Terminal.id == filters.terminal)
    if status:
        stmt = stmt.where(WorkItem.status == status)
    stmt = stmt.order_by(WorkItem.occurred_at.desc(), WorkItem.id.desc()).limit(limit)
    return [(i, d, s) for i, d, s in db.execute(stmt)]


def _common(filters: stats.Filters, moment: datetime) -> dict[str, object]:
    return {"f": filters, "months": month_choices(filters.month, moment),
            "month_label": month_label(filters.month),
            "prev_month": _shift(filters.month, -1), "next_month": _shift(filters.month, 1),
            "levels": stats.LEVELS, "categories": stats.CATEGORY_LABELS,
            "problems": stats_work.PROBLEM_LABELS, "item_status": stats_work.STATUS_LABELS,
            "kind_labels": stats_work.KIND_LABELS, "titles": builtin_titles(),
            "duration": stats_work.duration_text, "reply_time": stats_work.reply_time}


@router.get("/stats")
def stats_page(request: Request, month: str = "", district: str = "", site: str = "",
               terminal: str = "", actor: Actor = Depends(NEEDS[Permission.VIEW_STATS]),
               db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The month: usage per day, service, step, method and place with charts; 好差评 by level,
    service, terminal and month; the month's 差评 and 办不成事 work items."""
    filters = _filters(month, district, site, terminal, moment)
    first, last = stats_report.month_span(filters.month)
    span = DayFilters(first, last, filters.district, filters.site, filters.terminal)
    year_first = (first - timedelta(days=335)).replace(day=1)
    trend = DayFilters(year_first, last, filters.district, filters.site, filters.terminal)
    titles = builtin_titles()
    usage = usage_report(db, span, titles, trend)
    levels = {score: 0 for score in stats.LEVELS}
    for row in usage.services:
        for score, n in row.levels.items():
            levels[score] = levels.get(score, 0) + n
    ratings = sum(levels.values())
    charts = {
        "daily": stats_svg.daily_bars(
            "每日服务次数与办结数", [f"{d.day}日" for d in usage.days],
            [("服务次数", stats_svg.BLUE, [usage.per_day.get("session", {}).get(d, 0)
                                       for d in usage.days]),
             ("办结", stats_svg.GREEN, [usage.per_day.get("completed", {}).get(d, 0)
                                       for d in usage.days])]),
        "give_up": stats_svg.hbars("群众在哪一步放弃", [
            (f"{s} · {step}", n) for s, step, n in usage.give_up], stats_svg.RED),
        "methods": stats_svg.hbars("身份核验方式", [
            (METHOD_LABELS.get(m, m), n) for m, n in sorted(
                usage.methods.items(), key=lambda kv: -kv[1])], width=480, label_width=120),
        "by_service": stats_svg.level_bars("各业务好差评分布", [
            (r.title, r.levels) for r in usage.services if r.ratings][:15], stats.LEVELS),
        "by_terminal": stats_svg.level_bars("各终端好差评分布（评价最多的 15 台）", [
            (f"{r.key} {r.label}", r.levels) for r in sorted(
                usage.terminals, key=lambda r: -r.ratings) if r.ratings][:15], stats.LEVELS),
        "by_month": stats_svg.rate_line("近十二个月满意率", [
            (month_label(m) if i == 0 or m.endswith("-01") else f"{int(m[5:])}月", sat)
            for i, (m, sat, _) in enumerate(usage.months)]),
    }
    query = urlencode({"month": filters.month, "district": filters.district,
                       "site": filters.site, "terminal": filters.terminal})
    districts, sites = _places(db)
    return request.app.state.templates.TemplateResponse(request, "stats.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "usage": usage, "charts": charts,
        "level_counts": levels, "ratings": ratings, "satisfaction": satisfaction(levels),
        "bad": _items(db, filters, "bad_rating"), "unresolved": _items(db, filters, "unresolved"),
        "districts": districts, "sites": sites, "query": query, "page_rows": PAGE_ROWS,
        "item_rows": ITEM_ROWS, "methods": METHOD_LABELS, **_common(filters, moment)})


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


@router.get("/stats/report")
def report_page(request: Request, month: str = "",
                actor: Actor = Depends(NEEDS[Permission.VIEW_STATS]),
                db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The monthly 好差评 通报 of the whole fleet."""
    filters = _filters(month, "", "", "", moment)
    bulletin = stats_report.bulletin(db, filters.month, builtin_titles(), moment)
    return request.app.state.templates.TemplateResponse(request, "stats_report.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "b": bulletin,
        "tables": stats_report.sheets(bulletin, ITEM_ROWS), "overdue": len(bulletin.overdue),
        "item_rows": ITEM_ROWS, "reply_days": stats_report.REPLY_WITHIN_DAYS,
        **_common(filters, moment)})


@router.get("/stats/report.{fmt}")
def report_export(fmt: str, month: str = "",
                  actor: Actor = Depends(NEEDS[Permission.VIEW_STATS]),
                  db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The 通报 as CSV or XLSX; the export is recorded first."""
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(404)
    filters = _filters(month, "", "", "", moment)
    audit.record(db, at=moment, actor=actor.name, role=actor.user.role,
                 action="stats_report_export", source_ip=actor.source_ip,
                 month=filters.month, format=fmt)
    db.commit()
    bulletin = stats_report.bulletin(db, filters.month, builtin_titles(), moment)
    name = f"haochaping-{filters.month}.{fmt}"
    if fmt == "csv":
        return Response(stats_report.to_csv(bulletin).encode("utf-8"),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(stats_report.to_xlsx(bulletin), media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/stats/work")
def work_list(request: Request, month: str = "", kind: str = "bad_rating", status: str = "",
              district: str = "", site: str = "", terminal: str = "",
              actor: Actor = Depends(NEEDS[Permission.VIEW_STATS]),
              db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """The month's 差评 or 办不成事 work items, by status."""
    if kind not in stats_work.KIND_LABELS or (status and status not in stats_work.STATUS_LABELS):
        raise HTTPException(400)
    filters = _filters(month, district, site, terminal, moment)
    counts = dict(db.execute(select(WorkItem.status, func.count(WorkItem.id)).where(
        WorkItem.kind == kind).group_by(WorkItem.status)).all())
    districts, sites = _places(db)
    return request.app.state.templates.TemplateResponse(request, "stats_work.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "kind": kind, "status": status,
        "items": _items(db, filters, kind, status), "counts": counts,
        "districts": districts, "sites": sites, "item_rows": ITEM_ROWS,
        **_common(filters, moment)})


@router.get("/stats/work/{item_id}")
def work_item(request: Request, item_id: int, error: str = "",
              actor: Actor = Depends(NEEDS[Permission.VIEW_STATS]),
              db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """One work item: what the terminal reported, its lifecycle, its audit history."""
    item = db.get(WorkItem, item_id)
    if item is None:
        raise HTTPException(404)
    terminal = db.get(Terminal, item.terminal_id)
    entries = db.scalars(select(AuditEntry).where(
        AuditEntry.action.like("work_item_%"), AuditEntry.detail.contains(
            f'"item": "{item.number}"')).order_by(AuditEntry.at, AuditEntry.id))
    history = [(entry, _history_text(entry.detail)) for entry in entries]
    users = list(db.scalars(select(User.username).where(User.active.is_(True))
                            .order_by(User.username)))
    occurred = item.occurred_at if item.occurred_at.tzinfo else item.occurred_at.replace(
        tzinfo=UTC)
    filters = _filters("", "", "", "", occurred)
    return request.app.state.templates.TemplateResponse(request, "stats_item.html", {
        "actor": actor, "csrf": actor.session.csrf_token, "item": item, "terminal": terminal,
        "history": history, "users": users, "error": error[:200],
        "allowed": stats_work.ALLOWED, "action_labels": ACTION_LABELS,
        **_common(filters, moment)})


ACTION_LABELS = {"assign": "指派", "rectify": "整改", "reply": "答复", "close": "办结"}


def _history_text(detail: str) -> str:
    """An audit row of a work item in words: status change, assignee, text."""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    labels = stats_work.STATUS_LABELS
    parts = [f"{labels.get(data.get('before', ''), '')} → {labels.get(data.get('after', ''), '')}"]
    if data.get("assignee"):
        parts.append(f"处理人：{data['assignee']}")
    if data.get("text"):
        parts.append(f"内容：{data['text']}")
    return "；".join(parts)


@router.post("/stats/work/{item_id}/{action}")
def work_action(item_id: int, action: str, assignee: str = Form(""), text: str = Form(""),
                actor: Actor = Depends(NEEDS[Permission.RECTIFY]),
                db: Session = Depends(get_db), moment: datetime = Depends(now)) -> Response:
    """Assign, rectify, reply or close (audited); a refused step comes back as a message."""
    if action not in stats_work.ALLOWED:
        raise HTTPException(404)
    item = db.get(WorkItem, item_id)
    if item is None:
        raise HTTPException(404)
    try:
        stats_work.apply(db, item, stats_work.Change(
            action, actor.name, actor.user.role, actor.source_ip, moment,
            assignee=assignee[:64], text=text))
    except stats_work.WorkItemError as exc:
        db.rollback()
        return RedirectResponse(f"/stats/work/{item_id}?" + urlencode({"error": str(exc)}),
                                status_code=303)
    db.commit()
    return RedirectResponse(f"/stats/work/{item_id}", status_code=303)
