"""Text from the platform or a flow bundle that looks like Kivy markup (`[color=...]`,
`[size=...]`, `[ref=...]`, `&bl;`) is shown to the resident exactly as written, never
interpreted: a record's label could otherwise recolour, resize or hide what a tile says."""

from __future__ import annotations

from typing import Any

from kivy.uix.label import Label

from flows.views import Option, StepKind, View
from kiosk.core.controller import ServiceEntry, UiState
from kiosk.core.session import Phase
from tests.ui.conftest import RunningKiosk

HOSTILE = "[color=ff0000][size=200]已办结[/size][/color]"
HIDDEN = "[size=0]看不见[/size]&bl;"


def shown(widget: Any) -> str:
    """The characters Kivy lays out for the widget's text with its markup setting (tags
    removed), on one unconstrained label so that nothing is wrapped or clipped away."""
    assert widget.markup
    label = Label(text=widget.text, markup=True)
    label.texture_update()
    return "\n".join("".join(word.text for word in line.words)
                     for line in label._label._cached_lines)


def test_option_labels_details_and_reasons_keep_their_brackets(kiosk: RunningKiosk) -> None:
    app, driver = kiosk.app, kiosk.driver
    view = View(step_id="pick", kind=StepKind.CHOOSE, title="选择",
                options=(Option("a", HOSTILE, detail=HIDDEN),
                         Option("b", "普通", enabled=False, reason=HOSTILE)))
    screen = app.screens["step_choose"]
    screen.render(UiState(screen="step", phase=Phase.ACTIVE, view=view, service_title="测试"))
    driver.pump(2)
    first = shown(screen.option_buttons["a"])
    assert HOSTILE in first and "[size=0]看不见[/size]&bl;" in first
    assert HOSTILE in shown(screen.option_buttons["b"])


def test_service_titles_and_reasons_on_home_keep_their_brackets(kiosk: RunningKiosk) -> None:
    app, driver = kiosk.app, kiosk.driver
    services = (ServiceEntry("x", HOSTILE, "查询"),
                ServiceEntry("y", "社保", "查询", available=False, reason=HIDDEN))
    screen = app.screens["home"]
    screen.render(UiState(screen="home", phase=Phase.ACTIVE, services=services))
    driver.pump(2)
    assert HOSTILE in shown(screen.tile_buttons["x"])
    assert HIDDEN in shown(screen.tile_buttons["y"])
    screen.render(UiState(screen="home", phase=Phase.ACTIVE, services=()))
