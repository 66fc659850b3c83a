"""Staff hours (China time whatever the server's zone), bad hours settings refused with the
setting named, and the queue estimate growing with the position and shrinking with staff."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.console.video.hours import BadHours, StaffHours
from kiosk.console.video.queue import estimate_seconds, parse_queues, positions, serves


def test_hours_are_china_time() -> None:
    hours = StaffHours.parse("mon-fri 09:00-17:00")
    assert hours.label == "工作日 9:00-17:00"
    assert hours.open_at(datetime(2026, 12, 7, 1, 0, tzinfo=UTC))  # Mon 09:00 Beijing
    assert not hours.open_at(datetime(2026, 12, 7, 0, 59, tzinfo=UTC))  # Mon 08:59
    assert not hours.open_at(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # Mon 17:00
    assert not hours.open_at(datetime(2026, 12, 6, 2, 0, tzinfo=UTC))  # Sunday
    assert StaffHours().open_at(datetime(2026, 12, 6, 19, 30, tzinfo=UTC))
    assert StaffHours.parse("08:30-20:00").label == "每日 8:30-20:00"


@pytest.mark.parametrize("spec", ["9-17", "fri-mon 09:00-17:00", "mon-fri 17:00-09:00",
                                  "mon-fri 09:00-25:00", "mon-fri 09:75-10:00", ""])
def test_bad_hours_named(spec: str) -> None:
    with pytest.raises(BadHours, match="video-hours"):
        StaffHours.parse(spec)


def test_estimates_and_routing() -> None:
    assert estimate_seconds(1, 180, 1) == 90
    assert estimate_seconds(2, 180, 1) == 270
    assert estimate_seconds(2, 180, 3) == 90
    assert estimate_seconds(1, 180, 0) == 90  # nobody yet: as if one
    assert positions(["a", "b", "a", "a", "b"]) == [1, 1, 2, 3, 2]
    assert parse_queues(" ") is None and parse_queues("a, kuasheng") == {"a", "kuasheng"}
    assert serves(None, "kuasheng") and not serves(frozenset({"a"}), "kuasheng")
