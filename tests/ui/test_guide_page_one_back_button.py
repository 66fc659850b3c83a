"""办事指南 opened from a step: its action bar used to show two 返回 side by side (the page's
own, which closes the guide, and the flow's). The flow now offers one, the primary ``back``
(the screen shows the actions as offered), and it returns to the step."""

from __future__ import annotations

from collections import Counter

from tests.ui.conftest import RunningKiosk

SERVICE = "social-insurance-payments"


def test_the_guide_page_has_one_back_button(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons["guide"])
    driver.wait_for_screen("step_guide")
    guide = app.screens["step_guide"]
    labels = Counter(button.text for button in guide.actions.children if hasattr(button, "text"))
    assert labels["返回"] == 1, labels
    assert all(count == 1 for count in labels.values()), labels
    assert "next" not in guide.buttons and guide.buttons["back"].text == "返回"
    driver.tap(guide.buttons["back"])
    driver.wait_for_screen("step_records")
