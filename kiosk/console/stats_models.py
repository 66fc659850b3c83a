"""The statistics tables beside `usage_records` (docs/adr/0740, 0741): daily and monthly
counts and the
work items of 差评 and 办不成事. Codes and counts only; an item's rectification and reply are
what console users write, never a resident's words.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.console.models import Base


class UsageDaily(Base):
    """How many records of one kind a terminal reported on one China-time day, by service,
    step and detail (the method, the score, the category code: whatever the kind counts by).
    Written at ingest (an upsert), read by every figure of the 统计 pages."""

    __tablename__ = "usage_daily"
    __table_args__ = (
        UniqueConstraint("day", "terminal_id", "kind", "service", "step", "detail",
                         name="uq_usage_daily_key"),
        Index("ix_usage_daily_kind_day", "kind", "day", "terminal_id", "count"),
        Index("ix_usage_daily_terminal_day", "terminal_id", "day"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), type_=String(64))
    kind: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)


class UsageMonthly(Base):
    """The same counts by China-time month (`day` is the month's first day): what every
    figure of a whole month reads (a terminal-month is a few hundred rows, not thousands)."""

    __tablename__ = "usage_monthly"
    __table_args__ = (
        UniqueConstraint("day", "terminal_id", "kind", "service", "step", "detail",
                         name="uq_usage_monthly_key"),
        Index("ix_usage_monthly_kind_day", "kind", "day", "terminal_id", "detail", "service",
              "step", "count"),
        Index("ix_usage_monthly_terminal_day", "terminal_id", "day"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), type_=String(64))
    kind: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)


class WorkItem(Base):
    """A 差评 or a 办不成事 report as a work item:
    待处理 -> 已指派 -> 已整改 -> 已答复 -> 已办结."""

    __tablename__ = "stats_work_items"
    __table_args__ = (Index("ix_stats_work_items_kind_time", "kind", "occurred_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The console's case number (差评 CP-..., 办不成事 BC-...), quoted in the reply.
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # bad_rating | unresolved
    usage_record_id: Mapped[int] = mapped_column(
        ForeignKey("usage_records.id", ondelete="CASCADE"), unique=True)
    terminal_id: Mapped[str] = mapped_column(
        ForeignKey("terminals.id", ondelete="CASCADE"), type_=String(64), index=True)
    service: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Reason or problem category codes, comma-separated.
    categories: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str] = mapped_column(String(64))
    rectification: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rectified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
