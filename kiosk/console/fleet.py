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
from typing import Any, cast

from sqlalchemy import Table, Update, case, func, or_, select, update
from sqlalchemy.orm import Session

from kiosk.console import notify
from kiosk.console.alert_rules import DEFAULT_RULES, AlertRules
from kiosk.console.db import as_utc
from kiosk.console.device_names import device_label
from kiosk.console.models import Alert, Command, Terminal, TerminalEvent
from kiosk.console.wire import EventIn, EventKind, HeartbeatIn
from kiosk.core.privacy import mask_text

#: The default thresholds (an admin changes them on the 告警规则 page: alert_rules.py).
#: Three missed 60-second heartbeats make a terminal offline.
OFFLINE_AFTER_SECONDS = DEFAULT_RULES.offline_after_seconds
#: An alert that comes back within this long of resolving is reopened, not raised anew (and
#: not notified again): a flapping sensor makes one alert, not a stream of them.
FLAP_WINDOW_SECONDS = DEFAULT_RULES.flap_window_seconds
#: More undelivered outbox entries than this is a backlog worth an alert.
OUTBOX_BACKLOG = DEFAULT_RULES.outbox_backlog
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
                "rollout_paused": "更新推送已自动暂停",
                "cert_expiring": "证书即将到期"}
#: Alerts raised by other parts (not by a terminal's report): a heartbeat never resolves them.
MANUAL_ALERT_KINDS = frozenset({"rollout_paused"})

DEVICE_STATE_LABELS = {"ready": "就绪", "busy": "忙", "no_device": "未连接", "offline": "离线",
                       "error": "故障"}
SUPPLY_LABELS = {"ok": "正常", "low": "将尽", "out": "用完", "jammed": "卡纸",
                 "cover_open": "盖子打开", "unknown": "未知", "n/a": "—"}


EVENT_LABELS = {"device_fault": "设备故障", "device_recovered": "设备恢复", "paper_low": "纸张将尽",
                "paper_out": "缺纸", "paper_ok": "已补纸", "update_outcome": "更新结果",
                "started": "启动", "stopped": "停止", "release": "更新采用"}


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


def status_of(terminal: Terminal, now: datetime, rules: AlertRules = DEFAULT_RULES) -> Status:
    """The terminal's status now."""
    seen = terminal.last_heartbeat_at
    if seen is None or (now - as_utc(seen)).total_seconds() > rules.offline_after_seconds:
        return Status.OFFLINE
    if terminal.out_of_service:
        return Status.OUT_OF_SERVICE
    if _problems(terminal, now, rules):
        return Status.DEGRADED
    return Status.ONLINE


def _problems(terminal: Terminal, now: datetime,
              rules: AlertRules) -> list[tuple[str, str, str]]:
    """(alert kind, device, detail) for every condition the last report shows."""
    return problems_of(terminal.devices, terminal.last_update, terminal.outbox_depth,
                       terminal.cert_not_after, now, rules)


def problems_of(devices: dict[str, Any] | None, last_update: dict[str, Any] | None,
                outbox_depth: int, cert_not_after: datetime | None, now: datetime,
                rules: AlertRules = DEFAULT_RULES) -> list[tuple[str, str, str]]:
    """(alert kind, device, detail) for every condition a report shows, by `rules`."""
    found = []
    bad_supplies = BAD_SUPPLIES if rules.paper_alert_at == "low" else BAD_SUPPLIES - {"low"}
    for name, device in sorted((devices or {}).items()):
        state = str(device.get("state", ""))
        supplies = str(device.get("supplies", ""))
        if state not in USABLE_DEVICE_STATES:
            found.append(("device_fault", name, DEVICE_STATE_LABELS.get(state, state)))
        if supplies == "out":
            found.append(("paper_out", name, ""))
        elif supplies in bad_supplies:
            found.append(("paper_low" if supplies == "low" else "device_fault", name,
                          SUPPLY_LABELS.get(supplies, supplies)))
    if (last_update or {}).get("outcome") == "failed":
        found.append(("update_failed", "", str((last_update or {}).get("version", ""))))
    if outbox_depth > rules.outbox_backlog:
        found.append(("outbox_backlog", "", str(outbox_depth)))
    if cert_not_after is not None and (
            as_utc(cert_not_after) - now).total_seconds() <= rules.cert_expiry_days * 86400:
        found.append(("cert_expiring", "", as_utc(cert_not_after).strftime("%Y-%m-%d")))
    return found


def device_states(beat: HeartbeatIn) -> dict[str, Any]:
    """A heartbeat's devices as stored (reasons masked)."""
    return {name: {**d.model_dump(mode="json"), "reason": mask_text(d.reason)}
            for name, d in beat.devices.items()}


def is_routine(terminal: Terminal, beat: HeartbeatIn, now: datetime,
               rules: AlertRules = DEFAULT_RULES) -> bool:
    """True when the heartbeat changes nothing but the terminal's row: it was online, its
    problem summary stays the same and no command waits for it. Such a heartbeat is one
    UPDATE (docs/adr/0710-heartbeat-ingest-round-trips.md); anything else needs a transaction.
    """
    if terminal.pending_commands or status_of(terminal, now, rules) is Status.OFFLINE:
        return False
    found = problems_of(device_states(beat), beat.last_update.model_dump(mode="json"),
                        beat.outbox_depth, beat.cert_not_after, now, rules)
    return (bool(found), summary_text(found)) == (terminal.degraded, terminal.problems)


def routine_changes(terminal: Terminal, beat: HeartbeatIn, now: datetime) -> dict[str, Any]:
    """The columns a routine heartbeat (`is_routine`) changes, for one UPDATE of the row (the
    summary, alerts and commands stay as they are)."""
    new: dict[str, Any] = {
        "app_version": beat.app_version, "bundle_version": beat.bundle_version,
        "devices": device_states(beat), "outbox_depth": beat.outbox_depth,
        "sessions": beat.sessions, "ratings": beat.ratings,
        "last_update": beat.last_update.model_dump(mode="json"),
        "out_of_service": beat.out_of_service}
    if beat.cert_not_after is not None:
        new["cert_not_after"] = beat.cert_not_after
    changed = {k: v for k, v in new.items() if getattr(terminal, k) != v}
    if "cert_not_after" in changed and terminal.cert_not_after is not None \
            and as_utc(terminal.cert_not_after) == beat.cert_not_after:
        del changed["cert_not_after"]  # SQLite hands back naive times
    changed["last_heartbeat_at"] = now
    return changed


def routine_update(terminal: Terminal, beat: HeartbeatIn, now: datetime) -> Update:
    """The one Core UPDATE of a routine heartbeat (no ORM flush: ADR 0710)."""
    table = cast(Table, Terminal.__table__)
    return (update(table).where(table.c.id == terminal.id)
            .values(routine_changes(terminal, beat, now)))


def apply_heartbeat(db: Session, terminal: Terminal, beat: HeartbeatIn,
                    now: datetime, rules: AlertRules = DEFAULT_RULES) -> list[Command]:
    """Store a heartbeat, bring alerts in line, and hand over the pending commands.

    The common heartbeat (nothing changed, nothing waiting) costs one UPDATE of the terminal's
    row: alerts are looked at only when the problem summary changes or the terminal was
    offline, and commands only when its pending count says there are some
    (docs/adr/0710-heartbeat-ingest-round-trips.md)."""
    was_offline = status_of(terminal, now, rules) is Status.OFFLINE
    summary_before = (terminal.degraded, terminal.problems)
    terminal.last_heartbeat_at = now
    terminal.app_version = beat.app_version
    terminal.bundle_version = beat.bundle_version
    terminal.devices = device_states(beat)
    terminal.outbox_depth = beat.outbox_depth
    terminal.sessions = beat.sessions
    terminal.ratings = beat.ratings
    terminal.last_update = beat.last_update.model_dump(mode="json")
    terminal.out_of_service = beat.out_of_service
    if beat.cert_not_after is not None:
        terminal.cert_not_after = beat.cert_not_after
    refresh_summary(terminal, now, rules)
    if was_offline or (terminal.degraded, terminal.problems) != summary_before:
        sync_alerts(db, terminal, now, rules)
    if not terminal.pending_commands:
        return []
    return deliver_commands(db, terminal, now)


def deliver_commands(db: Session, terminal: Terminal, now: datetime) -> list[Command]:
    """Mark the terminal's pending commands delivered (one UPDATE ... RETURNING), oldest first,
    and take them off its pending count."""
    delivered = sorted(db.scalars(
        update(Command).where(Command.terminal_id == terminal.id, Command.state == "pending")
        .values(state="delivered", delivered_at=now).returning(Command)
        .execution_options(synchronize_session=False)), key=lambda c: c.id)
    taken = len(delivered)
    terminal.pending_commands = case(  # type: ignore[assignment]
        (Terminal.pending_commands > taken, Terminal.pending_commands - taken), else_=0)
    return delivered


PAPER_EVENTS = frozenset({EventKind.PAPER_OUT, EventKind.PAPER_LOW, EventKind.PAPER_OK})
DEVICE_EVENTS = PAPER_EVENTS | {EventKind.DEVICE_FAULT, EventKind.DEVICE_RECOVERED}


def apply_events(db: Session, terminal: Terminal, events: Iterable[EventIn],
                 now: datetime, rules: AlertRules = DEFAULT_RULES) -> int:
    """Store events and let them change the device picture at once (a heartbeat confirms)."""
    count = 0
    summary_before = (terminal.degraded, terminal.problems)
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
    refresh_summary(terminal, now, rules)
    if ((terminal.degraded, terminal.problems) != summary_before
            or status_of(terminal, now, rules) is Status.OFFLINE):
        sync_alerts(db, terminal, now, rules)  # alerts move only when the summary does
    return count


def sync_alerts(db: Session, terminal: Terminal, now: datetime,
                rules: AlertRules = DEFAULT_RULES) -> None:
    """Raise alerts for current problems and resolve those whose condition has cleared."""
    wanted = {(kind, device): detail for kind, device, detail in _problems(terminal, now, rules)}
    if (status_of(terminal, now, rules) is Status.OFFLINE
            and terminal.last_heartbeat_at is not None):
        wanted[("offline", "")] = ""
    live = {(a.kind, a.device): a for a in db.scalars(select(Alert).where(
        Alert.terminal_id == terminal.id, Alert.state.in_(("open", "acknowledged"))))}
    for key, detail in wanted.items():
        if key not in live:
            _raise(db, terminal, key[0], key[1], detail, now, rules)
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
           now: datetime, rules: AlertRules = DEFAULT_RULES) -> Alert:
    """Open an alert, or reopen one that resolved moments ago (flapping: no new notice)."""
    recent = None if rules.flap_window_minutes == 0 else db.scalar(select(Alert).where(
        Alert.terminal_id == terminal.id, Alert.kind == kind, Alert.device == device,
        Alert.state == "resolved",
        Alert.resolved_at >= now - timedelta(seconds=rules.flap_window_seconds))
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


def sweep_offline(db: Session, now: datetime, rules: AlertRules = DEFAULT_RULES) -> int:
    """Raise "offline" alerts for terminals whose heartbeats stopped; returns how many."""
    cutoff = now - timedelta(seconds=rules.offline_after_seconds)
    stale = db.scalars(select(Terminal).where(Terminal.last_heartbeat_at < cutoff,
                                              Terminal.revoked.is_(False)))
    raised = 0
    for terminal in stale:
        exists = db.scalar(select(Alert.id).where(
            Alert.terminal_id == terminal.id, Alert.kind == "offline",
            Alert.state.in_(("open", "acknowledged"))))
        if exists is None:
            _raise(db, terminal, "offline", "", "", now, rules)
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


def refresh_summary(terminal: Terminal, now: datetime,
                    rules: AlertRules = DEFAULT_RULES) -> None:
    """Keep the row's `degraded` flag and problem labels in step with its last report, so the
    fleet page can count and sort in SQL."""
    found = _problems(terminal, now, rules)
    terminal.degraded = bool(found)
    terminal.problems = summary_text(found)


def summary_text(found: list[tuple[str, str, str]]) -> str:
    """The problem labels the fleet page shows (and a heartbeat compares)."""
    return "，".join(ALERT_LABELS[k] + (f"（{device_label(d)}）" if d else "")
                    for k, d, _ in found)[:300]


def _status_sql(now: datetime, rules: AlertRules) -> Any:
    cutoff = now - timedelta(seconds=rules.offline_after_seconds)
    return case(
        (or_(Terminal.last_heartbeat_at.is_(None), Terminal.last_heartbeat_at < cutoff),
         Status.OFFLINE.value),
        (Terminal.out_of_service.is_(True), Status.OUT_OF_SERVICE.value),
        (Terminal.degraded.is_(True), Status.DEGRADED.value),
        else_=Status.ONLINE.value)


def fleet_view(db: Session, now: datetime, *, district: str = "", site: str = "",
               status: str = "", query: str = "", limit: int = FLEET_PAGE_ROWS,
               rules: AlertRules = DEFAULT_RULES) -> FleetView:
    """The fleet, filtered; worst status first, then district, site and id."""
    status_sql = _status_sql(now, rules)
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
