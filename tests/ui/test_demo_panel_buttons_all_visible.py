"""The demo panel gained actions (A4 tray empty now / paper out during the next job): every
button still lies inside the panel, above 关闭, none hidden behind another."""

from __future__ import annotations

from tests.ui.conftest import RunningKiosk


def test_every_demo_button_is_inside_the_panel_and_above_close(kiosk: RunningKiosk) -> None:
    app, driver = kiosk.app, kiosk.driver
    app.show_demo_panel()
    driver.pump(3)
    panel = app.demo_panel
    assert panel is not None
    try:
        close = next(w for w in panel.walk() if getattr(w, "text", "") == "关闭")
        buttons = list(panel.buttons.values())
        assert len(buttons) == len(app.demo_actions)
        for button in buttons:
            assert button.y >= close.top, f"{button.text!r} is behind 关闭"
            card = button.parent.parent
            assert card.x <= button.x and button.right <= card.right, button.text
            assert button.top <= card.top, button.text
    finally:
        app.hide_demo_panel()
