"""In a 视频帮办 call the panel on the right used to cover the right part of the step: the last
columns of a records table and 下一页. While the call lasts the step is now shown scaled down
in the top-left corner beside the panel (kiosk.ui.video_help, docs/adr/0824): every column and
every button of the step in view, none under the panel, and touches still reach them (下一页
turns the page); after the call the step fills the window again.

Real kiosk from the composition root (SDL offscreen, 1920x1080), a real aiortc staff peer."""

from __future__ import annotations

from typing import Any

import pytest
from kivy.uix.gridlayout import GridLayout

from kiosk.core.video_call import CallPhase
from kiosk.harness.ui_driver import find_button
from tests.ui.conftest import RunningKiosk
from tests.ui.video_kiosk import video_fixtures

pytestmark = [pytest.mark.slow, pytest.mark.ui]

TOKEN = "test-terminal-token-room"
SERVICE = "social-insurance-payments"


staff, kiosk = video_fixtures(TOKEN, "video-room-kiosk")


def window_box(widget: Any) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of ``widget`` in window pixels."""
    left, bottom = widget.to_window(widget.x, widget.y)
    right, top = widget.to_window(widget.right, widget.top)
    return left, bottom, right, top


def page_label(screen: Any) -> str:
    return next(w.text for w in screen.walk() if "页 / 共" in getattr(w, "text", ""))


def test_records_table_and_buttons_beside_the_panel(kiosk: RunningKiosk) -> None:
    driver, app, video = kiosk.driver, kiosk.app, kiosk.parts.video
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    screen = driver.current_screen()
    table = next(w for w in screen.walk() if isinstance(w, GridLayout) and w.cols >= 5)
    full_right = window_box(table)[2]
    driver.tap(screen.buttons["video_help"])
    driver.wait_for(lambda: video.phase is CallPhase.CONSENT, what="consent")
    driver.tap(find_button(app.video_layer.card, "同意并呼叫"))
    driver.wait_for(lambda: video.phase is CallPhase.IN_CALL, what="in call")
    driver.pump(3)
    panel = app.video_layer.panel.panel
    panel_left = window_box(panel)[0]
    assert full_right > panel_left  # drawn full size, the table went under the panel
    # every column of the table and every button of the step left of the panel, in the window
    assert window_box(table)[2] <= panel_left
    for name, button in screen.buttons.items():
        left, bottom, right, top = window_box(button)
        assert left >= 0 and bottom >= 0 and right <= panel_left and top <= 1080, name
    # touches beside the panel reach the step where the resident sees it: 下一页 turns the page
    pager = next(b for b in screen.walk() if getattr(b, "text", "") == "下一页")
    before = page_label(screen)
    driver.tap(pager)
    driver.wait_for(lambda: page_label(screen) != before, what="next page")
    assert app.video_layer.cache is not None and app.video_layer.cache.attached
    driver.tap(app.video_layer.panel.end_button)
    driver.wait_for(lambda: video.phase is CallPhase.ENDED, what="rating")
    driver.tap(find_button(app.video_layer.card, "跳过"))
    driver.wait_for(lambda: video.phase is CallPhase.IDLE, what="idle")
    driver.pump(2)
    assert app.manager.parent is app.root_widget
    assert window_box(app.manager) == (0, 0, app.root_widget.width, app.root_widget.height)
