"""On software GL every frame costs the fill of everything under it (docs/adr/0810-cheap-frames-
on-software-gl.md). These catch the regressions that made home's frames cost 60-137 ms: a window
with multisampling, full-window layers drawn under every screen (a background rectangle, the
screen manager's stencil mask), and Kivy's scroll bar fading after each new page of tiles, which
redrew the whole window ~30 times with nothing a resident could see changing. The screenshot
still shows the background the glass shows."""

from __future__ import annotations

import time
from pathlib import Path

from kivy.core.window import Window
from kivy.graphics import opengl as gl
from PIL import Image

from kiosk.ui.theme import hex_rgba
from tests.ui.conftest import RunningKiosk

GL_SAMPLES = 0x80A9
#: Idle seconds watched; the header's countdown changes once a second.
WATCH_SECONDS = 2.0


def _frames_while_idle(kiosk: RunningKiosk, seconds: float) -> int:
    flips = []
    Window.bind(on_flip=flips.append)
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            kiosk.driver.pump(1)
            time.sleep(1 / 60)
    finally:
        Window.unbind(on_flip=flips.append)
    return len(flips)


def _full_window_fills() -> list[str]:
    """Instructions under the screens that cover the whole window."""
    found = []
    stack = [Window.canvas]
    while stack:
        group = stack.pop()
        for instruction in getattr(group, "children", ()):
            if hasattr(instruction, "children"):
                stack.append(instruction)
                continue
            size = getattr(instruction, "size", None)
            if size is not None and tuple(size) >= tuple(Window.size):
                found.append(type(instruction).__name__)
    return found


def test_window_is_drawn_without_multisampling(kiosk: RunningKiosk) -> None:
    assert gl.glGetIntegerv(GL_SAMPLES)[0] == 0


def test_no_full_window_layer_under_home_and_attract(kiosk: RunningKiosk) -> None:
    driver = kiosk.driver
    driver.pump(3)
    assert _full_window_fills() == [], "attract"
    driver.tap_at(960, 540)
    driver.wait_for_screen("home")
    assert _full_window_fills() == [], "home"
    kiosk.back_to_attract()


def test_home_is_not_redrawn_after_a_new_page_of_tiles(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    driver.tap_at(960, 540)
    driver.wait_for_screen("home")
    # the countdown in the header: one frame a second (and one at the edge of the window)
    frames = _frames_while_idle(kiosk, WATCH_SECONDS)
    assert frames <= WATCH_SECONDS + 1, f"{frames} frames drawn in {WATCH_SECONDS} s on home"
    driver.tap(app.screens["home"].tab_buttons["按主题"])  # rows of another height
    frames = _frames_while_idle(kiosk, WATCH_SECONDS)
    assert frames <= WATCH_SECONDS + 1, f"{frames} frames drawn in {WATCH_SECONDS} s on themes"
    kiosk.back_to_attract()


def test_screenshot_shows_the_background_the_glass_shows(kiosk: RunningKiosk,
                                                         tmp_path: Path) -> None:
    shot = kiosk.driver.screenshot(tmp_path / "attract.png")
    with Image.open(shot) as image:
        pixel = image.convert("RGB").getpixel((8, image.height // 2))
    expected = tuple(round(c * 255) for c in hex_rgba(kiosk.app.ctx.palette.background)[:3])
    assert all(abs(a - b) <= 2 for a, b in zip(pixel, expected, strict=True)), (pixel, expected)
