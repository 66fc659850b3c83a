"""Daily counts of usage (docs/adr/0740): every record a terminal reports adds one to its row
in `usage_daily` (China-time day, terminal, kind, service, step, detail), in the same
transaction as the raw record. Every figure of the 统计 pages sums these rows, so a year of
1,000 terminals is read from a few hundred thousand rows, not from every event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kiosk.console.models import Terminal
from kiosk.console.stats_models import UsageDaily, UsageMonthly
from kiosk.console.wire import UsageIn, UsageKind

#: China Standard Time (the months and days the people reading the figures live in).
CHINA_OFFSET = timedelta(hours=8)

Key = tuple[date, str, str, str, str, str]


def china_day(moment: datetime) -> date:
    """The China-time calendar day of an instant."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (aware.astimezone(UTC) + CHINA_OFFSET).date()


def detail_of(record: UsageIn) -> str:
    """What a kind is counted by besides service and step: the score of a rating, the method
    of an identification, the category of a 办不成事 report."""
    if record.kind is UsageKind.RATING:
        return str(record.score)
    if record.kind is UsageKind.IDENTIFIED and record.method is not None:
        return record.method.value
    if record.kind is UsageKind.UNRESOLVED and record.problem is not None:
        return record.problem.value
    return ""


def keys_of(terminal_id: str, records: Iterable[UsageIn]) -> Counter[Key]:
    """The daily rows a batch adds to, with how much."""
    return Counter((china_day(r.occurred_at), terminal_id, r.kind.value, r.service or "",
                    r.step or "", detail_of(r)) for r in records)


def add_counts(db: Session, counts: Counter[Key]) -> None:
    """Add ``counts`` to `usage_daily` and to `usage_monthly` (insert, or add to the existing
    row: an upsert, atomic on SQLite and PostgreSQL alike)."""
    if not counts:
        return
    monthly: Counter[Key] = Counter()
    for (day, terminal, kind, service, step, detail), n in counts.items():
        monthly[(day.replace(day=1), terminal, kind, service, step, detail)] += n
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    names = ("day", "terminal_id", "kind", "service", "step", "detail")
    for model, rows in ((UsageDaily, counts), (UsageMonthly, monthly)):
        table: Any = model.__table__
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=list(names),
                                          set_={"count": table.c.count + stmt.excluded.count})
        db.execute(stmt, [dict(zip(names, key, strict=True), count=n)
                          for key, n in rows.items()])


class DayFilters:
    """A span of China-time days and a place: district, site or terminal ("" = all)."""

    def __init__(self, first: date, last: date, district: str = "", site: str = "",
                 terminal: str = "") -> None:
        self.first, self.last = first, last
        self.district, self.site, self.terminal = district, site, terminal

    @property
    def whole_months(self) -> bool:
        """Whether the span is whole months (then the monthly counts answer)."""
        return self.first.day == 1 and (self.last + timedelta(days=1)).day == 1

    def apply(self, stmt: Select, model: Any = UsageDaily) -> Select:  # type: ignore[type-arg]
        """Restrict a statement over ``model`` (UsageDaily or UsageMonthly) to the span and
        the place."""
        first = self.first if model is UsageDaily else self.first.replace(day=1)
        stmt = stmt.where(model.day >= first, model.day <= self.last)
        if self.district or self.site:
            stmt = stmt.join(Terminal, Terminal.id == model.terminal_id)
            if self.district:
                stmt = stmt.where(Terminal.district == self.district)
            if self.site:
                stmt = stmt.where(Terminal.site == self.site)
        if self.terminal:
            stmt = stmt.where(model.terminal_id == self.terminal)
        return stmt


def summed(db: Session, f: DayFilters, *columns: Any, kinds: Sequence[str] = (),
           order_by_count: bool = False, limit: int | None = None, model: Any = None
           ) -> list[tuple[Any, ...]]:
    """SUM(count) grouped by ``columns`` (columns of ``model``, or Terminal's: joined).
    ``model`` is UsageMonthly for a span of whole months, else UsageDaily, unless given; pass
    columns of that model."""
    if model is None:
        model = UsageMonthly if f.whole_months else UsageDaily
    total = func.sum(model.count)
    stmt = select(*columns, total)
    needs_terminal = any(getattr(c, "class_", None) is Terminal for c in columns)
    if needs_terminal and not (f.district or f.site):
        stmt = stmt.join(Terminal, Terminal.id == model.terminal_id)
    if kinds:
        stmt = stmt.where(model.kind.in_(kinds))
    stmt = f.apply(stmt, model).group_by(*columns)
    stmt = stmt.order_by(total.desc()) if order_by_count else stmt.order_by(*columns)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [tuple(row) for row in db.execute(stmt)]
