"""视频帮办 signalling against the real console over real WebSockets: queue and routing, one call
per staff member, and the faults: staff leave mid-call, the terminal drops mid-call, no staff
online, outside staff hours, a revoked terminal, a viewer, a foreign page, a bad frame.
(The media and the staff page in Chromium: test_browser_video_call.py.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
import requests
from sqlalchemy import select, update

from kiosk.console.app import create_app
from kiosk.console.models import Terminal, User, VideoCall
from kiosk.console.server import start_server
from kiosk.console.settings import ConsoleSettings
from kiosk.console.video.hours import StaffHours
from tests.console.conftest import Clock, _fresh_database
from tests.console.helpers import Browser, Console
from tests.console.video_peers import StaffPeer, TerminalPeer


@contextlib.contextmanager
def running_console(tmp_path: os.PathLike[str], url: str = "",
                    **settings: object) -> Iterator[Console]:
    """A console (SQLite unless `url` says) with video settings for the test."""
    url = url or f"sqlite:///{os.path.join(tmp_path, 'console.db')}"
    clock = Clock()
    app = create_app(ConsoleSettings(database_url=url, heartbeat_min_interval_seconds=0.0,
                                     **settings), clock=clock)  # type: ignore[arg-type]
    handle = start_server(app)
    try:
        yield Console(handle.url, app.state.sessions, clock, url)
    finally:
        handle.stop()


@pytest.fixture(params=["sqlite"])
def video_console(request: pytest.FixtureRequest,
                  tmp_path: os.PathLike[str]) -> Iterator[Console]:
    """A running console with two helpers and a viewer (PostgreSQL with indirect=True)."""
    for url in _fresh_database(request, request.param, tmp_path, migrated=True):
        with running_console(tmp_path, url) as console:
            console.add_user("wangfang", "helper")
            console.add_user("lina", "helper")
            console.add_user("viewer1", "viewer")
            yield console


def cookie(console: Console, username: str) -> str:
    return str(console.login(username).http.cookies["console_session"])


def rows(console: Console) -> list[VideoCall]:
    with console.sessions() as db:
        return list(db.scalars(select(VideoCall).order_by(VideoCall.requested_at)))


@pytest.mark.parametrize("video_console", ["sqlite", "postgresql"], indirect=True)
def test_queue_take_next_and_one_call_per_staff(video_console: Console,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.console.video.hub")
    token_a = video_console.enrol("T-A")
    token_b = video_console.enrol("T-B")
    staff_cookie = cookie(video_console, "wangfang")

    async def journey() -> None:
        staff = await StaffPeer.open(video_console.url, staff_cookie)
        second_tab = await StaffPeer.open(video_console.url, staff_cookie)
        assert (await staff.expect("queue"))["waiting"] == []
        a = await TerminalPeer.open(video_console.url, token_a)
        b = await TerminalPeer.open(video_console.url, token_b)
        await a.request()
        first = await a.expect("queued")
        assert first["position"] == 1 and first["estimate_s"] > 0
        await b.request()
        second = await b.expect("queued")
        assert second["position"] == 2 and second["estimate_s"] > first["estimate_s"]
        queue = await staff.expect("queue")
        while len(queue["waiting"]) < 2:
            queue = await staff.expect("queue")
        assert [w["terminal"] for w in queue["waiting"]] == ["T-A", "T-B"]
        assert queue["waiting"][0]["service_title"] == "社保参保证明"
        assert queue["waiting"][0]["site"] == "望京街道便民服务中心"

        await staff.send({"type": "take_next"})
        call = await staff.expect("call")
        assert call["terminal"] == "T-A" and call["share_screen"] is True
        accepted = await a.expect("accepted")
        assert accepted["call_id"] == call["call_id"]
        assert accepted["staff"]["name"] == "wangfang"
        moved = await b.expect("queued")
        assert moved["position"] == 1
        # one call per staff member, even from a second tab
        await second_tab.send({"type": "take_next"})
        assert "正在通话中" in (await second_tab.expect("error"))["message"]

        # hint and highlight reach the terminal; screen text reaches the staff member
        await staff.send({"type": "hint", "call_id": call["call_id"], "text": "请点右下角的确认"})
        assert (await a.expect("hint"))["text"] == "请点右下角的确认"
        await staff.send({"type": "highlight", "call_id": call["call_id"],
                          "x": 0.7, "y": 0.8, "w": 0.2, "h": 0.1})
        highlight = await a.expect("highlight")
        assert (highlight["x"], highlight["y"], highlight["w"], highlight["h"]) == (
            0.7, 0.8, 0.2, 0.1)
        await a.send({"type": "screen", "service": "social-insurance-cert",
                      "step": "print", "step_title": "打印", "text": "请取走证明"})
        screen = await staff.expect("screen")
        while screen.get("step") != "print":
            screen = await staff.expect("screen")
        assert screen["text"] == "请取走证明" and screen["call_id"] == call["call_id"]
        assert screen["service_title"] == "社保参保证明"  # left out: kept from the request
        await a.send({"type": "screen", "service": "social-insurance-cert", "step": "done",
                      "step_title": "完成"})
        screen = await staff.expect("screen")
        assert screen["step_title"] == "完成" and "text" not in screen

        await staff.send({"type": "end", "call_id": call["call_id"], "outcome": "solved",
                          "note": "已指导打印，电话 13812345678"})
        assert (await a.expect("ended"))["reason"] == "staff"
        await staff.expect("saved")
        for peer in (a, b, staff, second_tab):
            await peer.close()
        # the kiosk sends its 好差评 on a socket of its own, after the call; once only. Each
        # socket is served on its own, so the second try waits until the first is stored (else
        # the console could take the 1 first), and the refusals are waited for in the log.
        rating = await TerminalPeer.open(video_console.url, token_a)
        await rating.send({"type": "rating", "call_id": call["call_id"], "score": 5})
        await rating.close()
        await _poll(lambda: rows(video_console)[0].rating == 5)
        again = await TerminalPeer.open(video_console.url, token_a)
        await again.send({"type": "rating", "call_id": call["call_id"], "score": 1})
        await again.close()
        # another terminal cannot rate this call
        other = await TerminalPeer.open(video_console.url, token_b)
        await other.send({"type": "rating", "call_id": call["call_id"], "score": 1})
        await other.close()

    asyncio.run(journey())
    first_row = rows(video_console)[0]
    assert first_row.terminal_id == "T-A" and first_row.staff_name == "wangfang"
    assert first_row.outcome == "solved" and first_row.end_reason == "staff"
    assert first_row.note == "已指导打印，电话 138****5678"  # masked before it is stored
    assert first_row.accepted_at is not None and first_row.ended_at is not None
    assert asyncio.run(_poll(lambda: len(_ignored_ratings(caplog)) == 2))
    assert rows(video_console)[0].rating == 5


def _ignored_ratings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "rating for an unknown or unanswered call" in
            r.getMessage()]


async def _poll(condition: object, timeout: float = 10.0) -> bool:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.1)
    return True


def test_staff_leaving_mid_call_ends_it_for_the_terminal(video_console: Console) -> None:
    token = video_console.enrol("T-A")
    staff_cookie = cookie(video_console, "wangfang")

    async def journey() -> None:
        staff = await StaffPeer.open(video_console.url, staff_cookie)
        await staff.expect("queue")
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request()
        await terminal.expect("queued")
        await staff.send({"type": "take_next"})
        await terminal.expect("accepted")
        await staff.close()  # the browser tab is closed mid-call
        assert (await terminal.expect("ended"))["reason"] == "staff_left"
        await terminal.close()

    asyncio.run(journey())
    assert asyncio.run(_poll(lambda: rows(video_console)[0].end_reason == "staff_left"))


def test_terminal_dropping_mid_call_tells_the_staff_who_still_records_it(
        video_console: Console) -> None:
    token = video_console.enrol("T-A")
    staff_cookie = cookie(video_console, "wangfang")

    async def journey() -> None:
        staff = await StaffPeer.open(video_console.url, staff_cookie)
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request(share_screen=False)
        await terminal.expect("queued")
        await staff.send({"type": "take_next"})
        call = await staff.expect("call")
        assert call["share_screen"] is False
        await terminal.send({"type": "screen", "step": "form", "step_title": "填写表格",
                             "text": "张三 110105199001011234"})
        screen = await staff.expect("screen")
        while screen.get("step") != "form":
            screen = await staff.expect("screen")
        assert "text" not in screen  # not shared: the step name only
        await terminal.close()  # the socket goes without an "end": a network drop
        ended = await staff.expect("ended")
        assert ended == {"type": "ended", "call_id": call["call_id"], "reason": "network"}
        await staff.send({"type": "end", "call_id": call["call_id"], "outcome": "unsolved",
                          "note": "网络中断"})
        await staff.expect("saved")
        # free again: the next resident can be taken
        await staff.send({"type": "take_next"})
        assert "没有排队" in (await staff.expect("error"))["message"]
        await staff.close()

    asyncio.run(journey())
    assert asyncio.run(_poll(lambda: (rows(video_console)[0].end_reason,
                                      rows(video_console)[0].outcome) == ("network", "unsolved")))
    assert rows(video_console)[0].note == "网络中断"


def test_no_staff_online_means_unavailable_with_hours_and_hotline(
        video_console: Console) -> None:
    token = video_console.enrol("T-A")

    async def journey() -> dict[str, object]:
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request()
        answer = await terminal.expect("unavailable")
        await terminal.close()
        return answer

    answer = asyncio.run(journey())
    assert answer == {"type": "unavailable", "reason": "no_staff", "hours": "每日 0:00-24:00",
                      "hotline": "12345"}
    assert asyncio.run(_poll(lambda: rows(video_console)[0].end_reason == "no_staff"))


def test_staff_leaving_leaves_waiting_residents_unavailable(video_console: Console) -> None:
    token = video_console.enrol("T-A")
    staff_cookie = cookie(video_console, "wangfang")

    async def journey() -> str:
        staff = await StaffPeer.open(video_console.url, staff_cookie)
        await staff.expect("queue")
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request()
        await terminal.expect("queued")
        await staff.close()
        reason = str((await terminal.expect("unavailable"))["reason"])
        await terminal.close()
        return reason

    assert asyncio.run(journey()) == "no_staff"


def test_outside_staff_hours(tmp_path: os.PathLike[str]) -> None:
    hours = StaffHours.parse("mon-fri 09:00-17:00")
    with running_console(tmp_path, video_hours=hours) as console:
        console.add_user("wangfang", "helper")
        token = console.enrol("T-A")
        staff_cookie = cookie(console, "wangfang")
        sunday_night = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)  # 22:00 in Beijing, Sunday
        console.clock.offset = sunday_night - datetime.now(UTC)  # type: ignore[attr-defined]

        async def journey() -> dict[str, object]:
            staff = await StaffPeer.open(console.url, staff_cookie)
            terminal = await TerminalPeer.open(console.url, token)
            await terminal.request()
            answer = await terminal.expect("unavailable")
            await terminal.close()
            await staff.close()
            return answer

        answer = asyncio.run(journey())
    assert answer["reason"] == "outside_hours"
    assert answer["hours"] == "工作日 9:00-17:00" and answer["hotline"] == "12345"


def test_routing_to_another_regions_window(video_console: Console) -> None:
    token = video_console.enrol("T-A")
    district_cookie = cookie(video_console, "wangfang")
    kuasheng_cookie = cookie(video_console, "lina")

    async def journey() -> None:
        district = await StaffPeer.open(video_console.url, district_cookie,
                                        queues="district:110105")
        kuasheng = await StaffPeer.open(video_console.url, kuasheng_cookie, queues="kuasheng")
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request(queue="kuasheng")  # 跨省通办: the 远程虚拟窗口
        await terminal.expect("queued")
        queue = await kuasheng.expect("queue")
        while not queue["waiting"]:
            queue = await kuasheng.expect("queue")
        assert queue["waiting"][0]["queue"] == "kuasheng"
        await district.send({"type": "take_next"})
        assert "没有排队" in (await district.expect("error"))["message"]
        await kuasheng.send({"type": "take_next"})
        assert (await terminal.expect("accepted"))["staff"]["name"] == "lina"
        for peer in (terminal, district, kuasheng):
            await peer.close()

    asyncio.run(journey())


def test_revoked_terminal_and_wrong_token_refused(video_console: Console) -> None:
    token = video_console.enrol("T-A")
    with video_console.sessions() as db:
        db.execute(update(Terminal).where(Terminal.id == "T-A").values(revoked=True))
        db.commit()

    async def journey() -> list[int | None]:
        codes = []
        for attempt in (token, "not-a-token"):
            peer = await TerminalPeer.open(video_console.url, attempt)
            codes.append(await peer.closed_code())
        return codes

    assert asyncio.run(journey()) == [4401, 4401]
    assert rows(video_console) == []


def test_viewer_not_logged_in_and_foreign_page_refused(video_console: Console) -> None:
    viewer_cookie = cookie(video_console, "viewer1")
    helper_cookie = cookie(video_console, "wangfang")

    async def journey() -> list[int | None]:
        attempts = [(viewer_cookie, None), ("no-such-session", None),
                    (helper_cookie, "http://evil.example")]
        codes = []
        for value, origin in attempts:
            peer = await StaffPeer.open(video_console.url, value, origin=origin)
            codes.append(await peer.closed_code())
        return codes

    assert asyncio.run(journey()) == [4403, 4401, 4403]


def test_bad_frame_closes_the_socket_and_ends_the_wait(video_console: Console) -> None:
    token = video_console.enrol("T-A")
    staff_cookie = cookie(video_console, "wangfang")

    async def journey() -> int | None:
        staff = await StaffPeer.open(video_console.url, staff_cookie)
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request()
        await terminal.expect("queued")
        await terminal.ws.send('{"type":"screenshot","png_b64":"<script>"}')
        code = await terminal.closed_code()
        await staff.close()
        return code

    assert asyncio.run(journey()) == 4400
    assert asyncio.run(_poll(lambda: rows(video_console)[0].end_reason == "network"))


@pytest.mark.slow  # Argon2 hashes a new password twice (create, log in)
def test_badge_set_on_users_page_reaches_the_resident(video_console: Console) -> None:
    video_console.add_user("admin1", "admin")
    admin = video_console.login("admin1")
    refused = admin.post("/users", {"username": "zhaolei", "display_name": "赵磊",
                                    "role": "helper", "password": "pass-word-123",
                                    "badge": "<b>1"})
    assert refused.status_code == 400 and "输入有误" in refused.text
    made = admin.post("/users", {"username": "zhaolei", "display_name": "赵磊", "role": "helper",
                                 "password": "pass-word-123", "badge": "B2048"})
    assert made.status_code == 200 and "B2048" in made.text and "帮办坐席" in made.text
    token = video_console.enrol("T-A")
    staff_cookie = cookie_for(video_console, "zhaolei", "pass-word-123")

    async def journey() -> dict[str, str]:
        staff = await StaffPeer.open(video_console.url, staff_cookie)
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request()
        await terminal.expect("queued")
        await staff.send({"type": "take_next"})
        accepted = await terminal.expect("accepted")
        await terminal.close()
        await staff.close()
        return dict(accepted["staff"])

    assert asyncio.run(journey()) == {"name": "赵磊", "badge": "B2048"}


def cookie_for(console: Console, username: str, password: str) -> str:
    """The session cookie of a user whose password is not the helpers' cached one."""
    browser = Browser(console.url, requests.Session())
    browser.login(username, password)
    return str(browser.http.cookies["console_session"])


def test_disabled_staff_member_takes_no_more_calls(video_console: Console) -> None:
    token = video_console.enrol("T-A")
    staff_cookie = cookie(video_console, "wangfang")

    async def journey() -> int | None:
        staff = await StaffPeer.open(video_console.url, staff_cookie)
        await staff.expect("queue")
        with video_console.sessions() as db:
            db.execute(update(User).where(User.username == "wangfang").values(active=False))
            db.commit()
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request()
        await terminal.expect("queued")
        await staff.send({"type": "take_next"})
        code = await staff.closed_code()
        assert (await terminal.expect("unavailable"))["reason"] == "no_staff"
        await terminal.close()
        return code

    assert asyncio.run(journey()) == 4401


@pytest.mark.parametrize("video_console", ["postgresql"], indirect=True)
def test_database_gone_mid_wait_everyone_told_no_traceback(
        video_console: Console, pg_server: str, caplog: pytest.LogCaptureFixture) -> None:
    token = video_console.enrol("T-A")
    staff_cookie = cookie(video_console, "wangfang")

    async def journey() -> tuple[int | None, str, int | None]:
        staff = await StaffPeer.open(video_console.url, staff_cookie)
        terminal = await TerminalPeer.open(video_console.url, token)
        await terminal.request()
        await terminal.expect("queued")
        name = video_console.database_url.rsplit("/", 1)[1]
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await staff.send({"type": "take_next"})  # the login check meets no database
        staff_code = await staff.closed_code()
        told = str((await terminal.expect("unavailable"))["reason"])
        await terminal.close()
        again = await TerminalPeer.open(video_console.url, token)
        return staff_code, told, await again.closed_code()

    assert asyncio.run(journey()) == (1011, "no_staff", 1011)
    assert "Traceback" not in caplog.text
