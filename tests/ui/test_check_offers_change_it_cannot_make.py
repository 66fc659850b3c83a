"""The check screen showed 修改 beside every answer, also beside the name and ID number read from
the card (``editable: false``), and tapping those did nothing. Found by previewing a bundle with
`kiosk tour --bundle`. Now only answers the flow lets the resident change have the button."""

from __future__ import annotations

import pytest

from flows.headless import intent_for
from flows.views import StepKind
from kiosk.harness.tour import _fixture_answers, _settle, _tap_action
from kiosk.harness.ui_driver import find_button
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow

SERVICE = "flexible-employment-insurance"


def test_change_only_what_may_be_changed(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    driver.wait_for_screen("home")
    kiosk.parts.controller.open_service(SERVICE)
    answers = _fixture_answers(SERVICE)
    for _ in range(30):
        _settle(driver)
        view = app.state.view
        if view is None or view.kind is StepKind.CHECK:
            break
        _tap_action(driver, *_intent(intent_for(view, answers, kiosk.parts.controller._run)))
    driver.wait_for_screen("step_check")
    view = app.state.view
    editable = set(view.extra["editable"])
    shown = {f.label: f.key for f in view.fields}
    assert shown["姓名"] not in editable and shown["身份证号码"] not in editable

    buttons = [w for w in app.screens["step_check"].walk(restrict=False)
               if getattr(w, "text", None) == "修改" and hasattr(w, "on_release")]
    assert len(buttons) == len([k for k in shown.values() if k in editable]) > 0
    for button in buttons:  # each 修改 sits in the row of an answer that may be changed
        row_texts = [getattr(w, "text", "") for w in button.parent.children]
        label = next(t for t in row_texts if t in shown)
        assert shown[label] in editable, label

    driver.tap(buttons[-1])
    driver.wait_for(lambda: app.manager.current != "step_check", what="the question again")
    assert app.manager.current.startswith("step_")
    assert find_button(app.screens[app.manager.current], "")


def _intent(intent):  # type: ignore[no-untyped-def]
    return intent.action, intent.value
