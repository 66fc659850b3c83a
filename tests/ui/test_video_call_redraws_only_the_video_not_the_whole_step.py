"""In a 视频帮办 call each new frame of the staff member's video used to redraw the whole
1920x1080 step screen in software GL (13 fps at 170 % of a core). The screens are now drawn
once into a texture while the call lasts (kiosk.ui.screen_cache, docs/adr/0820): frames come
and go without the step being drawn again; a change on the step still shows; the window looks
the same as without the cache; after the call the screens draw directly again.

Real kiosk from the composition root (SDL offscreen), a real aiortc staff peer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.core.video_call import CallPhase
from kiosk.harness.ui_driver import find_button
from kiosk.harness.video_staff import StaffConsole
from tests.ui.conftest import RunningKiosk
from tests.ui.video_kiosk import video_fixtures

pytestmark = [pytest.mark.slow, pytest.mark.ui]

TOKEN = "test-terminal-token-cache"
SERVICE = "social-insurance-payments"


staff, kiosk = video_fixtures(TOKEN, "video-cache-kiosk")


def _left_part(path: Path) -> np.ndarray:
    """The step's part of a screenshot: left of the call panel (on the right), and in the call
    the step is drawn in the top-left 79 % (docs/adr/0824)."""
    image = np.asarray(Image.open(path).convert("RGB"))
    return image[: int(image.shape[0] * 0.78), : int(image.shape[1] * 0.78)]


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """The same picture: scaled text may round differently drawn into a texture than into
    the window (a few edge pixels), nothing more."""
    difference = np.abs(a.astype(int) - b.astype(int)).max(axis=2)
    return float(np.mean(difference > 8)) < 0.001 and float(np.mean(difference)) < 0.5


def test_frames_are_drawn_without_drawing_the_step_again(kiosk: RunningKiosk, staff: StaffConsole,
                                                         tmp_path: Path) -> None:
    driver, app, video = kiosk.driver, kiosk.app, kiosk.parts.video
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    manager, root = app.manager, app.root_widget
    driver.pump(3)
    before = driver.screenshot(tmp_path / "before.png")
    driver.tap(driver.current_screen().buttons["video_help"])
    driver.wait_for(lambda: video.phase is CallPhase.CONSENT, what="consent")
    driver.tap(find_button(app.video_layer.card, "同意并呼叫"))
    driver.wait_for(lambda: video.phase is CallPhase.IN_CALL, what="in call")
    layer = app.video_layer
    cache, remote = layer.cache, layer.panel.remote
    assert cache is not None and cache.attached
    assert root.canvas.indexof(manager.canvas) == -1  # drawn through the texture now
    driver.wait_for(lambda: remote.frames_drawn >= 3, timeout=30, what="first frames")
    driver.pump(3)
    renders, drawn = cache.renders, remote.frames_drawn
    assert renders >= 1  # the texture was drawn once at least
    driver.wait_for(lambda: remote.frames_drawn >= drawn + 15, timeout=30, what="more frames")
    assert cache.renders == renders  # fifteen frames, the step not drawn once more
    # the resident's own preview runs on the same clock (one redraw serves both)
    assert layer.panel.preview.frames_shown > 0
    # the step as the resident sees it through the texture: the same pixels as drawn directly
    during = driver.screenshot(tmp_path / "during.png")
    cache.detach()
    driver.pump(2)
    direct = driver.screenshot(tmp_path / "direct.png")
    assert cache.attach()
    driver.pump(2)
    assert _same(_left_part(direct), _left_part(during))
    # a change on the step is drawn (the texture is drawn again), then it stays cached
    title = next(w for w in manager.current_screen.walk() if getattr(w, "text", "")
                 and hasattr(w, "texture_update"))
    title.text = title.text + "！"
    driver.pump(3)
    assert cache.renders > renders
    renders = cache.renders
    # after the call the screens draw directly again, at their place
    driver.tap(layer.panel.end_button)
    driver.wait_for(lambda: video.phase is CallPhase.ENDED, what="rating")
    assert layer.cache is None and root.canvas.indexof(manager.canvas) >= 0
    window = root.get_root_window()
    assert "clear" not in window.__dict__  # the window clears itself again
    driver.tap(find_button(layer.card, "跳过"))
    driver.wait_for(lambda: video.phase is CallPhase.IDLE, what="idle")
    title.text = title.text[:-1]
    driver.pump(3)
    after = driver.screenshot(tmp_path / "after.png")
    assert np.array_equal(_left_part(before), _left_part(after))
