"""长者模式 with 高对比度: the search box and 退出并清除信息 on home show their whole label on one
line (they used to wrap onto two lines and lose the top and bottom of both), in Chinese and in
English, and stay on the screen."""

from __future__ import annotations

import dataclasses

import pytest
from kivy.core.window import Window

from tests.ui.conftest import RunningKiosk


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_search_and_exit_labels_fit(kiosk: RunningKiosk, locale: str) -> None:
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    parts.prefs.update(lambda p: dataclasses.replace(p, elderly=True, high_contrast=True,
                                                     locale=locale))
    driver.pump(3)
    kiosk.present_id_card("worker")
    driver.wait_for_screen("home")
    home = app.screens["home"]
    for button in (home.search_button, home.exit_button):
        button.texture_update()
        width, height = button.texture_size
        assert height <= button.height, f"{button.text!r} is cut at top and bottom"
        assert width <= button.width, f"{button.text!r} is cut at the sides"
        assert height < 1.9 * button.font_size, f"{button.text!r} wraps onto two lines"
        left, _bottom = button.to_window(button.x, button.y)
        assert left >= 0 and left + button.width <= Window.width
    assert home.greeting.width > 0
    kiosk.back_to_attract()
