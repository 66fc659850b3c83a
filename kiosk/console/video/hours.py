"""Staff hours of the 视频帮办 service: outside them a terminal hears the hours and 12345.

Hours are China Standard Time (the staff are there), whatever the server's clock zone. Each
queue (a district's window, the 跨省通办 远程虚拟窗口, ...) may have its own hours
(`kiosk console --video-queue-hours "kuasheng=mon-sat 08:30-20:00"`); a queue without its
own follows the console's `--video-hours` (docs/adr/0822).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8))
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPEC = re.compile(r"^(?:(?P<d1>[a-z]{3})-(?P<d2>[a-z]{3})\s+)?(?P<h1>\d{1,2}):(?P<m1>\d\d)"
                   r"-(?P<h2>\d{1,2}):(?P<m2>\d\d)$")


class BadHours(ValueError):
    """A staff-hours setting that cannot be read (the message names the setting and the text)."""


@dataclass(frozen=True, slots=True)
class StaffHours:
    """When staff answer: days of the week (0 = Monday) and a daily window [start, end)."""

    weekdays: frozenset[int] = frozenset(range(7))
    start_minute: int = 0
    end_minute: int = 24 * 60
    #: What the terminal shows and speaks.
    label: str = "每日 0:00-24:00"

    @classmethod
    def parse(cls, spec: str, label: str = "") -> StaffHours:
        """`"mon-fri 09:00-17:00"` or `"08:30-20:00"` (every day)."""
        found = _SPEC.match(spec.strip().lower())
        if not found:
            raise BadHours(f"video-hours: cannot read {spec!r} (example: mon-fri 09:00-17:00)")
        d1, d2 = found["d1"] or "mon", found["d2"] or "sun"
        if d1 not in _DAYS or d2 not in _DAYS or _DAYS.index(d1) > _DAYS.index(d2):
            raise BadHours(f"video-hours: bad days in {spec!r} (mon..sun, first before last)")
        start = int(found["h1"]) * 60 + int(found["m1"])
        end = int(found["h2"]) * 60 + int(found["m2"])
        if not 0 <= start < end <= 24 * 60 or int(found["m1"]) > 59 or int(found["m2"]) > 59:
            raise BadHours(f"video-hours: bad times in {spec!r}")
        days = frozenset(range(_DAYS.index(d1), _DAYS.index(d2) + 1))
        if not label:
            prefix = "每日" if len(days) == 7 else ("工作日" if days == frozenset(range(5))
                                                   else f"{d1}-{d2}")
            label = f"{prefix} {start // 60}:{start % 60:02d}-{end // 60}:{end % 60:02d}"
        return cls(days, start, end, label)

    def open_at(self, moment: datetime) -> bool:
        """Whether staff answer at `moment` (timezone-aware)."""
        local = moment.astimezone(CHINA_TIME)
        minute = local.hour * 60 + local.minute
        return local.weekday() in self.weekdays and self.start_minute <= minute < self.end_minute



#: A queue id as the protocol allows it.
_QUEUE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def parse_queue_hours(spec: str) -> tuple[str, StaffHours]:
    """`"kuasheng=mon-sat 08:30-20:00"`: one queue's own hours."""
    queue, sep, hours = spec.partition("=")
    queue = queue.strip()
    if not sep or not _QUEUE.match(queue):
        raise BadHours(f"video-queue-hours: cannot read {spec!r} "
                       "(example: kuasheng=mon-fri 09:00-17:00)")
    try:
        return queue, StaffHours.parse(hours)
    except BadHours as exc:
        raise BadHours(f"video-queue-hours: {queue}: {exc}") from None


def queue_hours(specs: Iterable[str]) -> dict[str, StaffHours]:
    """Every `--video-queue-hours` setting; a queue named twice is refused."""
    found: dict[str, StaffHours] = {}
    for spec in specs:
        queue, hours = parse_queue_hours(spec)
        if queue in found:
            raise BadHours(f"video-queue-hours: {queue} is given twice")
        found[queue] = hours
    return found


def hours_for(queue: str, default: StaffHours, per_queue: Mapping[str, StaffHours]) -> StaffHours:
    """The hours of ``queue``: its own, or the console's."""
    return per_queue.get(queue, default)
