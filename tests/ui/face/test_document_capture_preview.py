"""Document capture with the live preview, by touch: the page outline over the picture, 拍照,
a thumbnail of the straightened page, 重拍 and 下一步; the real camera simulator's document
scene and the real flow (居住登记, the tenancy proof)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from flows.headless import intent_for
from flows.views import StepKind
from kiosk.adapters.demo_cards import demo_id_card
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow

SERVICE = "residence-registration"
ANSWERS = {"since": (date.today() - timedelta(days=400)).isoformat(), "housing": "租赁住房",
           "reason": "job"}


def _to_capture_step(kiosk: RunningKiosk) -> None:
    driver, app, controller = kiosk.driver, kiosk.app, kiosk.parts.controller
    controller.face.required = False  # this module is about documents
    kiosk.sim("idcard").insert(demo_id_card("migrant"))
    driver.wait_for(lambda: app.state is not None and bool(app.state.greeting), what="greeting")
    kiosk.sim("idcard").remove()
    controller.open_service(SERVICE)  # the tile may be scrolled out of view; not the point here
    for _ in range(40):
        driver.wait_for(lambda: app.state is not None and not app.state.busy
                        and app.manager.current.startswith("step_"), what="a step")
        view = app.state.view
        if view.kind is StepKind.CAPTURE:
            return
        controller.send(intent_for(view, ANSWERS, controller._run))
    raise AssertionError("never reached the capture step")


def test_preview_outline_capture_thumbnail_retake_next(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    kiosk.sim("camera").set_scene("document")
    _to_capture_step(kiosk)
    driver.wait_for_screen("step_capture")
    screen = app.screens["step_capture"]
    assert type(screen).__name__ == "DocumentCaptureScreen"
    driver.wait_for(lambda: screen.preview.frames_shown > 2, what="live picture")
    driver.wait_for(screen.preview.overlay_shown, what="page outline")
    assert set(screen.capture_buttons) == {"capture"}
    driver.tap(screen.capture_buttons["capture"])  # 拍照
    driver.wait_for(lambda: bool(app.state.view.extra.get("captured")) and not app.state.busy,
                    what="captured")
    driver.wait_for(lambda: screen.thumbnail.texture is not None, what="thumbnail")
    width, height = screen.thumbnail.texture.size
    assert height > width  # the straightened portrait page, not the landscape frame
    assert set(screen.capture_buttons) == {"capture", "next"}
    driver.tap(screen.capture_buttons["capture"])  # 重拍
    driver.wait_for(lambda: not app.state.busy, what="retaken")
    driver.wait_for(lambda: screen.thumbnail.texture is not None, what="new thumbnail")
    driver.tap(screen.capture_buttons["next"])  # 下一步
    driver.wait_for(lambda: app.manager.current != "step_capture" and not app.state.busy,
                    what="next step")
    assert not screen.preview.running and screen.thumbnail.texture is None
    session = kiosk.parts.lifecycle.session
    assert session is not None
    kiosk.back_to_attract()
    assert session.wiped


def test_no_page_in_view_gives_the_plain_message(face_kiosk: RunningKiosk) -> None:
    kiosk, driver, app = face_kiosk, face_kiosk.driver, face_kiosk.app
    kiosk.sim("camera").set_scene("no_face")
    _to_capture_step(kiosk)
    driver.wait_for_screen("step_capture")
    screen = app.screens["step_capture"]
    driver.wait_for(lambda: screen.preview.frames_shown > 2, what="live picture")
    assert not screen.preview.overlay_shown()
    driver.tap(screen.capture_buttons["capture"])
    driver.wait_for(lambda: bool(screen.error.text) and not app.state.busy, what="message")
    assert "边缘" in screen.error.text
    assert screen.thumbnail.texture is None and set(screen.capture_buttons) == {"capture"}
