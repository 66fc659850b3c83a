"""The monthly 好差评 report (通报, docs/adr/0742): per district and site the sessions,
completed services, ratings, 满意率, 差评 and 办不成事 with how many were answered, answered
in time and closed and the mean time to reply; the terminals with the lowest 满意率; the items
not answered in time. A page, a CSV and an XLSX workbook from the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.console.audit import neutralise
from kiosk.console.models import Terminal
from kiosk.console.stats_daily import CHINA_OFFSET, DayFilters
from kiosk.console.stats_models import WorkItem
from kiosk.console.stats_titles import Titles
from kiosk.console.stats_usage import PlaceRow, places
from kiosk.console.stats_work import KIND_LABELS, STATUS_LABELS, duration_text, reply_time

#: A 差评 or 办不成事 is answered in time within this many days (what the terminal promises the
#: resident: kiosk.ops.outbox, reply_within_days=5).
REPLY_WITHIN_DAYS = 5
#: Terminals with at least this many ratings are ranked by 满意率.
RANK_MIN_RATINGS = 5


@dataclass
class ItemFigures:
    """How a place's 差评 and 办不成事 were handled."""

    bad: int = 0
    unresolved: int = 0
    replied: int = 0
    in_time: int = 0
    closed: int = 0
    reply_seconds: list[float] = field(default_factory=list)

    @property
    def mean_reply(self) -> str:
        """The mean time to reply in Chinese, — when nothing was answered."""
        if not self.reply_seconds:
            return "—"
        return duration_text(timedelta(seconds=sum(self.reply_seconds)
                                       / len(self.reply_seconds)))


@dataclass
class Bulletin:
    """The 通报 of one month."""

    month: str
    districts: list[tuple[PlaceRow, ItemFigures]]
    sites: list[tuple[PlaceRow, ItemFigures]]
    lowest: list[PlaceRow]
    overdue: list[Any]  # rows with number, kind, service, terminal_id, status, times
    titles: Titles

    def total(self) -> tuple[PlaceRow, ItemFigures]:
        """The whole fleet's row."""
        row, figures = PlaceRow("", "合计"), ItemFigures()
        for place, f in self.districts:
            row.sessions += place.sessions
            row.completed += place.completed
            for s, n in place.levels.items():
                row.levels[s] = row.levels.get(s, 0) + n
            for name in ("bad", "unresolved", "replied", "in_time", "closed"):
                setattr(figures, name, getattr(figures, name) + getattr(f, name))
            figures.reply_seconds += f.reply_seconds
        return row, figures


def china_text(moment: datetime) -> str:
    """An instant as China time, YYYY-MM-DD HH:MM."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (aware.astimezone(UTC) + CHINA_OFFSET).strftime("%Y-%m-%d %H:%M")


def month_span(month: str) -> tuple[date, date]:
    """The first and last China-time day of YYYY-MM."""
    first = datetime.strptime(month, "%Y-%m").date()
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


def bulletin(db: Session, month: str, titles: Titles, moment: datetime) -> Bulletin:
    """Compute the 通报 of ``month``; ``moment`` decides what is overdue."""
    first, last = month_span(month)
    f = DayFilters(first, last)
    start = datetime.combine(first, datetime.min.time(), UTC) - CHINA_OFFSET
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC) - CHINA_OFFSET
    w = WorkItem
    items = db.execute(select(  # columns, not objects: a month of the fleet is ~40,000 items
        w.number, w.kind, w.service, w.terminal_id, w.status, w.occurred_at, w.replied_at,
        Terminal.district, Terminal.site).join(Terminal, Terminal.id == w.terminal_id).where(
        w.occurred_at >= start, w.occurred_at < end).order_by(w.occurred_at))
    by_district: dict[str, ItemFigures] = {}
    by_site: dict[str, ItemFigures] = {}
    overdue: list[Any] = []
    limit = timedelta(days=REPLY_WITHIN_DAYS)
    now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    for item in items:
        district, site = item.district, item.site
        for table, key in ((by_district, district), (by_site, site)):
            fig = table.setdefault(key, ItemFigures())
            if item.kind == "bad_rating":
                fig.bad += 1
            else:
                fig.unresolved += 1
            span = reply_time(item)
            if span is not None:
                fig.replied += 1
                fig.in_time += span <= limit
                fig.reply_seconds.append(span.total_seconds())
            fig.closed += item.status == "closed"
        occurred = item.occurred_at if item.occurred_at.tzinfo else item.occurred_at.replace(
            tzinfo=UTC)
        span = reply_time(item)
        if (span is None and now - occurred > limit) or (span is not None and span > limit):
            overdue.append(item)
    where = places(db, f)
    districts = [(row, by_district.get(row.key, ItemFigures())) for row in where.districts]
    sites = [(row, by_site.get(row.key, ItemFigures())) for row in where.sites]
    ranked = [r for r in where.terminals if r.ratings >= RANK_MIN_RATINGS]
    lowest = sorted(ranked, key=lambda r: (r.satisfaction or 0.0, -r.ratings))[:10]
    return Bulletin(month, districts, sites, lowest, overdue, titles)


HEAD = ("区/网点", "服务次数", "办结", "评价数", "满意率", "差评", "办不成事", "已答复",
        "按时答复", "已办结", "平均答复用时")


def _cells(row: PlaceRow, fig: ItemFigures) -> list[object]:
    sat = row.satisfaction
    return [row.label or row.key or "（未填）", row.sessions, row.completed, row.ratings,
            "—" if sat is None else f"{sat * 100:.1f}%", fig.bad, fig.unresolved, fig.replied,
            fig.in_time, fig.closed, fig.mean_reply]


def sheets(b: Bulletin, overdue_rows: int | None = None
           ) -> list[tuple[str, Sequence[Sequence[object]]]]:
    """The 通报 as named tables (the CSV writes them one after another, the XLSX one sheet
    each); the page shows the first ``overdue_rows`` late items (the exports all)."""
    total_row, total_fig = b.total()
    districts = [list(HEAD)] + [_cells(r, f) for r, f in b.districts] + [
        _cells(total_row, total_fig)]
    sites = [list(HEAD)] + [_cells(r, f) for r, f in b.sites]
    lowest = [["终端", "网点", "评价数", "满意率"]] + [
        [r.key, r.label, r.ratings, f"{(r.satisfaction or 0) * 100:.1f}%"] for r in b.lowest]
    overdue = [["工单号", "类型", "业务", "终端", "发生时间", "状态", "答复用时"]] + [
        [i.number, KIND_LABELS.get(i.kind, i.kind), b.titles.service(i.service), i.terminal_id,
         china_text(i.occurred_at),
         STATUS_LABELS.get(i.status, i.status), duration_text(reply_time(i))]
        for i in b.overdue[:overdue_rows]]
    return [("各区", districts), ("各网点", sites), ("满意率最低的终端", lowest),
            (f"未按时答复（超过{REPLY_WITHIN_DAYS}天）", overdue)]


def to_csv(b: Bulletin) -> str:
    """The 通报 as CSV (UTF-8 with a BOM; cells neutralised against formulas)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([neutralise(f"{b.month} 政务服务自助终端好差评通报")])
    for name, rows in sheets(b):
        writer.writerow([])
        writer.writerow([neutralise(name)])
        for row in rows:
            writer.writerow([neutralise(str(c)) for c in row])
    return out.getvalue()


def to_xlsx(b: Bulletin) -> bytes:
    """The 通报 as an XLSX workbook, one sheet per table (strings neutralised as in CSV)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = True
    for name, rows in sheets(b):
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = name[:31]
        sheet.append([f"{b.month} {name}"])
        sheet["A1"].font = Font(bold=True, size=13)
        for row in rows:
            sheet.append([c if isinstance(c, int) else neutralise(str(c)) for c in row])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
