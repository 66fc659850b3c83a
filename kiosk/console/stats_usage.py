"""The usage figures of the 统计 page, summed from the daily counts (docs/adr/0740): per day,
per service (started, completed, abandoned, prints and failures, 好差评), where residents give
up (service and step), identification methods, elderly mode and English use, per district, site
and terminal, and the 满意率 of the last twelve months. Titles, never ids, for people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.console.models import Terminal
from kiosk.console.stats_daily import DayFilters, summed
from kiosk.console.stats_models import UsageDaily, UsageMonthly
from kiosk.console.stats_titles import Titles

METHOD_LABELS = {"idcard": "身份证", "smartcard": "社保卡", "qrcode": "扫码", "face": "人脸核验"}
#: Rows of the places and terminals tables on the page (the CSV has them all).
PAGE_ROWS = 50


@dataclass
class ServiceRow:
    """One service's month."""

    service: str
    title: str
    started: int = 0
    completed: int = 0
    abandoned: int = 0
    printed: int = 0
    print_failed: int = 0
    levels: dict[int, int] = field(default_factory=dict)

    @property
    def ratings(self) -> int:
        """All ratings of the service."""
        return sum(self.levels.values())

    @property
    def satisfaction(self) -> float | None:
        """满意率 of the service."""
        return satisfaction(self.levels)


@dataclass
class PlaceRow:
    """A district, site or terminal's month."""

    key: str
    label: str
    sessions: int = 0
    completed: int = 0
    levels: dict[int, int] = field(default_factory=dict)

    @property
    def ratings(self) -> int:
        """All ratings there."""
        return sum(self.levels.values())

    @property
    def satisfaction(self) -> float | None:
        """满意率 there."""
        return satisfaction(self.levels)


@dataclass
class UsageReport:
    """Everything the usage part of the page shows."""

    days: list[date]
    totals: dict[str, int]
    per_day: dict[str, dict[date, int]]
    services: list[ServiceRow]
    give_up: list[tuple[str, str, int]]  # service title, step title, count
    methods: dict[str, int]
    districts: list[PlaceRow]
    sites: list[PlaceRow]
    terminals: list[PlaceRow]
    months: list[tuple[str, float | None, int]]  # YYYY-MM, 满意率, ratings

    def total(self, kind: str) -> int:
        """The span's count of one kind."""
        return self.totals.get(kind, 0)


def satisfaction(levels: dict[int, int]) -> float | None:
    """(非常满意 + 满意 + 基本满意) / all; None without ratings."""
    total = sum(levels.values())
    return sum(n for s, n in levels.items() if s >= 3) / total if total else None


def counts_model(f: DayFilters) -> Any:
    """The table that answers ``f``: the monthly counts for whole months, else the daily."""
    return UsageMonthly if f.whole_months else UsageDaily


@dataclass(frozen=True, slots=True)
class Places:
    """Sessions, completions and ratings per district, site and terminal."""

    districts: list[PlaceRow]
    sites: list[PlaceRow]
    terminals: list[PlaceRow]


def places(db: Session, f: DayFilters) -> Places:
    """One pass over the counts grouped by terminal (no join: each terminal's district and
    site come from the terminals table, read once), summed into districts and sites here."""
    m = counts_model(f)
    where = {t: (d, s) for t, d, s in db.execute(
        select(Terminal.id, Terminal.district, Terminal.site))}
    tables: tuple[dict[str, PlaceRow], ...] = ({}, {}, {})
    for tid, kind, detail, n in summed(db, f, m.terminal_id, m.kind, m.detail, model=m,
                                       kinds=("session", "completed", "rating")):
        district, site = where.get(str(tid), ("", ""))
        for table, key, label in ((tables[0], district, district), (tables[1], site, site),
                                  (tables[2], str(tid), site)):
            row = table.get(key)
            if row is None:
                row = table[key] = PlaceRow(key, label)
            if kind == "session":
                row.sessions += int(n)
            elif kind == "completed":
                row.completed += int(n)
            elif str(detail).isdigit():
                score = int(str(detail))
                row.levels[score] = row.levels.get(score, 0) + int(n)
    districts, sites, terminals = (sorted(t.values(), key=lambda r: (-r.sessions, r.key))
                                   for t in tables)
    return Places(districts, sites, terminals)


def usage_report(db: Session, f: DayFilters, titles: Titles, months_back: DayFilters
                 ) -> UsageReport:
    """The figures for the span and place of ``f``; ``months_back`` is the twelve-month span
    of the satisfaction trend (same place)."""
    days = [f.first + timedelta(days=i) for i in range((f.last - f.first).days + 1)]
    totals: dict[str, int] = defaultdict(int)
    per_day: dict[str, dict[date, int]] = defaultdict(dict)
    m = counts_model(f)
    for kind, n in summed(db, f, m.kind, model=m):
        totals[str(kind)] += int(n)
    for day, kind, n in summed(db, f, UsageDaily.day, UsageDaily.kind, model=UsageDaily,
                               kinds=("session", "completed")):
        per_day[str(kind)][day] = int(n)
    services: dict[str, ServiceRow] = {}
    for service, kind, detail, n in summed(db, f, m.service, m.kind, m.detail, model=m, kinds=(
                                               "started", "completed", "abandoned", "printed",
                                               "print_failed", "rating")):
        sid = str(service)
        row = services.setdefault(sid, ServiceRow(sid, titles.service(sid)))
        count = int(n)
        if kind == "rating" and str(detail).isdigit():
            row.levels[int(str(detail))] = row.levels.get(int(str(detail)), 0) + count
        elif kind != "rating":
            setattr(row, str(kind), getattr(row, str(kind)) + count)
    give_up = [(titles.service(str(s)), titles.step(str(s), str(step)), int(n))
               for s, step, n in summed(db, f, m.service, m.step, model=m,
                                        kinds=("abandoned",), order_by_count=True, limit=15)]
    methods = {str(d): int(n) for d, n in summed(
        db, f, m.detail, model=m, kinds=("identified",))}
    months: dict[str, dict[int, int]] = defaultdict(dict)
    mb = counts_model(months_back)
    for day, detail, n in summed(db, months_back, mb.day, mb.detail, model=mb,
                                 kinds=("rating",)):
        month = f"{day:%Y-%m}"
        if str(detail).isdigit():
            levels = months[month]
            levels[int(str(detail))] = levels.get(int(str(detail)), 0) + int(n)
    where = places(db, f)
    trend = []
    cursor = months_back.first.replace(day=1)
    while cursor <= months_back.last:
        key = f"{cursor:%Y-%m}"
        trend.append((key, satisfaction(months.get(key, {})), sum(months.get(key, {}).values())))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return UsageReport(
        days=days, totals=dict(totals), per_day=dict(per_day),
        services=sorted(services.values(), key=lambda r: (-r.started - r.completed, r.service)),
        give_up=give_up, methods=methods,
        districts=where.districts, sites=where.sites, terminals=where.terminals, months=trend)
