"""统计: sessions, completed services and 好差评 per month, filtered by district, site or
terminal, from the usage records terminals report (docs/adr/0640). No personal data is stored
or shown: a record is a terminal, a service id, a score, a 差评 category and a time.

Months are China Standard Time months (the people reading them are there); storage is UTC.
满意率 = (非常满意 + 满意 + 基本满意) / all ratings, the usual 好差评 measure.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from kiosk.console.audit import neutralise
from kiosk.console.models import Terminal, UsageRecord
from kiosk.console.wire import UsageIn, UsageKind

CHINA_TIME = timezone(timedelta(hours=8), "北京时间")
#: Score -> the 好差评 level.
LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
CATEGORY_LABELS = {"slow": "办理时间长", "hard": "操作不方便", "device": "设备故障",
                   "unclear": "指引不清楚", "failed": "没有办成", "other": "其他"}
STATUS_LABELS = {"open": "待整改", "rectified": "已整改"}
BAD_SCORES = (1, 2)
#: The 差评 list shows at most this many rows (newest first); the CSV has them all.
BAD_PAGE_ROWS = 500


def store_usage(db: Session, terminal: Terminal, records: Sequence[UsageIn],
                moment: datetime) -> int:
    """Add a terminal's usage records to the session, their daily counts, and a work item for
    every 差评 and 办不成事 report (docs/adr/0740, 0741); the number stored."""
    from kiosk.console import stats_daily, stats_work

    for r in records:
        category = r.category.value if r.category else (r.problem.value if r.problem else "")
        row = UsageRecord(
            terminal_id=terminal.id, kind=r.kind.value, service=r.service or "",
            score=r.score, category=category,
            occurred_at=(r.occurred_at if r.occurred_at.tzinfo else r.occurred_at.replace(
                tzinfo=UTC)).astimezone(UTC),
            received_at=moment,
            status="open" if r.kind is UsageKind.RATING and r.score in BAD_SCORES else "",
            step=r.step or "", method=r.method.value if r.method else "",
            categories=",".join(c.value for c in r.categories) or category)
        db.add(row)
        if row.status == "open" or r.kind is UsageKind.UNRESOLVED:
            stats_work.open_item(db, row)
    stats_daily.add_counts(db, stats_daily.keys_of(terminal.id, records))
    return len(records)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the page shows: a month (YYYY-MM) and optionally a district, site or terminal."""

    month: str
    district: str = ""
    site: str = ""
    terminal: str = ""

    def bounds(self) -> tuple[datetime, datetime]:
        """The month's start and end (UTC instants of China-time midnights)."""
        start = datetime.strptime(self.month, "%Y-%m").replace(tzinfo=CHINA_TIME)
        end = (start + timedelta(days=32)).replace(day=1)
        return start.astimezone(UTC), end.astimezone(UTC)

    def apply(self, stmt: Select) -> Select:  # type: ignore[type-arg]
        """Restrict a statement over UsageRecord (joined with Terminal) to the filters."""
        start, end = self.bounds()
        stmt = stmt.join(Terminal, Terminal.id == UsageRecord.terminal_id).where(
            UsageRecord.occurred_at >= start, UsageRecord.occurred_at < end)
        if self.district:
            stmt = stmt.where(Terminal.district == self.district)
        if self.site:
            stmt = stmt.where(Terminal.site == self.site)
        if self.terminal:
            stmt = stmt.where(Terminal.id == self.terminal)
        return stmt


def this_month(moment: datetime) -> str:
    """The China-time month of `moment` as YYYY-MM."""
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class BadRating:
    """One 差评 as a work item (no personal data)."""

    id: int
    service: str
    terminal_id: str
    district: str
    site: str
    occurred_at: datetime
    score: int
    category: str
    status: str


@dataclass
class MonthReport:
    """The figures of one month under the filters."""

    filters: Filters
    sessions: int = 0
    completions: dict[str, int] = field(default_factory=dict)
    levels: dict[int, int] = field(default_factory=dict)
    bad: list[BadRating] = field(default_factory=list)

    @property
    def ratings(self) -> int:
        """All ratings."""
        return sum(self.levels.values())

    @property
    def satisfaction(self) -> float | None:
        """满意率 (0-1), None without ratings."""
        total = self.ratings
        if not total:
            return None
        return sum(n for score, n in self.levels.items() if score >= 3) / total


def month_report(db: Session, filters: Filters, bad_limit: int | None = BAD_PAGE_ROWS
                 ) -> MonthReport:
    """Count what terminals reported in the month under the filters."""
    report = MonthReport(filters)
    count = func.count(UsageRecord.id)
    report.sessions = db.scalar(filters.apply(select(count).where(
        UsageRecord.kind == UsageKind.SESSION.value))) or 0
    for service, n in db.execute(filters.apply(
            select(UsageRecord.service, count).where(
                UsageRecord.kind == UsageKind.COMPLETED.value)
            .group_by(UsageRecord.service).order_by(count.desc(), UsageRecord.service))):
        report.completions[service] = n
    levels = dict.fromkeys(LEVELS, 0)
    for score, n in db.execute(filters.apply(
            select(UsageRecord.score, count).where(UsageRecord.kind == UsageKind.RATING.value)
            .group_by(UsageRecord.score))):
        if score in levels:
            levels[score] = n
    report.levels = levels
    stmt = filters.apply(select(UsageRecord, Terminal.district, Terminal.site).where(
        UsageRecord.kind == UsageKind.RATING.value, UsageRecord.score.in_(BAD_SCORES))
    ).order_by(UsageRecord.occurred_at.desc(), UsageRecord.id.desc())
    if bad_limit is not None:
        stmt = stmt.limit(bad_limit)
    report.bad = [BadRating(r.id, r.service, r.terminal_id, district, site, r.occurred_at,
                            r.score or 0, r.category, r.status)
                  for r, district, site in db.execute(stmt)]
    return report


def to_csv(report: MonthReport) -> str:
    """The report as CSV (UTF-8 with a BOM; every cell neutralised against formulas)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)

    def row(*cells: object) -> None:
        writer.writerow([neutralise(str(c)) for c in cells])

    f = report.filters
    row("month", "district", "site", "terminal")
    row(f.month, f.district, f.site, f.terminal)
    row()
    row("sessions", report.sessions)
    row()
    row("service", "completed")
    for service, n in report.completions.items():
        row(service, n)
    row()
    row("score", "level", "ratings")
    for score, label in LEVELS.items():
        row(score, label, report.levels.get(score, 0))
    sat = report.satisfaction
    row("satisfaction", "" if sat is None else f"{sat:.4f}")
    row()
    row("bad_rating_id", "occurred_at", "service", "terminal", "district", "site", "score",
        "category", "status")
    for b in report.bad:
        row(b.id, b.occurred_at.isoformat(), b.service, b.terminal_id, b.district, b.site,
            b.score, b.category, b.status)
    return out.getvalue()
