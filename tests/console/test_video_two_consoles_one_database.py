"""Two console processes on one database: only the one that runs the 视频帮办 hub takes the
video sockets (the other closes them with 4503, so a balancer sends them on), while 帮办记录 on
either shows every call; a hub that restarts closes the calls its previous run left open
(docs/adr/0751). With `video_relay` on PostgreSQL, the processes elect the hub and the others
relay their sockets to it: a call works whichever process each side reached, and the next
process takes over when the hub stops."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from kiosk.console.app import create_app
from kiosk.console.db import utcnow
from kiosk.console.models import VideoCall
from kiosk.console.server import ServerHandle, start_server
from kiosk.console.settings import ConsoleSettings
from kiosk.console.video import records
from kiosk.console.video.messages import Request
from tests.console.conftest import _fresh_database
from tests.console.helpers import Console
from tests.console.test_video_hub_faults import _poll, cookie, running_console
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


def _relay_consoles(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]
                    ) -> Iterator[tuple[Console, Console, list[ServerHandle]]]:
    for url in _fresh_database(request, "postgresql", tmp_path):
        handles: list[ServerHandle] = []
        consoles = []
        try:
            for _ in range(2):  # the first one up takes the hub's lock
                app = create_app(ConsoleSettings(database_url=url, video_relay=True,
                                                 heartbeat_min_interval_seconds=0.0))
                handles.append(start_server(app))
                consoles.append(Console(handles[-1].url, app.state.sessions, utcnow, url))
            yield consoles[0], consoles[1], handles
        finally:
            for handle in handles:
                handle.stop()


@pytest.fixture
def relayed(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]
            ) -> Iterator[tuple[Console, Console, list[ServerHandle]]]:
    yield from _relay_consoles(request, tmp_path)


def test_relay_on_postgresql_a_call_across_two_processes(
        relayed: tuple[Console, Console, list[ServerHandle]]) -> None:
    hub, edge, handles = relayed
    assert handles[0].app.state.video_relay.is_hub
    assert not handles[1].app.state.video_relay.is_hub
    hub.add_user("wangfang", "helper")
    hub.add_user("lina", "helper")
    token = hub.enrol("T-A")
    near, far = cookie(hub, "wangfang"), cookie(edge, "lina")
    screenshot = base64.b64encode(os.urandom(60_000)).decode("ascii")  # 20 NOTIFY chunks

    async def journey() -> None:
        staff = await StaffPeer.open(hub.url, near)
        terminal = await TerminalPeer.open(edge.url, token)  # lands on the other process
        await terminal.request()
        assert (await terminal.expect("queued"))["position"] == 1
        await staff.send({"type": "take_next"})
        call = await staff.expect("call")
        assert call["terminal"] == "T-A"
        assert (await terminal.expect("accepted"))["staff"]["name"] == "wangfang"
        await staff.send({"type": "offer", "call_id": call["call_id"], "sdp": "v=0 offer"})
        assert (await terminal.expect("offer"))["sdp"] == "v=0 offer"
        await terminal.send({"type": "answer", "sdp": "v=0 answer"})
        assert (await staff.expect("answer"))["sdp"] == "v=0 answer"
        await terminal.send({"type": "screenshot", "png_b64": screenshot})
        assert (await staff.expect("screenshot"))["png_b64"] == screenshot
        await staff.send({"type": "hint", "call_id": call["call_id"], "text": "请点确认"})
        assert (await terminal.expect("hint"))["text"] == "请点确认"
        await staff.send({"type": "end", "call_id": call["call_id"], "outcome": "solved",
                          "note": ""})
        assert (await terminal.expect("ended"))["reason"] == "staff"

        # and the other way round: staff on the relaying process leaves mid-call
        far_staff = await StaffPeer.open(edge.url, far)
        await far_staff.expect("queue")
        await staff.close()
        await terminal.request()
        await terminal.expect("queued")
        await far_staff.send({"type": "take_next"})
        assert (await terminal.expect("accepted"))["staff"]["name"] == "lina"
        await far_staff.close()
        assert (await terminal.expect("ended"))["reason"] == "staff_left"
        await terminal.close()

    asyncio.run(journey())

    def reasons() -> list[str]:
        with hub.sessions() as db:
            return sorted(r.end_reason for r in db.scalars(select(VideoCall)))

    # the row is written after the people are told: wait for it
    assert asyncio.run(_poll(lambda: reasons() == ["staff", "staff_left"]))


@pytest.mark.slow  # the hub's shutdown and the next election take several seconds
def test_relay_next_process_takes_over_when_the_hub_stops(
        relayed: tuple[Console, Console, list[ServerHandle]]) -> None:
    hub, edge, handles = relayed
    hub.add_user("wangfang", "helper")
    waiting_token = hub.enrol("T-A")
    near = cookie(hub, "wangfang")
    relay = handles[1].app.state.video_relay

    async def wait_through_the_stop() -> tuple[list[str], int | None]:
        staff = await StaffPeer.open(hub.url, near)
        terminal = await TerminalPeer.open(edge.url, waiting_token)
        await terminal.request()
        await terminal.expect("queued")
        await asyncio.to_thread(handles[0].stop)  # the hub process stops
        code = await terminal.closed_code()
        with contextlib.suppress(Exception):
            await staff.close()
        return [m["type"] for m in terminal.received], code

    # the waiting resident is told (the staff member's socket closed first: "unavailable";
    # or the hub's own stop: "ended"), then the socket closes so the kiosk connects again
    told, code = asyncio.run(wait_through_the_stop())
    assert code == 4503
    assert told[0] == "queued" and told[-1] in ("unavailable", "ended")

    async def wait() -> bool:
        async with asyncio.timeout(15):
            while not relay.is_hub:
                await asyncio.sleep(0.2)
        return True

    assert asyncio.run(wait())
    token = edge.enrol("T-B")

    async def ask() -> str:
        terminal = await TerminalPeer.open(edge.url, token)
        await terminal.request()
        reason = str((await terminal.expect("unavailable"))["reason"])
        await terminal.close()
        return reason

    assert asyncio.run(ask()) == "no_staff"  # answered by the new hub
