"""The alert rules' thresholds: defaults, validation, storage, and a short-lived cache.

An admin changes them on the 告警规则 page (routes/alert_rules_page.py); they live in the
database (`alert_settings`, one row per threshold), so every console process uses the same
ones. A process reads them at most every `CACHE_SECONDS` (a heartbeat must not pay a query for
them); the process that saved a change uses it at once, the others within that time.
See docs/adr/0711-configurable-alert-rules.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.console.models import AlertSetting

#: How long a console process keeps the thresholds it read.
CACHE_SECONDS = 10.0
PAPER_LEVELS = {"low": "纸张将尽时", "out": "纸张用完时"}


@dataclass(frozen=True, slots=True)
class AlertRules:
    """The thresholds every alert rule uses (the defaults are the console's original ones)."""

    #: Paper alerts (and the amber colour) start at this supply level: "low" or "out".
    paper_alert_at: str = "low"
    #: A terminal without a heartbeat for this long is offline (three missed 60-s beats).
    offline_after_minutes: int = 3
    #: More undelivered outbox entries than this is a backlog.
    outbox_backlog: int = 500
    #: A terminal's client certificate this many days or fewer from its end raises an alert.
    cert_expiry_days: int = 30
    #: An alert that comes back within this long of resolving is reopened, not raised anew.
    flap_window_minutes: int = 5

    @property
    def offline_after_seconds(self) -> float:
        """The offline threshold in seconds."""
        return self.offline_after_minutes * 60.0

    @property
    def flap_window_seconds(self) -> float:
        """The flapping window in seconds."""
        return self.flap_window_minutes * 60.0


DEFAULT_RULES = AlertRules()


@dataclass(frozen=True, slots=True)
class Threshold:
    """How the page shows and checks one threshold."""

    name: str
    label: str
    unit: str
    low: int
    high: int
    hint: str


#: The integer thresholds, in page order (paper_alert_at is a choice of PAPER_LEVELS).
THRESHOLDS = (
    Threshold("offline_after_minutes", "离线判定", "分钟", 2, 1440,
              "终端超过这么久没有心跳即视为离线并告警（心跳每 60 秒一次）。"),
    Threshold("outbox_backlog", "待发数据积压", "条", 1, 1_000_000,
              "终端待发数据超过这么多条即告警。"),
    Threshold("cert_expiry_days", "证书到期提醒", "天", 1, 365,
              "终端证书距到期不足这么多天即告警。"),
    Threshold("flap_window_minutes", "抖动抑制", "分钟", 0, 1440,
              "告警恢复后这么久之内再次出现，只重新打开原告警，不再通知（0 表示不抑制）。"),
)
LABELS = {"paper_alert_at": "缺纸告警", **{t.name: t.label for t in THRESHOLDS}}


def parse_form(form: Mapping[str, str]) -> tuple[AlertRules | None, dict[str, str]]:
    """The rules a submitted form asks for, or None and a Chinese message per bad field."""
    problems: dict[str, str] = {}
    values: dict[str, object] = {}
    paper = str(form.get("paper_alert_at", "")).strip()
    if paper not in PAPER_LEVELS:
        problems["paper_alert_at"] = "请选择“纸张将尽时”或“纸张用完时”。"
    values["paper_alert_at"] = paper
    for t in THRESHOLDS:
        raw = str(form.get(t.name, "")).strip()
        if not raw:
            problems[t.name] = f"请填写{t.label}。"
        elif not raw.isascii() or not raw.isdigit():
            problems[t.name] = f"{t.label}必须是整数（{t.low} 到 {t.high} {t.unit}）。"
        elif not t.low <= int(raw) <= t.high:
            problems[t.name] = f"{t.label}必须在 {t.low} 到 {t.high} {t.unit}之间。"
        else:
            values[t.name] = int(raw)
    if problems:
        return None, problems
    return AlertRules(**values), {}  # type: ignore[arg-type]


def load(db: Session) -> AlertRules:
    """The stored rules (defaults for anything not stored or no longer valid)."""
    stored = {row.name: row.value for row in db.scalars(select(AlertSetting))}
    values: dict[str, Any] = asdict(DEFAULT_RULES)
    if stored.get("paper_alert_at") in PAPER_LEVELS:
        values["paper_alert_at"] = stored["paper_alert_at"]
    for t in THRESHOLDS:
        raw = stored.get(t.name, "")
        if raw.isascii() and raw.isdigit() and t.low <= int(raw) <= t.high:
            values[t.name] = int(raw)
    return AlertRules(**values)


def save(db: Session, rules: AlertRules, *, by: str, at: datetime) -> dict[str, list[object]]:
    """Store `rules` in the session's transaction; returns {name: [old, new]} of the changes."""
    before = asdict(load(db))
    rows = {row.name: row for row in db.scalars(select(AlertSetting))}
    changes: dict[str, list[object]] = {}
    for f in fields(AlertRules):
        new = getattr(rules, f.name)
        if before[f.name] != new:
            changes[f.name] = [before[f.name], new]
        row = rows.get(f.name)
        if row is None:
            db.add(AlertSetting(name=f.name, value=str(new), updated_by=by, updated_at=at))
        elif row.value != str(new):
            row.value, row.updated_by, row.updated_at = str(new), by, at
    return changes


class RulesCache:
    """The rules for one console process, read again after `ttl` seconds (thread-safe)."""

    def __init__(self, sessions: sessionmaker[Session], ttl: float = CACHE_SECONDS,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._rules: AlertRules | None = None
        self._read_at = 0.0

    def get(self) -> AlertRules:
        """The current rules (one query at most every `ttl` seconds)."""
        now = self._monotonic()
        with self._lock:
            if self._rules is not None and now - self._read_at < self._ttl:
                return self._rules
        with self._sessions() as db:
            rules = load(db)
        with self._lock:
            self._rules, self._read_at = rules, now
        return rules

    def set(self, rules: AlertRules) -> None:
        """Use `rules` at once (after this process saved them)."""
        with self._lock:
            self._rules, self._read_at = rules, self._monotonic()
