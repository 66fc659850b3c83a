"""视频帮办 through the production composition (real SDL offscreen window, real touches): a
real WebSocket console stand-in and a real aiortc staff peer (kiosk.harness.video_staff).

Declined consent, no staff online, the console down, a wipe mid-call, the network dropped
mid-call, and a whole call: both sides decode the other's frames, the hint shows in the
kiosk's screenshot, the highlight is drawn, and ending returns to the same step with a 好差评
tied to the staff member."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.core.video_call import CallPhase
from kiosk.harness.ui_driver import find_button
from kiosk.harness.video_staff import STAFF_BADGE, STAFF_NAME, StaffConsole, read_code
from tests.ui.conftest import RunningKiosk
from tests.ui.video_kiosk import video_fixtures

pytestmark = [pytest.mark.slow, pytest.mark.ui]

TOKEN = "test-terminal-token-0001"
SERVICE = "social-insurance-payments"


staff, kiosk = video_fixtures(TOKEN, "video-kiosk")


def on_step(kiosk: RunningKiosk) -> None:
    """Identified, on the records step of 社保缴费记录查询."""
    kiosk.present_id_card("worker")
    kiosk.driver.tap(kiosk.app.screens["home"].tile_buttons[SERVICE])
    kiosk.driver.wait_for_screen("step_records")


def ask_for_help(kiosk: RunningKiosk) -> None:
    screen = kiosk.driver.current_screen()
    kiosk.driver.tap(screen.buttons["video_help"])
    kiosk.driver.wait_for(lambda: kiosk.parts.video.phase is CallPhase.CONSENT, what="consent")


def tap_card(kiosk: RunningKiosk, label: str) -> None:
    kiosk.driver.tap(find_button(kiosk.app.video_layer.card, label))


def test_declined_consent_stays_on_the_step(kiosk: RunningKiosk, staff: StaffConsole) -> None:
    on_step(kiosk)
    view = kiosk.app.state.view
    requests = len(staff.call.requests)
    ask_for_help(kiosk)
    card = kiosk.app.video_layer.card
    texts = " ".join(w.text for w in card.walk() if hasattr(w, "text"))
    assert "摄像头" in texts and "通话不录音、不录像" in texts
    tap_card(kiosk, "不需要")
    kiosk.driver.wait_for(lambda: card.parent is None, what="card gone")
    assert kiosk.app.manager.current == "step_records" and kiosk.app.state.view is view
    assert len(staff.call.requests) == requests  # nothing was sent


def test_no_staff_online_shows_hours_and_hotline(kiosk: RunningKiosk, staff: StaffConsole,
                                                  tmp_path: Path) -> None:
    staff.mode = "no_staff"
    try:
        on_step(kiosk)
        ask_for_help(kiosk)
        tap_card(kiosk, "同意并呼叫")
        kiosk.driver.wait_for(lambda: kiosk.parts.video.phase is CallPhase.UNAVAILABLE,
                              what="unavailable")
        card = kiosk.app.video_layer.card
        texts = " ".join(w.text for w in card.walk() if hasattr(w, "text"))
        assert "没有工作人员" in texts and "12345" in texts and "9:00-17:00" in texts
        spoken = kiosk.app.video_layer.spoken  # and said aloud
        assert "12345" in spoken and "9:00-17:00" in spoken
        assert staff.call.requests[-1]["step"] == "records"
        assert staff.call.requests[-1]["share_screen"] is False
        tap_card(kiosk, "返回")
        kiosk.driver.wait_for(lambda: card.parent is None, what="card gone")
        assert kiosk.app.manager.current == "step_records"
    finally:
        staff.mode = "accept"


def test_console_down_is_said_plainly(kiosk: RunningKiosk, staff: StaffConsole) -> None:
    link = kiosk.parts.video_link
    real = link._endpoint
    link._endpoint = type(real)("http://127.0.0.1:9", real.token)  # nothing listens there
    try:
        on_step(kiosk)
        ask_for_help(kiosk)
        tap_card(kiosk, "同意并呼叫")
        kiosk.driver.wait_for(lambda: kiosk.parts.video.phase is CallPhase.UNAVAILABLE,
                              what="unavailable")
        assert "暂时无法连接" in kiosk.parts.video.state.message
        tap_card(kiosk, "返回")
        kiosk.driver.wait_for(lambda: kiosk.parts.video.phase is CallPhase.IDLE, what="idle")
        assert kiosk.app.manager.current == "step_records"
    finally:
        link._endpoint = real


def test_a_whole_call(kiosk: RunningKiosk, staff: StaffConsole, tmp_path: Path) -> None:
    driver, app, video = kiosk.driver, kiosk.app, kiosk.parts.video
    on_step(kiosk)
    view = app.state.view
    ask_for_help(kiosk)
    tap_card(kiosk, "同意并呼叫")
    driver.wait_for(lambda: video.phase is CallPhase.IN_CALL, what="in call")
    panel = app.video_layer.panel
    assert STAFF_NAME in panel.staff.text and STAFF_BADGE in panel.staff.text
    driver.wait_for(lambda: panel.remote.frames_drawn >= 10 and staff.call.frames_from_kiosk >= 10,
                    timeout=30, what="frames both ways")
    # the kiosk decoded and drew the staff member's frames (their painted numbers go up)
    _sent, first = read_code(panel.remote.last_image)
    driver.wait_for(lambda: read_code(panel.remote.last_image)[1] > first, what="newer frame")
    # converted at the size drawn (never larger than sent, nor than the view)
    height, width, _ = panel.remote.last_image.shape
    assert width <= min(640, panel.remote.width) and height <= min(480, panel.remote.height)
    assert abs(width / height - 640 / 480) < 0.05
    # the staff member received the simulated camera's picture, not black frames
    assert staff.call.kiosk_frame is not None and float(np.std(staff.call.kiosk_frame)) > 5
    # the idle timeout is paused during the call
    assert kiosk.parts.lifecycle.idle_held
    staff.send({"type": "hint", "text": "请点击右下角的“打印”按钮"})
    staff.send({"type": "highlight", "x": 0.6, "y": 0.8, "w": 0.3, "h": 0.15})
    driver.wait_for(lambda: panel.hint.text.startswith("请点击") and
                    panel.highlight.rectangle() is not None, what="hint and highlight")
    shot = driver.screenshot(tmp_path / "in-call.png")
    assert shot.stat().st_size > 0 and panel.hint.get_root_window() is not None
    # touches beside the panel still reach the step below
    assert app.manager.current == "step_records"
    driver.tap(panel.end_button)
    driver.wait_for(lambda: video.phase is CallPhase.ENDED, what="rating")
    assert panel.remote.last_image is None  # nothing of the call kept on screen
    assert kiosk.parts.video_link.remote.empty
    tap_card(kiosk, "非常满意")
    driver.wait_for(lambda: video.phase is CallPhase.IDLE, what="back")
    assert app.manager.current == "step_records" and app.state.view is view
    driver.wait_for(lambda: any(m.get("type") == "rating" for m in staff.call.received),
                    what="rating sent")
    rating = [m for m in staff.call.received if m.get("type") == "rating"][-1]
    assert rating == {"type": "rating", "call_id": "call-1", "score": 5}
    assert {"type": "end", "reason": "resident"} in staff.call.received


def test_a_wipe_mid_call_ends_it_at_once(kiosk: RunningKiosk, staff: StaffConsole) -> None:
    driver, video = kiosk.driver, kiosk.parts.video
    on_step(kiosk)
    ask_for_help(kiosk)
    tap_card(kiosk, "同意并呼叫")
    driver.wait_for(lambda: video.phase is CallPhase.IN_CALL, what="in call")
    panel = kiosk.app.video_layer.panel
    driver.wait_for(lambda: panel.remote.frames_drawn >= 3, timeout=30, what="frames")
    staff.call.received.clear()
    kiosk.parts.lifecycle.end("card_removed")
    driver.wait_for_screen("attract")
    assert video.phase is CallPhase.IDLE and kiosk.parts.video_link.remote.empty
    assert kiosk.app.video_layer.panel.parent is None
    driver.wait_for(lambda: {"type": "end", "reason": "wiped"} in staff.call.received,
                    what="end sent")
    assert not kiosk.parts.lifecycle.idle_held


def test_network_dropped_mid_call_tells_the_resident(kiosk: RunningKiosk,
                                                     staff: StaffConsole) -> None:
    driver, video = kiosk.driver, kiosk.parts.video
    on_step(kiosk)
    ask_for_help(kiosk)
    tap_card(kiosk, "同意并呼叫")
    driver.wait_for(lambda: video.phase is CallPhase.IN_CALL, what="in call")
    staff.drop()
    driver.wait_for(lambda: video.phase is CallPhase.FAILED, what="told")
    assert "网络中断" in video.state.message
    tap_card(kiosk, "返回")
    driver.wait_for(lambda: video.phase is CallPhase.IDLE, what="back")
    assert kiosk.app.manager.current == "step_records"


def test_staff_leaving_mid_call_tells_the_resident(kiosk: RunningKiosk,
                                                   staff: StaffConsole) -> None:
    driver, video = kiosk.driver, kiosk.parts.video
    on_step(kiosk)
    ask_for_help(kiosk)
    tap_card(kiosk, "同意并呼叫")
    driver.wait_for(lambda: video.phase is CallPhase.IN_CALL, what="in call")
    staff.send({"type": "ended", "reason": "staff_left"})
    driver.wait_for(lambda: video.phase is CallPhase.FAILED, what="told")
    assert "工作人员已离开" in video.state.message and kiosk.parts.video_link.remote.empty
    tap_card(kiosk, "返回")
    driver.wait_for(lambda: video.phase is CallPhase.IDLE, what="back")
    assert kiosk.app.manager.current == "step_records"
