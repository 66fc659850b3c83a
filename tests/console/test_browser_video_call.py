"""视频帮办 as a staff member does it, in real headless Chromium with fake media devices, against a
real aiortc peer speaking the terminal side of the protocol over a real WebSocket:
the resident waits, the staff member takes the call, both sides decode frames (the peer counts
decoded frames, the page's getStats framesDecoded), the screen text and screenshot appear, the
hint and a dragged highlight reach the terminal, the call ends with an outcome and a note, the
record row exists and shows on 帮办记录. Also: the kiosk is wiped mid-call; the terminal's
network drops mid-call; the staff member closes the page mid-call.
Screenshots at 1920x1080 in var/screenshots/console/.
"""

from __future__ import annotations

import asyncio
import base64
import io
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

import pytest
from PIL import Image, ImageDraw
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from kiosk.console.models import User, VideoCall
from tests.browser import (
    login,
    media_browser,
    shot,
    text_at,
    text_of,
    wait_for_element,
    wait_for_text,
    wait_until,
)
from tests.console.helpers import Console
from tests.console.video_peers import TerminalPeer

__all__ = ["media_browser"]
FRAMES = 30  # decoded on each side before the call counts as "both see each other"
T = TypeVar("T")

pytestmark = pytest.mark.slow

FRAMES_DECODED_JS = """
return (async () => {
  const pc = window.videoDesk && window.videoDesk.pc;
  if (!pc) return 0;
  let n = 0;
  (await pc.getStats()).forEach(s => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0; });
  return n;
})();
"""


class Loop:
    """An asyncio loop on a thread, for the terminal peer while Selenium drives the page."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 40.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture
def loop() -> Iterator[Loop]:
    runner = Loop()
    try:
        yield runner
    finally:
        runner.close()


def _kiosk_screen_png() -> str:
    """A stand-in kiosk screen (1920x1080, scaled down like the kiosk sends it)."""
    image = Image.new("RGB", (960, 540), (240, 244, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 960, 70), fill=(11, 79, 138))
    draw.rectangle((700, 440, 920, 510), fill=(30, 120, 60))
    draw.rectangle((60, 150, 900, 380), outline=(120, 120, 120), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


def _add_helper(console: Console) -> None:
    console.add_user("wangfang", "helper")
    with console.sessions() as db:
        user = db.scalar(select(User).where(User.username == "wangfang"))
        assert user is not None
        user.display_name, user.badge = "王芳", "B1024"
        db.commit()


def _row_settles(console: Console, call_id: str, expected: tuple[str, str]) -> bool:
    """The call's row reaches (end_reason, outcome) within a few seconds (the hub tells the
    people first and writes the row after)."""

    def now() -> tuple[str, str] | None:
        with console.sessions() as db:
            row = db.get(VideoCall, call_id)
            return (row.end_reason, row.outcome) if row is not None else None

    deadline = time.monotonic() + 10
    while now() != expected:
        assert time.monotonic() < deadline, (now(), expected)
        time.sleep(0.2)
    return True


def _take_call(driver: WebDriver, console: Console, loop: Loop, terminal: TerminalPeer,
               shot_name: str = "") -> dict[str, Any]:
    """Open the desk, wait for the resident in the queue, take the call, answer the offer."""
    driver.get(f"{console.url}/video")
    wait_for_text(driver, "desk-status", "在线")
    loop.run(terminal.request())
    loop.run(terminal.expect("queued"))
    waiting = "#queue-table tr[id^='waiting-']"
    wait_for_element(driver, By.CSS_SELECTOR, waiting)
    row = text_at(driver, waiting)
    assert "T-CY-01" in row and "社保参保证明" in row and "确认打印" in row
    if shot_name:
        shot(driver, shot_name)
    driver.find_element(By.ID, "take-next").click()
    accepted = loop.run(terminal.expect("accepted"))
    offer = loop.run(terminal.expect("offer"))
    assert "a=candidate" in offer["sdp"]  # ICE gathering was complete before sending
    loop.run(terminal.answer(offer))
    return accepted


def test_staff_takes_call_both_decode_hint_highlight_end_with_note(
        console: Console, media_browser: WebDriver, loop: Loop) -> None:
    _add_helper(console)
    token = console.enrol("T-CY-01")
    driver = media_browser
    login(driver, console.url, "wangfang")
    terminal = loop.run(TerminalPeer.open(console.url, token))
    accepted = _take_call(driver, console, loop, terminal, shot_name="video-01-queue")
    assert accepted["staff"] == {"name": "王芳", "badge": "B1024"}

    # both sides decode the other's video
    assert loop.run(terminal.wait_frames(FRAMES)) >= FRAMES
    wait_until(driver, lambda: driver.execute_script(FRAMES_DECODED_JS) >= FRAMES, 30,
               "frames decoded on the page")
    size = driver.execute_script(
        "const v = document.getElementById('remote-video'); return [v.videoWidth, v.videoHeight];")
    assert size == [640, 480]

    # the shared screen: text and screenshot
    loop.run(terminal.send({"type": "screen", "service": "social-insurance-cert",
                            "service_title": "社保参保证明", "step": "print",
                            "step_title": "打印证明", "text": "请确认打印份数：1 份\n[确认打印]"}))
    loop.run(terminal.send({"type": "screenshot", "png_b64": _kiosk_screen_png()}))
    wait_for_text(driver, "screen-text", "确认打印", 10)
    assert text_of(driver, "call-step") == "打印证明"
    wait_until(driver, lambda: driver.execute_script("return window.videoDesk.shot !== null;"),
               10, "the screenshot")

    # hint
    driver.find_element(By.ID, "hint-text").send_keys("请点右下角绿色的确认按钮")
    driver.find_element(By.CSS_SELECTOR, "#hint-form button").click()
    assert loop.run(terminal.expect("hint"))["text"] == "请点右下角绿色的确认按钮"

    # highlight: drag from (70%, 80%) to (95%, 95%) of the screenshot area
    canvas = driver.find_element(By.ID, "screen-canvas")
    width, height = canvas.size["width"], canvas.size["height"]
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(width * 0.2), int(height * 0.3)).click_and_hold().move_by_offset(
        int(width * 0.25), int(height * 0.15)).release().perform()
    highlight = loop.run(terminal.expect("highlight"))
    assert highlight["x"] == pytest.approx(0.7, abs=0.02)
    assert highlight["y"] == pytest.approx(0.8, abs=0.02)
    assert highlight["w"] == pytest.approx(0.25, abs=0.02)
    assert highlight["h"] == pytest.approx(0.15, abs=0.02)
    shot(driver, "video-02-call")
    driver.find_element(By.ID, "clear-highlight").click()
    cleared = loop.run(terminal.expect("highlight"))
    assert (cleared["w"], cleared["h"]) == (0, 0)  # an empty rectangle: the kiosk clears it

    # end with outcome and note
    Select(driver.find_element(By.ID, "end-outcome")).select_by_value("solved")
    driver.find_element(By.ID, "end-note").send_keys(
        "指导群众打印参保证明，身份证 110105199001011234")
    driver.find_element(By.ID, "end-call").click()
    assert loop.run(terminal.expect("ended"))["reason"] == "staff"
    wait_until(driver, lambda: not driver.find_element(By.ID, "call-panel").is_displayed(), 10,
               "the call panel to close")
    loop.run(terminal.send({"type": "rating", "call_id": accepted["call_id"], "score": 5}))
    loop.run(terminal.hang_up())
    loop.run(terminal.close())

    with console.sessions() as db:
        row = db.get(VideoCall, accepted["call_id"])
        assert row is not None
        assert (row.terminal_id, row.staff_name, row.outcome, row.end_reason) == (
            "T-CY-01", "wangfang", "solved", "staff")
        assert "110105199001011234" not in row.note and "110105********1234" in row.note
    driver.get(f"{console.url}/video/records")
    wait_for_element(driver, By.ID, f"call-{accepted['call_id']}", 10)
    text = text_of(driver, f"call-{accepted['call_id']}")
    assert "已解决" in text and "社保参保证明" in text and "wangfang" in text
    assert text_of(driver, "sum-answered") == "1"
    shot(driver, "video-03-records")


def test_resident_hangs_up_then_staff_records_outcome(
        console: Console, media_browser: WebDriver, loop: Loop) -> None:
    _add_helper(console)
    token = console.enrol("T-CY-01")
    driver = media_browser
    login(driver, console.url, "wangfang")
    terminal = loop.run(TerminalPeer.open(console.url, token))
    accepted = _take_call(driver, console, loop, terminal)
    assert loop.run(terminal.wait_frames(10)) >= 10
    loop.run(terminal.send({"type": "end", "reason": "wiped"}))
    wait_for_text(driver, "call-state", "终端已清场", 10)
    assert text_of(driver, "end-call") == "保存记录"
    shot(driver, "video-04-resident-ended")
    Select(driver.find_element(By.ID, "end-outcome")).select_by_value("unsolved")
    driver.find_element(By.ID, "end-call").click()
    wait_until(driver, lambda: not driver.find_element(By.ID, "call-panel").is_displayed(), 10,
               "the call panel to close")
    loop.run(terminal.hang_up())
    loop.run(terminal.close())
    assert _row_settles(console, accepted["call_id"], ("wiped", "unsolved"))


def test_staff_closes_page_mid_call_terminal_told(
        console: Console, media_browser: WebDriver, loop: Loop) -> None:
    _add_helper(console)
    token = console.enrol("T-CY-01")
    driver = media_browser
    login(driver, console.url, "wangfang")
    terminal = loop.run(TerminalPeer.open(console.url, token))
    _take_call(driver, console, loop, terminal)
    assert loop.run(terminal.wait_frames(10)) >= 10
    driver.get(f"{console.url}/fleet")  # leaves the desk: its socket closes
    assert loop.run(terminal.expect("ended"))["reason"] == "staff_left"
    loop.run(terminal.hang_up())
    loop.run(terminal.close())


def test_terminal_network_drop_mid_call_staff_told_and_records(
        console: Console, media_browser: WebDriver, loop: Loop) -> None:
    _add_helper(console)
    token = console.enrol("T-CY-01")
    driver = media_browser
    login(driver, console.url, "wangfang")
    terminal = loop.run(TerminalPeer.open(console.url, token))
    accepted = _take_call(driver, console, loop, terminal)
    assert loop.run(terminal.wait_frames(10)) >= 10
    loop.run(terminal.hang_up())
    loop.run(terminal.close())  # the socket goes without an "end"
    wait_for_text(driver, "call-state", "终端网络中断", 10)
    assert driver.execute_script("return window.videoDesk.pc === null;")  # media closed
    driver.find_element(By.ID, "end-note").send_keys("网络中断，已请群众重新呼叫")
    driver.find_element(By.ID, "end-call").click()
    wait_until(driver, lambda: not driver.find_element(By.ID, "call-panel").is_displayed(), 10,
               "the call panel to close")
    assert _row_settles(console, accepted["call_id"], ("network", "solved"))
    with console.sessions() as db:
        row = db.get(VideoCall, accepted["call_id"])
        assert row is not None and row.note == "网络中断，已请群众重新呼叫"
