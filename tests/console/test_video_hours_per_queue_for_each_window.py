"""Staff hours per queue (issue 19: "Outside staff hours ... the hours and the 12345
hotline"): the 跨省通办 远程虚拟窗口 may keep other hours than the district's window. A resident
calling a closed queue hears that queue's hours; the open queue still takes calls; a queue
without hours of its own follows the console's; bad settings are refused with the setting and
the text named, on the command line too."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from kiosk.console.video.hours import BadHours, StaffHours, hours_for, queue_hours
from tests.console.test_video_hub_faults import cookie, running_console
from tests.console.video_peers import StaffPeer, TerminalPeer


def test_each_queue_its_own_hours_the_others_the_consoles() -> None:
    per_queue = queue_hours(["kuasheng=mon-fri 09:00-17:00", "district:110108=08:30-20:00"])
    default = StaffHours.parse("mon-sat 09:00-18:00")
    assert hours_for("kuasheng", default, per_queue).label == "工作日 9:00-17:00"
    assert hours_for("district:110108", default, per_queue).label == "每日 8:30-20:00"
    assert hours_for("district:110105", default, per_queue) is default
    saturday_10 = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # 10:00 Beijing, Saturday
    assert not hours_for("kuasheng", default, per_queue).open_at(saturday_10)
    assert hours_for("district:110105", default, per_queue).open_at(saturday_10)


@pytest.mark.parametrize("specs", [["kuasheng"], ["=mon-fri 09:00-17:00"],
                                   ["bad queue=09:00-17:00"], ["kuasheng=fri-mon 09:00-17:00"],
                                   ["kuasheng=09:00-17:00", "kuasheng=10:00-12:00"]])
def test_bad_queue_hours_named(specs: list[str]) -> None:
    with pytest.raises(BadHours, match="video-queue-hours"):
        queue_hours(specs)


def test_a_closed_window_says_its_own_hours_while_another_answers(
        tmp_path: os.PathLike[str]) -> None:
    per_queue = queue_hours(["kuasheng=mon-fri 09:00-17:00"])
    with running_console(tmp_path, video_queue_hours=per_queue) as console:
        console.add_user("wangfang", "helper")
        token = console.enrol("T-A")
        staff_cookie = cookie(console, "wangfang")
        sunday_night = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)  # 22:00 in Beijing, Sunday

        async def journey() -> tuple[dict[str, object], dict[str, object]]:
            staff = await StaffPeer.open(console.url, staff_cookie)  # serves every queue
            await staff.expect("queue")  # online (logged in now, before the clock moves)
            console.clock.offset = sunday_night - datetime.now(UTC)  # type: ignore[attr-defined]
            terminal = await TerminalPeer.open(console.url, token)
            await terminal.request(queue="kuasheng")
            closed = await terminal.expect("unavailable")
            await terminal.request(queue="district:110105")  # open all day (the default)
            queued = await terminal.expect("queued")
            await terminal.send({"type": "cancel"})
            await terminal.close()
            await staff.close()
            return closed, queued

        closed, queued = asyncio.run(journey())
    assert closed["reason"] == "outside_hours" and closed["hours"] == "工作日 9:00-17:00"
    assert closed["hotline"] == "12345"
    assert queued["position"] == 1


@pytest.mark.slow  # a Python process importing the console
def test_bad_queue_hours_named_on_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    bad = subprocess.run([sys.executable, "-m", "kiosk", "console", "--db",
                          f"sqlite:///{tmp_path}/console.db", "--video-queue-hours",
                          "kuasheng=mon-fri 9:00-25:00"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "--video-queue-hours" in bad.stderr and "kuasheng" in bad.stderr
