"""Two console processes on one database: only the one that runs the 视频帮办 hub takes the
video sockets (the other closes them with 4503, so a balancer sends them on), while 帮办记录 on
either shows every call; a hub that restarts closes the calls its previous run left open
(docs/adr/0751)."""

from __future__ import annotations

import asyncio
import os

from sqlalchemy import select

from kiosk.console.app import create_app
from kiosk.console.db import utcnow
from kiosk.console.models import VideoCall
from kiosk.console.server import start_server
from kiosk.console.settings import ConsoleSettings
from kiosk.console.video import records
from kiosk.console.video.messages import Request
from tests.console.helpers import Console
from tests.console.test_video_hub_faults import cookie, running_console
from tests.console.video_peers import StaffPeer, TerminalPeer


def test_only_the_hub_process_takes_video_and_both_show_records(
        tmp_path: os.PathLike[str]) -> None:
    with running_console(tmp_path) as hub:
        hub.add_user("wangfang", "helper")
        token = hub.enrol("T-A")
        other_app = create_app(ConsoleSettings(database_url=hub.database_url,
                                               video_hub=False))
        other_handle = start_server(other_app)
        other = Console(other_handle.url, other_app.state.sessions, hub.clock,
                        hub.database_url)
        try:
            staff_cookie = cookie(hub, "wangfang")

            async def journey() -> list[int | None]:
                codes = [await (await TerminalPeer.open(other.url, token)).closed_code(),
                         await (await StaffPeer.open(other.url, staff_cookie)).closed_code()]
                terminal = await TerminalPeer.open(hub.url, token)
                await terminal.request()
                codes.append(len(str((await terminal.expect("unavailable"))["reason"])))
                await terminal.close()
                return codes

            assert asyncio.run(journey()) == [4503, 4503, len("no_staff")]
            browser = other.login("wangfang")
            assert "本台管理平台不提供视频帮办" in browser.get("/video").text
            page = browser.get("/video/records").text
            assert "T-A" in page and "无坐席在线" in page
        finally:
            other_handle.stop()


def test_restarted_hub_closes_calls_left_open(tmp_path: os.PathLike[str]) -> None:
    with running_console(tmp_path) as first:
        first.enrol("T-A")
        with first.sessions() as db:
            records.open_call(db, "a" * 32, "T-A", Request(
                type="request", queue="district:110105", service="x"), utcnow())
            db.commit()
        url = first.database_url
    with running_console(tmp_path) as again:
        assert again.database_url == url
        with again.sessions() as db:
            row = db.scalar(select(VideoCall))
            assert row is not None and row.end_reason == "console" and row.ended_at
