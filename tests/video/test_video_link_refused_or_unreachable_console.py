"""The kiosk's signalling link against a real WebSocket server (kiosk.harness.video_staff):
a terminal the console does not know (close code 4401), a console that is not there, and no
console configured all end as "console down" for the call, never an exception; a good token
gets the queue position."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kiosk.adapters.video_link import ConsoleEndpoint, VideoLink
from kiosk.harness.video_staff import StaffConsole

TOKEN = "link-test-token"
REQUEST = {"type": "request", "queue": "local", "service": "s", "step": "x",
           "share_screen": False, "lang": "zh"}


@pytest.fixture(scope="module")
def staff() -> Iterator[StaffConsole]:
    console = StaffConsole(TOKEN, mode="hold").start()
    yield console
    console.stop()


def _run(endpoint: ConsoleEndpoint | None) -> tuple[list[dict[str, object]], list[str]]:
    messages: list[dict[str, object]] = []
    lost: list[str] = []
    done = threading.Event()
    link = VideoLink(endpoint, lambda: None, lambda fn: fn())

    def on_message(message: dict[str, object]) -> None:
        messages.append(message)
        if message.get("type") == "queued":
            done.set()

    def on_lost(reason: str) -> None:
        lost.append(reason)
        done.set()
    link.on_message, link.on_link_lost = on_message, on_lost
    try:
        link.open(dict(REQUEST))
        assert done.wait(15), "the link said nothing"
    finally:
        link.shutdown()
    return messages, lost


def test_unknown_terminal_is_console_down(staff: StaffConsole) -> None:
    refused = staff.refused
    messages, lost = _run(ConsoleEndpoint(staff.url, "not-the-token"))
    assert lost == ["console_down"] and not messages and staff.refused == refused + 1


def test_no_console_listening_is_console_down() -> None:
    assert _run(ConsoleEndpoint("http://127.0.0.1:9", TOKEN))[1] == ["console_down"]


def test_no_console_configured_is_console_down() -> None:
    assert _run(None)[1] == ["console_down"]


def test_enrolled_terminal_is_queued(staff: StaffConsole) -> None:
    messages, lost = _run(ConsoleEndpoint(staff.url, TOKEN))
    assert not lost and messages[-1]["type"] == "queued"
    assert staff.call.requests[-1]["queue"] == "local"
