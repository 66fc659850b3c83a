"""人证比对 through the real UI, by touch: the camera simulator's scenes, the real sandbox.

Consent first; a registered face matches; a mismatch says to go to the window; declining shows
the other ways; darkness or no face shows guidance, then the time-out; the photo is never left
on disk, nor held after the outcome or the wipe."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.adapters.demo_cards import demo_id_card
from kiosk.core.face_check import FaceStage
from kiosk.harness.ui_driver import find_button
from kiosk.sandbox.seed import by_key
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow

SERVICE = "social-insurance-payments"


def _card_to_consent(kiosk: RunningKiosk, key: str) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.sim("idcard").insert(demo_id_card(key))
    driver.wait_for_screen("face_consent")
    kiosk.sim("idcard").remove()
    session = kiosk.parts.lifecycle.session
    assert session is not None and not session.resident_token  # not identified before the face
    assert find_button(app.root, "同意") is not None


def _agree_and_capture(kiosk: RunningKiosk, key: str, scene: str) -> None:
    """With ``scene`` before the camera: the card, 同意, and the capture screen showing."""
    kiosk.sim("camera").set_scene(scene)
    _card_to_consent(kiosk, key)
    kiosk.driver.tap(kiosk.app.screens["face_consent"].agree_button)
    kiosk.driver.wait_for_screen("face_capture")


def _session_images(kiosk: RunningKiosk) -> list[Path]:
    root = kiosk.data_dir / "sessions"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_registered_face_matches_then_home_with_the_resident(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    _card_to_consent(kiosk, "worker")
    driver.tap(app.screens["face_consent"].agree_button)
    driver.wait_for(lambda: app.manager.current in ("face_capture", "face_verifying",
                                                   "face_outcome"), what="capture")
    driver.wait_for(lambda: app.manager.current == "face_outcome", what="outcome")
    flow = kiosk.parts.controller.face
    assert flow.stage is FaceStage.MATCHED
    assert "通过" in app.screens["face_outcome"].title.text
    assert not _session_images(kiosk)  # the photo never touched the disk
    assert flow._check is not None and not flow._check.holds_image
    driver.tap(app.screens["face_outcome"].buttons["continue"])
    driver.wait_for_screen("home")
    session = kiosk.parts.lifecycle.session
    assert session is not None and session.resident_token and session.display_name
    assert flow.stage is FaceStage.IDLE


def test_pending_service_starts_after_the_match(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    driver.tap(app.screens["attract"])
    driver.wait_for_screen("home")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("identify")
    _card_to_consent(kiosk, "worker")
    driver.tap(app.screens["face_consent"].agree_button)
    driver.wait_for(lambda: app.manager.current == "face_outcome", what="outcome")
    # no tap: the match moves on by itself after a moment
    driver.wait_for_screen("step_records")


def test_mismatch_says_go_to_the_window(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    _card_to_consent(kiosk, "face_mismatch")
    driver.tap(app.screens["face_consent"].agree_button)
    driver.wait_for(lambda: app.manager.current == "face_outcome", what="outcome")
    screen = app.screens["face_outcome"]
    assert kiosk.parts.controller.face.stage is FaceStage.NOT_MATCHED
    assert screen.title.text == "比对未通过，请到人工窗口办理"
    assert "个人码" in screen.detail.text
    assert {"retry", "home", "quit"} <= set(screen.buttons)
    session = kiosk.parts.lifecycle.session
    assert session is not None and session.resident is None and not session.resident_token
    assert not _session_images(kiosk)
    driver.tap(screen.buttons["home"])
    driver.wait_for_screen("home")
    assert not app.state.greeting  # not identified


def test_decline_shows_other_ways_and_a_personal_code_still_works(
        face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    frames_before = app.screens["face_capture"].preview.frames_shown
    _card_to_consent(kiosk, "worker")
    driver.tap(app.screens["face_consent"].decline_button)
    driver.wait_for(lambda: app.manager.current == "face_outcome", what="alternative")
    screen = app.screens["face_outcome"]
    assert kiosk.parts.controller.face.stage is FaceStage.ALTERNATIVE
    assert screen.title.text == "请到人工窗口核验身份"
    assert "个人码" in screen.detail.text
    assert "retry" not in screen.buttons
    assert app.screens["face_capture"].preview.frames_shown == frames_before  # no picture
    # declining never blocks: the personal code identifies the resident (no face check)
    kiosk.wait_devices_ready("scanner")
    kiosk.sim("scanner").scan(by_key("worker").qr_code)
    driver.wait_for(lambda: bool(app.state.greeting), what="identified by personal code")
    assert app.manager.current == "home"
    assert kiosk.parts.controller.face.stage is FaceStage.IDLE


def test_dark_shows_guidance_then_times_out(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    _agree_and_capture(kiosk, "worker", "dark")
    capture = app.screens["face_capture"]
    driver.wait_for(lambda: capture.guidance.text == "光线太暗，请靠近一些或调整位置",
                    what="too-dark guidance")
    assert capture.preview.frames_shown > 0 and capture.preview.running
    driver.wait_for(lambda: app.manager.current == "face_outcome", what="time-out")
    assert not capture.preview.running  # no polling off screen
    screen = app.screens["face_outcome"]
    assert screen.title.text == "未能拍到清晰的正面照片"
    assert "retry" in screen.buttons
    # 重新拍摄 with a face in view now succeeds
    kiosk.sim("camera").set_scene("face")
    driver.tap(screen.buttons["retry"])
    driver.wait_for(lambda: kiosk.parts.controller.face.stage is FaceStage.MATCHED,
                    what="matched on retry")


def test_no_face_shows_guidance_then_times_out(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    _agree_and_capture(kiosk, "worker", "no_face")
    capture = app.screens["face_capture"]
    driver.wait_for(lambda: capture.guidance.text == "请将面部对准摄像头", what="guidance")
    driver.wait_for(lambda: app.manager.current == "face_outcome", what="time-out")
    assert kiosk.parts.controller.face.stage is FaceStage.TIMED_OUT


def test_face_box_is_drawn_over_the_preview(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    kiosk.sim("camera").set_scene("far_face")  # never captured: the box stays on screen
    _card_to_consent(kiosk, "worker")
    driver.tap(app.screens["face_consent"].agree_button)
    driver.wait_for_screen("face_capture")
    capture = app.screens["face_capture"]
    driver.wait_for(lambda: capture.guidance.text == "请靠近一些", what="too-far guidance")
    driver.wait_for(capture.preview.overlay_shown, what="face box")
    driver.tap(capture.other_button)
    driver.wait_for(lambda: kiosk.parts.controller.face.stage is FaceStage.ALTERNATIVE,
                    what="other ways")


def test_nothing_of_the_photo_is_left_after_the_wipe(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    _card_to_consent(kiosk, "worker")
    session = kiosk.parts.lifecycle.session
    assert session is not None
    kiosk.parts.sandbox.app.faults.arm({"delay_seconds": 2})  # a slow platform
    try:
        driver.tap(app.screens["face_consent"].agree_button)
        driver.wait_for_screen("face_verifying")
        assert not _session_images(kiosk) and not session.files  # not even during the call
        driver.wait_for(lambda: app.manager.current == "face_outcome", what="outcome")
    finally:
        kiosk.parts.sandbox.app.faults.clear()
    assert not _session_images(kiosk) and not session.files
    driver.tap(app.screens["face_outcome"].buttons["continue"])
    driver.wait_for_screen("home")
    kiosk.back_to_attract()
    assert session.wiped
    flow = kiosk.parts.controller.face
    assert flow.stage is FaceStage.IDLE and flow._identity is None
    assert flow._matched == ("", "")
    assert not (kiosk.data_dir / "sessions").exists() or not _session_images(kiosk)
    log_text = kiosk.log_file.read_text(encoding="utf-8")
    assert by_key("worker").id_number not in log_text
    assert "face_verified" in log_text


def test_platform_down_during_the_comparison(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    _card_to_consent(kiosk, "worker")
    kiosk.parts.sandbox.app.faults.arm({"fail_next": 100, "status": 503})
    try:
        driver.tap(app.screens["face_consent"].agree_button)
        driver.wait_for(lambda: app.manager.current == "face_outcome", what="outcome")
    finally:
        kiosk.parts.sandbox.app.faults.clear()
    screen = app.screens["face_outcome"]
    assert kiosk.parts.controller.face.stage is FaceStage.UNAVAILABLE
    assert screen.title.text == "人脸核验服务暂时无法使用"
    assert {"retry", "home", "quit"} <= set(screen.buttons)
    driver.tap(screen.buttons["retry"])  # the platform is back
    driver.wait_for(lambda: kiosk.parts.controller.face.stage is FaceStage.MATCHED,
                    what="matched once the platform is back")


def test_session_ends_during_capture_leaves_no_preview_running(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    _agree_and_capture(kiosk, "worker", "far_face")
    old = app.screens["face_capture"]
    driver.wait_for(lambda: old.preview.frames_shown > 2, what="live picture")
    kiosk.back_to_attract()  # 退出 mid-capture: wipe, screens rebuilt
    driver.pump(10)
    assert app.screens["face_capture"] is not old
    assert not old.preview.running and old.preview.preview_size is None
    assert kiosk.parts.controller.face.stage is FaceStage.IDLE


def test_english_on_the_consent_screen_then_capture(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app, parts = face_kiosk, face_kiosk.driver, face_kiosk.app, face_kiosk.parts
    _card_to_consent(kiosk, "worker")
    driver.tap(app.screens["face_consent"].header.accessibility.buttons["language"])
    driver.wait_for(lambda: parts.prefs.current.locale == "en", what="english")
    driver.wait_for_screen("face_consent")
    consent = app.screens["face_consent"]
    assert consent.title.text == "Face verification"
    assert consent.agree_button.text == "Agree" and consent.decline_button.text == "Do not agree"
    assert consent.detail.text.isascii()
    driver.tap(consent.agree_button)
    driver.wait_for(lambda: parts.controller.face.stage is FaceStage.MATCHED, what="matched")
    driver.wait_for_screen("face_outcome")
    assert app.screens["face_outcome"].title.text == "Face matched to your ID card"
    kiosk.back_to_attract()
    assert parts.prefs.current.locale == "zh-CN"
