"""The camera is pulled out in the middle of a face capture: a plain message, no traceback, and
the resident can go on another way (home, personal code); the camera comes back by itself."""

from __future__ import annotations

import pytest

from kiosk.adapters.demo_cards import demo_id_card
from kiosk.core.face_check import FaceStage
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow


def test_camera_unplugged_mid_capture(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    camera = kiosk.sim("camera")
    camera.set_scene("far_face")  # capturing goes on (too far) until the camera goes
    kiosk.sim("idcard").insert(demo_id_card("worker"))
    driver.wait_for_screen("face_consent")
    kiosk.sim("idcard").remove()
    driver.tap(app.screens["face_consent"].agree_button)
    driver.wait_for_screen("face_capture")
    capture = app.screens["face_capture"]
    driver.wait_for(lambda: capture.preview.frames_shown > 3, what="live preview")
    camera.unplug()
    driver.wait_for(lambda: app.manager.current == "face_outcome", what="camera lost")
    flow = kiosk.parts.controller.face
    screen = app.screens["face_outcome"]
    assert flow.stage is FaceStage.NO_CAMERA
    assert screen.title.text == "摄像头暂时无法使用"
    assert "个人码" in screen.detail.text and "窗口" in screen.detail.text
    assert "Traceback" not in screen.message.text + screen.detail.text
    assert not capture.preview.running
    session = kiosk.parts.lifecycle.session
    assert session is not None and session.resident is None and not session.resident_token
    driver.tap(screen.buttons["home"])
    driver.wait_for_screen("home")  # the session goes on without the face check
    assert kiosk.parts.lifecycle.session is session
    camera.replug()
    kiosk.wait_devices_ready("camera")


def test_agree_while_the_camera_is_gone(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    camera = kiosk.sim("camera")
    camera.unplug()
    driver.wait_for(lambda: not kiosk.parts.hub.usable("camera"), what="camera gone")
    kiosk.sim("idcard").insert(demo_id_card("worker"))
    driver.wait_for_screen("face_consent")
    kiosk.sim("idcard").remove()
    driver.tap(app.screens["face_consent"].agree_button)
    driver.wait_for(lambda: app.manager.current == "face_outcome", what="no camera")
    assert kiosk.parts.controller.face.stage is FaceStage.NO_CAMERA
    camera.replug()
    kiosk.wait_devices_ready("camera")
    driver.tap(app.screens["face_outcome"].buttons["retry"])  # back: try again
    driver.wait_for(lambda: kiosk.parts.controller.face.stage is FaceStage.MATCHED,
                    what="matched once the camera is back")
