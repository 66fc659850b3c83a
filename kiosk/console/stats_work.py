"""差评 and 办不成事 reports as work items (docs/adr/0741).

Every 差评 (score 1-2) and every 办不成事 report a terminal sends opens one item with the
console's case number (差评 CP-YYYYMMDD-NNNNNNN, 办不成事 BC-...; the terminal's own case number
never travels). Its life: 待处理 -> 已指派 (to a console user) -> 已整改 (what was done) ->
已答复 (the reply given to the resident through the service platform, quoted here) -> 已办结.
Re-assigning is allowed until it is closed; replying needs an assignee, closing needs a reply.
The time to reply is from the resident's report to the reply. Each change is one audit row
(`work_item_assign` / `_rectify` / `_reply` / `_close`) with the before and after status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.console import audit
from kiosk.console.models import UsageRecord, User
from kiosk.console.stats_daily import china_day
from kiosk.console.stats_models import WorkItem

KIND_LABELS = {"bad_rating": "差评", "unresolved": "办不成事"}
STATUS_LABELS = {"open": "待处理", "assigned": "已指派", "rectified": "已整改",
                 "replied": "已答复", "closed": "已办结"}
#: The 办不成事 categories as residents chose them (flows.strings REPORT_CATEGORY_KEYS).
PROBLEM_LABELS = {"device": "设备出现故障", "data": "查询的信息有误",
                  "refused": "不符合条件但有特殊情况", "hard": "不会操作", "other": "其他问题"}
#: Which action is allowed from which status.
ALLOWED = {"assign": {"open", "assigned", "rectified", "replied"},
           "rectify": {"assigned", "rectified"},
           "reply": {"assigned", "rectified", "replied"},
           "close": {"replied"}}
TEXT_LIMIT = 500
#: The audit page's names of these actions (kept here, beside the actions).
audit.ACTION_LABELS.update({
    "work_item_assign": "工单指派", "work_item_rectify": "工单整改",
    "work_item_reply": "工单答复", "work_item_close": "工单办结",
    "stats_report_export": "导出好差评通报"})


class WorkItemError(ValueError):
    """An action the item's state does not allow; the message says why (in Chinese)."""


def open_item(db: Session, record: UsageRecord) -> WorkItem:
    """The work item of a just-added 差评 or 办不成事 record (flushed to get its id)."""
    db.flush()
    bad = record.kind == "rating"
    prefix = "CP" if bad else "BC"
    item = WorkItem(
        number=f"{prefix}-{china_day(record.occurred_at):%Y%m%d}-{record.id:07d}",
        kind="bad_rating" if bad else "unresolved", usage_record_id=record.id,
        terminal_id=record.terminal_id, service=record.service, step=record.step,
        score=record.score, categories=record.categories or record.category, status="open",
        assignee="", rectification="", reply="", occurred_at=record.occurred_at)
    db.add(item)
    return item


@dataclass(frozen=True, slots=True)
class Change:
    """One action on an item by a console user."""

    action: str  # assign | rectify | reply | close
    actor: str
    role: str
    source_ip: str
    at: datetime
    assignee: str = ""
    text: str = ""


def apply(db: Session, item: WorkItem, change: Change) -> None:
    """Carry out ``change`` on ``item`` and record it in the audit log (not committed)."""
    if item.status == "closed":
        raise WorkItemError("该工单已办结，不能再修改。")
    if change.action not in ALLOWED:
        raise WorkItemError("未知的操作。")
    if item.status not in ALLOWED[change.action]:
        needs = {"rectify": "请先指派处理人。", "reply": "请先指派处理人。",
                 "close": "请先答复群众，再办结。"}
        raise WorkItemError(needs.get(change.action, "当前状态不能进行此操作。"))
    text = change.text.strip()
    if len(text) > TEXT_LIMIT:
        raise WorkItemError(f"内容不能超过 {TEXT_LIMIT} 字。")
    before = item.status
    detail: dict[str, object] = {"item": item.number, "before": before}
    if change.action == "assign":
        user = db.scalar(select(User).where(User.username == change.assignee,
                                            User.active.is_(True)))
        if user is None:
            raise WorkItemError("请选择一位有效的控制台用户。")
        item.assignee, item.assigned_at = user.username, change.at
        item.status = "assigned" if before == "open" else before
        detail["assignee"] = user.username
    elif change.action in ("rectify", "reply"):
        if not text:
            raise WorkItemError("请填写整改情况。" if change.action == "rectify"
                                else "请填写答复内容。")
        if change.action == "rectify":
            item.rectification, item.rectified_at = text, change.at
            item.status = "rectified"
        else:
            item.reply, item.replied_at = text, change.at
            item.status = "replied"
        detail["text"] = text
    else:
        item.closed_at, item.status = change.at, "closed"
    detail["after"] = item.status
    record = db.get(UsageRecord, item.usage_record_id)
    if record is not None and record.kind == "rating" and item.status != "assigned":
        record.status = "rectified" if item.status != "open" else "open"
    audit.record(db, at=change.at, actor=change.actor, role=change.role,
                 action=f"work_item_{change.action}", target=item.terminal_id,
                 source_ip=change.source_ip, **detail)


def reply_time(item: Any) -> timedelta | None:
    """From the resident's report to the reply (None before the reply)."""
    if item.replied_at is None:
        return None
    return _aware(item.replied_at) - _aware(item.occurred_at)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def duration_text(span: timedelta | None) -> str:
    """A reply time in Chinese: 2天3小时, 5小时12分, 40分钟; — before the reply."""
    if span is None:
        return "—"
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins}分"
    return f"{mins}分钟"
