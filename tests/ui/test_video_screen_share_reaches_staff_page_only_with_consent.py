"""A shared screen, end to end: the kiosk (composition root, SDL offscreen, simulated camera,
touches), the real console with its video hub, and the staff desk in headless Chromium.

1. The resident calls without sharing the screen: the staff page opens no data channel, the
   kiosk sends no picture, however the screen changes.
2. The resident agrees to share the screen: the staff page decodes a 960x540 JPEG of the
   kiosk's step (compared cell by cell with what the kiosk drew, and without the staff video
   and the resident's preview that cover its right side); 停止共享页面 blanks the staff page at
   once and no picture follows, however the screen changes. Nothing of it is stored on the
   console (the pictures go peer to peer).

(The browser fixture is copied from the full journey test on purpose: those are being moved
into a shared helper.)"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from kiosk.core.video_call import CallPhase
from kiosk.harness.ui_driver import find_button
from tests.console.conftest import console  # noqa: F401  (the real console, a fixture)
from tests.console.helpers import PASSWORD, Console
from tests.ui.conftest import RunningKiosk, start_kiosk, stop_kiosk

pytestmark = [pytest.mark.slow, pytest.mark.ui]

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SERVICE = "social-insurance-payments"
GRID = (16, 9)  # cells compared between the kiosk's screen and the staff page's picture
SHOT_CELLS_JS = """
const s = window.videoDesk && window.videoDesk.shot;
if (!s) return null;
const c = document.createElement('canvas'); c.width = s.width; c.height = s.height;
const g = c.getContext('2d'); g.drawImage(s, 0, 0);
const d = g.getImageData(0, 0, c.width, c.height).data;
const [gx, gy] = arguments[0], out = [];
for (let j = 0; j < gy; j++) for (let i = 0; i < gx; i++) {
  const x0 = Math.floor(i * c.width / gx), x1 = Math.floor((i + 1) * c.width / gx);
  const y0 = Math.floor(j * c.height / gy), y1 = Math.floor((j + 1) * c.height / gy);
  let r = 0, gg = 0, b = 0, n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const k = (y * c.width + x) * 4; r += d[k]; gg += d[k + 1]; b += d[k + 2]; n++; }
  out.push([r / n, gg / n, b / n]);
}
return {width: c.width, height: c.height, cells: out};
"""


@pytest.fixture
def staff_browser() -> Iterator[WebDriver]:
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("chromium and chromium-driver are needed (scripts/setup.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1920,1080", "--lang=zh-CN", "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()


def cells(image: np.ndarray) -> np.ndarray:
    """Mean RGB of each GRID cell of a top-row-first RGB image."""
    height, width = image.shape[:2]
    gx, gy = GRID
    return np.array([[image[j * height // gy:(j + 1) * height // gy,
                            i * width // gx:(i + 1) * width // gx, :3].reshape(-1, 3).mean(0)
                      for i in range(gx)] for j in range(gy)]).reshape(-1, 3)


def kiosk_screens(kiosk: RunningKiosk) -> np.ndarray:
    """What the kiosk's screens look like under the call panel (the cached texture)."""
    cache = kiosk.app.video_layer.cache
    assert cache is not None
    pixels = cache.pixels()
    assert pixels is not None
    data, (width, height) = pixels
    return np.frombuffer(data, np.uint8).reshape(height, width, 4)[::-1, :, :3]


def change_the_step(kiosk: RunningKiosk, n: int) -> None:
    """Something on the step changes (and is drawn), as when the resident types."""
    screen = kiosk.app.manager.current_screen
    label = next(w for w in screen.walk() if getattr(w, "text", "") and
                 hasattr(w, "texture_update"))
    label.text = label.text.rstrip("。") + "。" * (n % 3 + 1)
    kiosk.driver.pump(3)


def take_call(kiosk: RunningKiosk, browser: WebDriver, share: bool) -> None:
    driver, app, call = kiosk.driver, kiosk.app, kiosk.parts.video
    driver.tap(driver.current_screen().buttons["video_help"])
    driver.wait_for(lambda: call.phase is CallPhase.CONSENT, what="consent")
    if share:
        driver.tap(find_button(app.video_layer.card, "同时共享页面内容"))
        driver.wait_for(lambda: call.state.share_screen, what="share chosen")
    driver.tap(find_button(app.video_layer.card, "同意并呼叫"))
    driver.wait_for(lambda: call.state.position == 1, what="queued")
    WebDriverWait(browser, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#queue-table tr[id^='waiting-']"))
    browser.find_element(By.ID, "take-next").click()
    driver.wait_for(lambda: call.phase is CallPhase.IN_CALL, what="in call")
    panel = app.video_layer.panel
    driver.wait_for(lambda: panel.remote.frames_drawn >= 5, timeout=60, what="kiosk frames")


def end_call(kiosk: RunningKiosk, browser: WebDriver) -> None:
    driver, app, call = kiosk.driver, kiosk.app, kiosk.parts.video
    driver.tap(app.video_layer.panel.end_button)
    driver.wait_for(lambda: call.phase is CallPhase.ENDED, what="rating asked")
    driver.tap(find_button(app.video_layer.card, "跳过"))
    driver.wait_for(lambda: call.phase is CallPhase.IDLE, what="back on the step")
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.ID, "end-call").text == "保存记录")
    browser.find_element(By.ID, "end-call").click()
    WebDriverWait(browser, 20).until(
        lambda d: not d.find_element(By.ID, "call-panel").is_displayed())


def until_page(kiosk: RunningKiosk, browser: WebDriver, script: str, timeout: float,
               what: str) -> Any:
    """Pump the kiosk (its clock runs only when pumped) until ``script`` is truthy on the
    staff page; its value."""
    deadline = time.monotonic() + timeout
    next_look = 0.0
    while time.monotonic() < deadline:
        kiosk.driver.pump()
        if time.monotonic() >= next_look:
            value = browser.execute_script(script)
            if value:
                return value
            next_look = time.monotonic() + 0.3
        time.sleep(0.01)
    link, layer = kiosk.parts.video_link, kiosk.app.video_layer
    media = link._media
    page = browser.execute_script("const d = window.videoDesk, pc = d.pc;"
                                  " return [d.call, String(pc && pc.sctp && pc.sctp.state)];")
    raise AssertionError(
        f"timed out waiting for {what} on the staff page; kiosk: shared "
        f"{layer.screenshots_shared}, sent {link.screenshots_sent}, renders "
        f"{getattr(layer.cache, 'renders', None)}/{layer._shared_renders}, can send "
        f"{getattr(media, 'can_send_screenshot', None)}, consent "
        f"{kiosk.parts.video.state.share_screen}; page: {page}")


def pump_for(kiosk: RunningKiosk, seconds: float, changes: int) -> None:
    """Pump the kiosk for ``seconds`` while the step changes ``changes`` times."""
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        if n < changes:
            change_the_step(kiosk, n)
            n += 1
        kiosk.driver.pump()
        time.sleep(0.02)


def test_the_screen_reaches_the_staff_page_only_while_the_resident_shares_it(
        console: Console, staff_browser: WebDriver, tmp_path: Path) -> None:  # noqa: F811
    console.add_user("wangfang", "helper")
    token_file = tmp_path / "console.token"
    token_file.write_text(console.enrol("DEMO-0001"), encoding="utf-8")
    token_file.chmod(0o600)
    browser = staff_browser
    browser.get(f"{console.url}/login")
    browser.find_element(By.ID, "username").send_keys("wangfang")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-button").click()
    WebDriverWait(browser, 15).until(ec.url_contains("/fleet"))
    browser.get(f"{console.url}/video")
    WebDriverWait(browser, 15).until(
        lambda d: "在线" in d.find_element(By.ID, "desk-status").text)

    kiosk = start_kiosk(tmp_path, {"KIOSK__VIDEO__ENABLED": "true",
                                   "KIOSK__VIDEO__QUEUES": "district:110105",
                                   "KIOSK__CONSOLE__URL": console.url,
                                   "KIOSK__CONSOLE__TOKEN_FILE": str(token_file),
                                   "KIOSK__DEVICES__CAMERA": "sim://camera"})
    try:
        driver, app = kiosk.driver, kiosk.app
        link = kiosk.parts.video_link
        kiosk.wait_devices_ready("idcard", "camera")
        kiosk.present_id_card("worker")
        driver.tap(app.screens["home"].tile_buttons[SERVICE])
        driver.wait_for_screen("step_records")

        # 1. no consent to share: no data channel, no picture, however the screen changes
        take_call(kiosk, browser, share=False)
        layer = app.video_layer
        pump_for(kiosk, 5.0, changes=3)
        assert layer.cache is not None and layer.cache.renders >= 3  # the screen did change
        assert layer.screenshots_shared == 0 and link.screenshots_sent == 0
        assert browser.execute_script(
            "return [window.videoDesk.pc.sctp === null, window.videoDesk.shotInfo];") \
            == [True, None]
        assert "群众未共享屏幕" in browser.find_element(By.ID, "call-share").text or \
            "未共享" in browser.find_element(By.ID, "call-share").text
        end_call(kiosk, browser)

        # 2. shared: the staff page decodes a picture of the kiosk's step
        take_call(kiosk, browser, share=True)
        until_page(kiosk, browser, "return window.videoDesk.shotInfo", 30, "a first picture")
        change_the_step(kiosk, 0)  # a picture of the screen as it is now
        sent = link.screenshots_sent
        deadline = time.monotonic() + 15
        while link.screenshots_sent == sent and time.monotonic() < deadline:
            driver.pump()
            time.sleep(0.02)
        assert link.screenshots_sent > sent, "no picture after the screen changed"
        screens = kiosk_screens(kiosk)
        until_page(kiosk, browser, f"return window.videoDesk.shotInfo.seq >= {sent + 1}", 15,
                   "the newer picture")
        info = browser.execute_script("return window.videoDesk.shotInfo")
        assert (info["width"], info["height"]) == (960, 540) and info["bytes"] > 1000
        staff: dict[str, Any] = browser.execute_script(SHOT_CELLS_JS, list(GRID))
        picture = np.array(staff["cells"])
        assert float(np.std(picture)) > 5  # a picture, not a blank
        difference = np.abs(picture - cells(screens)).mean(axis=1)
        assert difference.max() < 12, f"the staff page's picture is not the kiosk's step: " \
                                      f"{difference.max():.1f}"
        # the right side is the step under the panel, not the staff video and the preview
        shot = driver.screenshot(tmp_path / "kiosk-window.png")
        with Image.open(shot) as window:
            window_cells = cells(np.asarray(window.convert("RGB")))
        panel_cells = [j * GRID[0] + i for j in range(3, 6) for i in range(13, 15)]
        assert np.abs(picture[panel_cells] - window_cells[panel_cells]).mean() > 15

        # 停止共享页面: the staff page blanks at once; no picture follows
        driver.tap(layer.panel.share_button)
        driver.wait_for(lambda: not kiosk.parts.video.state.share_screen, what="withdrawn")
        until_page(kiosk, browser, "return window.videoDesk.shot === null && "
                   "window.videoDesk.shotInfo === null", 10, "the picture blanked")
        assert "停止共享" in browser.find_element(By.ID, "call-share").text
        sent, shared = link.screenshots_sent, layer.screenshots_shared
        pump_for(kiosk, 5.0, changes=3)
        assert (link.screenshots_sent, layer.screenshots_shared) == (sent, shared)
        assert browser.execute_script("return window.videoDesk.shotInfo") is None
        end_call(kiosk, browser)
    finally:
        stop_kiosk(kiosk)
    # the pictures never went through the console: none in its database
    database = Path(console.database_url.removeprefix("sqlite:///"))
    assert database.exists() and b"\xff\xd8\xff" not in database.read_bytes()
