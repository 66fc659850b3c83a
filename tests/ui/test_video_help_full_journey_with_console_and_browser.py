"""视频帮办 end to end as people use it: the kiosk (composition root, SDL offscreen, simulated
camera, touches), the real console with its video hub (uvicorn, SQLite) and the staff desk in
headless Chromium with a fake camera. The resident asks for help from a step and consents; the
staff member takes the call; both sides decode the other's frames; the staff member's hint
appears on the kiosk's screenshot; the staff member ends the call; the resident rates the help
and is back on the same step; the console's record holds the rating."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from kiosk.console.models import User
from kiosk.console.models import VideoCall as CallRow
from kiosk.core.video_call import CallPhase
from kiosk.harness.ui_driver import find_button
from tests.browser import (
    login,
    media_browser,
    text_at,
    text_of,
    wait_for_element,
    wait_for_text,
    wait_until,
)
from tests.console.conftest import console  # noqa: F401  (the real console, a fixture)
from tests.console.helpers import Console
from tests.ui.conftest import start_kiosk, stop_kiosk

__all__ = ["media_browser"]
pytestmark = [pytest.mark.slow, pytest.mark.ui]

SERVICE = "social-insurance-payments"
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


def test_resident_calls_staff_takes_hint_shown_rated_back_on_step(
        console: Console, media_browser: WebDriver,  # noqa: F811
        tmp_path: Path) -> None:
    console.add_user("wangfang", "helper")
    with console.sessions() as db:
        user = db.scalar(select(User).where(User.username == "wangfang"))
        assert user is not None
        user.display_name, user.badge = "王芳", "B1024"
        db.commit()
    token_file = tmp_path / "console.token"
    token_file.write_text(console.enrol("DEMO-0001"), encoding="utf-8")
    token_file.chmod(0o600)
    # the staff member logs in and opens the desk
    browser = media_browser
    login(browser, console.url, "wangfang")
    browser.get(f"{console.url}/video")
    wait_for_text(browser, "desk-status", "在线")

    kiosk = start_kiosk(tmp_path, {"KIOSK__VIDEO__ENABLED": "true",
                                   "KIOSK__VIDEO__QUEUES": "district:110105",
                                   "KIOSK__CONSOLE__URL": console.url,
                                   "KIOSK__CONSOLE__TOKEN_FILE": str(token_file),
                                   "KIOSK__DEVICES__CAMERA": "sim://camera"})
    try:
        driver, app, call = kiosk.driver, kiosk.app, kiosk.parts.video
        kiosk.wait_devices_ready("idcard", "camera")
        kiosk.present_id_card("worker")
        driver.tap(app.screens["home"].tile_buttons[SERVICE])
        driver.wait_for_screen("step_records")
        view = app.state.view
        driver.tap(driver.current_screen().buttons["video_help"])
        driver.wait_for(lambda: call.phase is CallPhase.CONSENT, what="consent")
        driver.tap(find_button(app.video_layer.card, "同意并呼叫"))
        driver.wait_for(lambda: call.state.position == 1, what="queued")

        # the desk sees the resident waiting, with the service and step; takes the call
        waiting = "#queue-table tr[id^='waiting-']"
        wait_for_element(browser, By.CSS_SELECTOR, waiting, 20)
        row = text_at(browser, waiting)
        assert "社保缴费记录查询" in row and "district:110105" in row
        browser.find_element(By.ID, "take-next").click()
        driver.wait_for(lambda: call.phase is CallPhase.IN_CALL, what="in call")
        panel = app.video_layer.panel
        assert "王芳" in panel.staff.text and "B1024" in panel.staff.text

        # both sides decode the other's video
        driver.wait_for(lambda: panel.remote.frames_drawn >= 10, timeout=60, what="kiosk frames")
        image = panel.remote.last_image
        assert image is not None and image.shape[2] == 3 and float(np.std(image)) > 5
        wait_until(browser, lambda: browser.execute_script(FRAMES_DECODED_JS) >= 10, 60,
                   "frames decoded on the desk")
        size = browser.execute_script("const v = document.getElementById('remote-video');"
                                      " return [v.videoWidth, v.videoHeight];")
        assert size == [640, 480]
        assert "缴费记录" in text_of(browser, "call-step")

        # the hint reaches the kiosk's screen
        browser.find_element(By.ID, "hint-text").send_keys("请点击右下角的打印查询结果")
        browser.find_element(By.CSS_SELECTOR, "#hint-form button").click()
        driver.wait_for(lambda: panel.hint.text == "请点击右下角的打印查询结果", what="hint")
        shot = driver.screenshot(tmp_path / "kiosk-hint.png")
        x, y = panel.hint.to_window(*panel.hint.pos)
        with Image.open(shot) as picture:
            height = picture.size[1]
            box = (int(x), int(height - y - panel.hint.height), int(x + panel.hint.width),
                   int(height - y))
            region = np.asarray(picture.convert("RGB").crop(box))
        blue = (region[:, :, 2] > 120) & (region[:, :, 0] < 90)  # the hint's text colour
        assert blue.sum() > 200, "the hint is not drawn in the kiosk's screenshot"

        # the staff member ends the call with an outcome; the resident rates the help
        Select(browser.find_element(By.ID, "end-outcome")).select_by_value("solved")
        browser.find_element(By.ID, "end-call").click()
        driver.wait_for(lambda: call.phase is CallPhase.ENDED, what="rating asked")
        assert kiosk.parts.video_link.remote.empty
        driver.tap(find_button(app.video_layer.card, "非常满意"))
        driver.wait_for(lambda: call.phase is CallPhase.IDLE, what="back on the step")
        assert app.manager.current == "step_records" and app.state.view is view

        def rated() -> bool:
            with console.sessions() as db:
                rows = db.scalars(select(CallRow)).all()
                return any(r.rating == 5 and r.staff_name == "wangfang" for r in rows)
        driver.wait_for(rated, timeout=20, what="rating stored on the console")
    finally:
        stop_kiosk(kiosk)
