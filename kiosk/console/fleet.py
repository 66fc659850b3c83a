"""The fleet's state: what a heartbeat or an event changes, each terminal's status, alerts.

Pure rules over the ORM rows; callers own the transaction. A terminal's status is worked out
when it is read, from its last report and the heartbeat age, so "offline" needs no writer:

- offline: no heartbeat for `OFFLINE_AFTER_SECONDS` (or never);
- out of service: the terminal says so (a command or its own decision);
- degraded: a device cannot serve, a supply is low/out/jammed, or the outbox is backed up;
- online: everything else.

Alerts are raised and resolved by the same rules: at most one open (or acknowledged) alert per
terminal, kind and device; it resolves itself when the condition clears.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from kiosk.console import notify
from kiosk.console.db import as_utc
from kiosk.console.models import Alert, Command, Terminal, TerminalEvent
from kiosk.console.wire import EventIn, EventKind, HeartbeatIn
from kiosk.core.privacy import mask_text

#: Three missed 60-second heartbeats make a terminal offline.
OFFLINE_AFTER_SECONDS = 180.0
#: An alert that comes back within this long of resolving is reopened, not raised anew (and
#: not notified again): a flapping sensor makes one alert, not a stream of them.
FLAP_WINDOW_SECONDS = 300.0
#: More undelivered outbox entries than this is a backlog worth an alert.
OUTBOX_BACKLOG = 500
USABLE_DEVICE_STATES = frozenset({"ready", "busy"})
BAD_SUPPLIES = frozenset({"low", "out", "jammed", "cover_open"})


class Status(StrEnum):
    """A terminal's status colour on the fleet page."""

    ONLINE = "online"
    DEGRADED = "degraded"
    OUT_OF_SERVICE = "out_of_service"
    OFFLINE = "offline"


STATUS_LABELS = {Status.ONLINE: "正常", Status.DEGRADED: "异常",
                 Status.OUT_OF_SERVICE: "暂停服务", Status.OFFLINE: "离线"}

ALERT_LABELS = {"paper_out": "缺纸", "paper_low": "纸张将尽", "device_fault": "设备故障",
                "offline": "离线", "update_failed": "更新失败", "outbox_backlog": "待发数据积压",
                "rollout_paused": "更新推送已自动暂停"}
#: Alerts raised by other parts (not by a terminal's report): a heartbeat never resolves them.
MANUAL_ALERT_KINDS = frozenset({"rollout_paused"})

DEVICE_STATE_LABELS = {"ready": "就绪", "busy": "忙", "no_device": "未连接", "offline": "离线",
                       "error": "故障"}
SUPPLY_LABELS = {"ok": "正常", "low": "将尽", "out": "用完", "jammed": "卡纸",
                 "cover_open": "盖子打开", "unknown": "未知", "n/a": "—"}


DEVICE_LABELS = {"printer": "打印机", "receipt_printer": "凭条打印机", "id_reader": "身份证阅读器",
                 "card_reader": "社保卡读卡器", "camera": "摄像头", "scanner": "扫码器",
                 "document_camera": "高拍仪"}
EVENT_LABELS = {"device_fault": "设备故障", "device_recovered": "设备恢复", "paper_low": "纸张将尽",
                "paper_out": "缺纸", "paper_ok": "已补纸", "update_outcome": "更新结果",
                "started": "启动", "stopped": "停止", "release": "更新采用"}


def device_label(name: str) -> str:
    """A device's Chinese name (the reported name when unknown)."""
    return DEVICE_LABELS.get(name, name)


class CommandKind(StrEnum):
    """Remote operations a person can send to a terminal."""

    OUT_OF_SERVICE = "out_of_service"
    RETURN_TO_SERVICE = "return_to_service"
    RESTART = "restart"
    ANNOUNCE = "announce"  # 通知公告 on the attract screen for `hours`
    DIAGNOSTICS = "diagnostics"  # collect and upload the PII-free diagnostics bundle


COMMAND_LABELS = {CommandKind.OUT_OF_SERVICE: "暂停服务", CommandKind.RETURN_TO_SERVICE: "恢复服务",
                  CommandKind.RESTART: "在空闲时段重启", CommandKind.ANNOUNCE: "发布通知公告",
                  CommandKind.DIAGNOSTICS: "收集诊断包"}
#: The longest an announcement may stay on the attract screen (30 days).
MAX_ANNOUNCEMENT_HOURS = 720
COMMAND_STATE_LABELS = {"pending": "待领取", "delivered": "已送达", "done": "已完成",
                        "failed": "失败"}


def status_of(terminal: Terminal, now: datetime) -> Status:
    """The terminal's status now."""
    seen = terminal.last_heartbeat_at
    if seen is None or (now - as_utc(seen)).total_seconds() > OFFLINE_AFTER_SECONDS:
        return Status.OFFLINE
    if terminal.out_of_service:
        return Status.OUT_OF_SERVICE
    if _problems(terminal):
        return Status.DEGRADED
    return Status.ONLINE


def _problems(terminal: Terminal) -> list[tuple[str, str, str]]:
    """(alert kind, device, detail) for every condition the last report shows."""
    found = []
    for name, device in sorted((terminal.devices or {}).items()):
        state = str(device.get("state", ""))
        supplies = str(device.get("supplies", ""))
        if state not in USABLE_DEVICE_STATES:
            found.append(("device_fault", name, DEVICE_STATE_LABELS.get(state, state)))
        if supplies == "out":
            found.append(("paper_out", name, ""))
        elif supplies in BAD_SUPPLIES:
            found.append(("paper_low" if supplies == "low" else "device_fault", name,
                          SUPPLY_LABELS.get(supplies, supplies)))
    if (terminal.last_update or {}).get("outcome") == "failed":
        found.append(("update_failed", "", str(terminal.last_update.get("version", ""))))
    if terminal.outbox_depth > OUTBOX_BACKLOG:
        found.append(("outbox_backlog", "", str(terminal.outbox_depth)))
    return found


def apply_heartbeat(db: Session, terminal: Terminal, beat: HeartbeatIn,
                    now: datetime) -> list[Command]:
    """Store a heartbeat, bring alerts in line, and hand over the pending commands."""
    was_healthy = not terminal.degraded and status_of(terminal, now) is not Status.OFFLINE
    terminal.last_heartbeat_at = now
    terminal.app_version = beat.app_version
    terminal.bundle_version = beat.bundle_version
    terminal.devices = {name: {**d.model_dump(mode="json"), "reason": mask_text(d.reason)}
                        for name, d in beat.devices.items()}
    terminal.outbox_depth = beat.outbox_depth
    terminal.sessions = beat.sessions
    terminal.ratings = beat.ratings
    terminal.last_update = beat.last_update.model_dump(mode="json")
    terminal.out_of_service = beat.out_of_service
    refresh_summary(terminal)
    if not (was_healthy and not terminal.degraded):  # healthy before and after: no alert moves
        sync_alerts(db, terminal, now)
    pending = list(db.scalars(select(Command).where(
        Command.terminal_id == terminal.id, Command.state == "pending").order_by(Command.id)))
    for command in pending:
        command.state = "delivered"
        command.delivered_at = now
    return pending


PAPER_EVENTS = frozenset({EventKind.PAPER_OUT, EventKind.PAPER_LOW, EventKind.PAPER_OK})
DEVICE_EVENTS = PAPER_EVENTS | {EventKind.DEVICE_FAULT, EventKind.DEVICE_RECOVERED}


def apply_events(db: Session, terminal: Terminal, events: Iterable[EventIn],
                 now: datetime) -> int:
    """Store events and let them change the device picture at once (a heartbeat confirms)."""
    count = 0
    devices: dict[str, Any] = {k: dict(v) for k, v in (terminal.devices or {}).items()}
    for ev in events:
        db.add(TerminalEvent(terminal_id=terminal.id, kind=ev.kind.value, device=ev.device,
                             detail=mask_text(ev.detail), occurred_at=ev.occurred_at or now,
                             received_at=now))
        count += 1
        if ev.kind in DEVICE_EVENTS:  # paper events without a device name mean the printer
            name = ev.device or ("printer" if ev.kind in PAPER_EVENTS else "unknown")
            device = devices.setdefault(name, {"state": "ready", "supplies": "unknown"})
        match ev.kind:
            case EventKind.PAPER_OUT:
                device["supplies"] = "out"
            case EventKind.PAPER_LOW:
                device["supplies"] = "low"
            case EventKind.PAPER_OK:
                device["supplies"] = "ok"
            case EventKind.DEVICE_FAULT:
                device["state"] = "error"
                device["reason"] = mask_text(ev.detail)[:120]
            case EventKind.DEVICE_RECOVERED:
                device["state"] = "ready"
                device["reason"] = ""
            case EventKind.UPDATE_OUTCOME:
                outcome = "failed" if "fail" in ev.detail.lower() else "ok"
                terminal.last_update = {"outcome": outcome, "version": "", "at": now.isoformat()}
            case EventKind.RELEASE:  # staged rollout adoption (kiosk/console/rollout.py)
                from kiosk.console import rollout

                rollout.record(db, terminal, ev.detail, now)
            case EventKind.STARTED | EventKind.STOPPED:
                pass
    terminal.devices = devices
    refresh_summary(terminal)
    sync_alerts(db, terminal, now)
    return count


def sync_alerts(db: Session, terminal: Terminal, now: datetime) -> None:
    """Raise alerts for current problems and resolve those whose condition has cleared."""
    wanted = {(kind, device): detail for kind, device, detail in _problems(terminal)}
    if status_of(terminal, now) is Status.OFFLINE and terminal.last_heartbeat_at is not None:
        wanted[("offline", "")] = ""
    live = {(a.kind, a.device): a for a in db.scalars(select(Alert).where(
        Alert.terminal_id == terminal.id, Alert.state.in_(("open", "acknowledged"))))}
    for key, detail in wanted.items():
        if key not in live:
            _raise(db, terminal, key[0], key[1], detail, now)
    for key, alert in live.items():
        if key not in wanted and key[0] not in MANUAL_ALERT_KINDS:
            alert.state = "resolved"
            alert.resolved_at = now


def raise_alert(db: Session, terminal: Terminal, kind: str, detail: str, now: datetime) -> Alert:
    """Raise an alert of one of `MANUAL_ALERT_KINDS` (at most one open per terminal, kind and
    detail); a person or the part that raised it resolves it."""
    live = db.scalar(select(Alert).where(
        Alert.terminal_id == terminal.id, Alert.kind == kind, Alert.detail == detail,
        Alert.state.in_(("open", "acknowledged"))))
    return live if live is not None else _raise(db, terminal, kind, "", detail, now)


def _raise(db: Session, terminal: Terminal, kind: str, device: str, detail: str,
           now: datetime) -> Alert:
    """Open an alert, or reopen one that resolved moments ago (flapping: no new notice)."""
    recent = db.scalar(select(Alert).where(
        Alert.terminal_id == terminal.id, Alert.kind == kind, Alert.device == device,
        Alert.state == "resolved",
        Alert.resolved_at >= now - timedelta(seconds=FLAP_WINDOW_SECONDS))
        .order_by(Alert.id.desc()).limit(1))
    if recent is not None:
        recent.state = "open"
        recent.resolved_at = None
        recent.detail = detail
        return recent
    alert = Alert(terminal_id=terminal.id, kind=kind, device=device, detail=detail,
                  state="open", raised_at=now, acknowledged_by="")
    db.add(alert)
    notify.enqueue(db, alert, terminal, now)
    return alert


def sweep_offline(db: Session, now: datetime) -> int:
    """Raise "offline" alerts for terminals whose heartbeats stopped; returns how many."""
    cutoff = now - timedelta(seconds=OFFLINE_AFTER_SECONDS)
    stale = db.scalars(select(Terminal).where(Terminal.last_heartbeat_at < cutoff,
                                              Terminal.revoked.is_(False)))
    raised = 0
    for terminal in stale:
        exists = db.scalar(select(Alert.id).where(
            Alert.terminal_id == terminal.id, Alert.kind == "offline",
            Alert.state.in_(("open", "acknowledged"))))
        if exists is None:
            _raise(db, terminal, "offline", "", "", now)
            raised += 1
    return raised


def apply_command_ack(terminal: Terminal, command: Command, ok: bool, outcome: str,
                      now: datetime) -> None:
    """A terminal's answer to a command; a done out-of-service command shows at once."""
    command.state = "done" if ok else "failed"
    command.outcome = mask_text(outcome)
    command.completed_at = now
    if ok and command.kind == CommandKind.OUT_OF_SERVICE:
        terminal.out_of_service = True
        terminal.out_of_service_message = command.message
    elif ok and command.kind == CommandKind.RETURN_TO_SERVICE:
        terminal.out_of_service = False
        terminal.out_of_service_message = ""


@dataclass(frozen=True, slots=True)
class FleetRow:
    """One terminal as the fleet page shows it."""

    terminal: Terminal
    status: Status
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FleetView:
    """What the fleet page shows: counts over every matching terminal, the worst rows first."""

    rows: list[FleetRow]
    counts: dict[Status, int]
    total: int  # terminals matching the filters (the status filter included)


#: The fleet page lists at most this many terminals (the worst first); counts cover them all.
FLEET_PAGE_ROWS = 300
_SEVERITY = {Status.OFFLINE: 0, Status.OUT_OF_SERVICE: 1, Status.DEGRADED: 2, Status.ONLINE: 3}


def refresh_summary(terminal: Terminal) -> None:
    """Keep the row's `degraded` flag and problem labels in step with its last report, so the
    fleet page can count and sort in SQL."""
    found = _problems(terminal)
    terminal.degraded = bool(found)
    terminal.problems = "，".join(ALERT_LABELS[k] + (f"（{device_label(d)}）" if d else "")
                                 for k, d, _ in found)[:300]


def _status_sql(now: datetime) -> Any:
    cutoff = now - timedelta(seconds=OFFLINE_AFTER_SECONDS)
    return case(
        (or_(Terminal.last_heartbeat_at.is_(None), Terminal.last_heartbeat_at < cutoff),
         Status.OFFLINE.value),
        (Terminal.out_of_service.is_(True), Status.OUT_OF_SERVICE.value),
        (Terminal.degraded.is_(True), Status.DEGRADED.value),
        else_=Status.ONLINE.value)


def fleet_view(db: Session, now: datetime, *, district: str = "", site: str = "",
               status: str = "", query: str = "", limit: int = FLEET_PAGE_ROWS) -> FleetView:
    """The fleet, filtered; worst status first, then district, site and id."""
    status_sql = _status_sql(now)
    where: list[Any] = [Terminal.revoked.is_(False)]
    if district:
        where.append(Terminal.district == district)
    if site:
        where.append(Terminal.site == site)
    if query:
        like = f"%{query.strip()[:64]}%"
        where.append(Terminal.id.ilike(like) | Terminal.site.ilike(like)
                     | Terminal.district.ilike(like))
    counts = dict.fromkeys(Status, 0)
    for value, count in db.execute(select(status_sql, func.count()).where(*where)
                                   .group_by(status_sql)):
        counts[Status(value)] = int(count)
    if status in {s.value for s in Status}:
        where.append(status_sql == status)
    severity = case(*((status_sql == s.value, rank) for s, rank in _SEVERITY.items()), else_=9)
    stmt = (select(Terminal, status_sql).where(*where)
            .order_by(severity, Terminal.district, Terminal.site, Terminal.id).limit(limit))
    rows = [FleetRow(t, Status(st), tuple(p for p in t.problems.split("，") if p))
            for t, st in db.execute(stmt)]
    total = counts[Status(status)] if status in {s.value for s in Status} \
        else sum(counts.values())
    return FleetView(rows, counts, total)


def fleet_rows(db: Session, now: datetime, *, district: str = "", site: str = "",
               status: str = "", query: str = "") -> list[FleetRow]:
    """The matching terminals (up to the page limit), worst first."""
    return fleet_view(db, now, district=district, site=site, status=status, query=query).rows


def districts_and_sites(db: Session) -> tuple[list[str], list[str]]:
    """Distinct districts and sites, for the filter lists."""
    districts = list(db.scalars(select(Terminal.district).distinct().order_by(Terminal.district)))
    sites = list(db.scalars(select(Terminal.site).distinct().order_by(Terminal.site)))
    return districts, sites
