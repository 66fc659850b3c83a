"""帮办记录: one `VideoCall` row per call, written as the call moves on (docs/adr/0752).

Rows name the terminal, queue, service and step, the staff member, times, outcome, note and
rating: nothing about the resident. The staff member's note is masked (ID numbers, mobile
numbers) before it is stored, in case someone types one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.console.db import as_utc
from kiosk.console.models import Terminal, User, VideoCall
from kiosk.console.video.messages import Request
from kiosk.core.privacy import mask_text

OUTCOME_LABELS = {"solved": "已解决", "unsolved": "未解决", "transferred": "已转办", "": "—"}
REASON_LABELS = {"": "进行中", "resident": "群众结束", "wiped": "终端清场", "network": "网络中断",
                 "staff": "坐席结束", "staff_left": "坐席离线", "console": "平台重启",
                 "cancelled": "群众取消排队", "no_staff": "无坐席在线",
                 "outside_hours": "非服务时间"}
#: How many recent calls the handling-time estimate averages.
ESTIMATE_WINDOW = 50


def open_call(db: Session, call_id: str, terminal_id: str, request: Request,
              moment: datetime, unavailable: str = "") -> None:
    """The row of a new request; `unavailable` ("no_staff", "outside_hours") ends it at once."""
    db.add(VideoCall(id=call_id, terminal_id=terminal_id, queue=request.queue,
                     service=request.service, service_title=request.service_title,
                     step=request.step, step_title=request.step_title,
                     share_screen=request.share_screen, lang=request.lang, staff_user_id=None,
                     staff_name="", requested_at=moment, accepted_at=None,
                     ended_at=moment if unavailable else None, end_reason=unavailable,
                     outcome="", note="", rating=None))


def accept(db: Session, call_id: str, user: User, moment: datetime) -> None:
    """A staff member took the call."""
    db.execute(update(VideoCall).where(VideoCall.id == call_id).values(
        staff_user_id=user.id, staff_name=user.username, accepted_at=moment))


def end(db: Session, call_id: str, reason: str, moment: datetime) -> None:
    """The call is over (the first end wins)."""
    db.execute(update(VideoCall).where(VideoCall.id == call_id, VideoCall.ended_at.is_(None))
               .values(ended_at=moment, end_reason=reason))


def set_outcome(db: Session, call_id: str, user_id: int, outcome: str, note: str) -> bool:
    """The staff member's outcome and note for a call they took; False for anyone else's."""
    result = db.execute(update(VideoCall).where(
        VideoCall.id == call_id, VideoCall.staff_user_id == user_id).values(
        outcome=outcome, note=mask_text(note.strip())[:500]))
    return bool(getattr(result, "rowcount", 0))


def rate(db: Session, call_id: str, terminal_id: str, score: int) -> bool:
    """The resident's rating of an answered call from this terminal (once)."""
    result = db.execute(update(VideoCall).where(
        VideoCall.id == call_id, VideoCall.terminal_id == terminal_id,
        VideoCall.accepted_at.is_not(None), VideoCall.rating.is_(None)).values(rating=score))
    return bool(getattr(result, "rowcount", 0))


def end_orphans(db: Session, moment: datetime) -> int:
    """Calls left open by a previous run of the hub (a restart) end with reason "console"."""
    result = db.execute(update(VideoCall).where(VideoCall.ended_at.is_(None)).values(
        ended_at=moment, end_reason="console"))
    return int(getattr(result, "rowcount", 0))


def average_handle_seconds(db: Session, default: float) -> float:
    """The mean length of the recent answered calls, or `default` before there are any."""
    rows = db.execute(select(VideoCall.accepted_at, VideoCall.ended_at).where(
        VideoCall.accepted_at.is_not(None), VideoCall.ended_at.is_not(None))
        .order_by(VideoCall.ended_at.desc()).limit(ESTIMATE_WINDOW)).all()
    lengths = [(as_utc(e) - as_utc(a)).total_seconds() for a, e in rows if a and e]
    return sum(lengths) / len(lengths) if lengths else default


def place(db: Session, terminal_id: str) -> tuple[str, str]:
    """(district, site) of a terminal."""
    terminal = db.get(Terminal, terminal_id)
    return (terminal.district, terminal.site) if terminal is not None else ("", "")


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of 视频帮办 over a period (the statistics section)."""

    requested: int
    answered: int
    unavailable: int
    abandoned: int
    solved: int
    mean_wait_s: float
    mean_length_s: float
    ratings: int
    mean_rating: float


def summary(db: Session, start: datetime, end_: datetime) -> Summary:
    """Counts and means of the calls requested in [start, end_)."""
    rows = db.scalars(select(VideoCall).where(VideoCall.requested_at >= start,
                                              VideoCall.requested_at < end_)).all()
    answered = [r for r in rows if r.accepted_at is not None]
    waits = [(as_utc(r.accepted_at) - as_utc(r.requested_at)).total_seconds()
             for r in answered if r.accepted_at]
    lengths = [(as_utc(r.ended_at) - as_utc(r.accepted_at)).total_seconds()
               for r in answered if r.accepted_at and r.ended_at]
    rated = [r.rating for r in rows if r.rating is not None]
    return Summary(
        requested=len(rows), answered=len(answered),
        unavailable=sum(r.end_reason in ("no_staff", "outside_hours") for r in rows),
        abandoned=sum(r.accepted_at is None and r.end_reason in ("cancelled", "network",
                                                                  "wiped", "resident")
                      for r in rows),
        solved=sum(r.outcome == "solved" for r in answered),
        mean_wait_s=sum(waits) / len(waits) if waits else 0.0,
        mean_length_s=sum(lengths) / len(lengths) if lengths else 0.0,
        ratings=len(rated), mean_rating=sum(rated) / len(rated) if rated else 0.0)


def recent(db: Session, start: datetime, end_: datetime, limit: int = 500
           ) -> list[tuple[VideoCall, str, str]]:
    """The calls requested in [start, end_), newest first, with the terminal's district and
    site."""
    rows = db.execute(select(VideoCall, Terminal.district, Terminal.site)
                      .join(Terminal, Terminal.id == VideoCall.terminal_id)
                      .where(VideoCall.requested_at >= start, VideoCall.requested_at < end_)
                      .order_by(VideoCall.requested_at.desc()).limit(limit)).all()
    return [(call, district, site) for call, district, site in rows]


def count_open(db: Session) -> int:
    """Calls waiting or in progress (as the database sees them, across console processes)."""
    return int(db.scalar(select(func.count()).select_from(VideoCall)
                         .where(VideoCall.ended_at.is_(None))) or 0)
