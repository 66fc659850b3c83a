"""Home used to build new tile, group and pager buttons (and a new 28-key keyboard) on every touch,
and a tab changing colour re-rendered its text into the texture the last frames were drawing
(a stall of up to seconds in the software renderer). Driven by touches in the real window: the
same button objects come back with new text, the keyboard is built once, a changed label gets a
new texture, and after 退出 home keeps no trace of the resident (greeting, search text, tiles)
although it was not built again (docs/adr/0805-home-updates-in-place.md)."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.harness.ui_driver import find_button
from tests.ui.conftest import RunningKiosk


def _ids(buttons: dict[str, Widget]) -> set[int]:
    return {id(b) for b in buttons.values()}


def test_browsing_and_searching_reuse_the_same_buttons(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    driver.tap_at(960, 540)
    driver.wait_for_screen("home")
    home = app.screens["home"]
    driver.tap(home.tab_buttons["按主题"])
    driver.wait_for(lambda: "婚姻" in home.group_buttons, what="themes")
    themes = dict(home.group_buttons)
    driver.tap(home.tab_buttons["按部门"])
    driver.wait_for(lambda: not set(home.group_buttons) & set(themes), what="departments")
    departments = home.group_buttons
    assert _ids(departments) <= _ids(themes)  # the same buttons, other text
    assert all("项" in b.text for b in departments.values())
    first = next(iter(departments))
    driver.tap(departments[first])
    driver.wait_for(lambda: bool(home.tile_buttons), what="the department's items")
    assert home.groups_button is not None and home.groups_button.text == "返回部门列表"
    tiles = _ids(home.tile_buttons)
    driver.tap(home.groups_button)
    driver.wait_for(lambda: first in home.group_buttons, what="departments again")
    assert home.groups_button is None  # hidden, not offered, on the list of groups

    driver.tap(home.search_button)
    keyboard = home.keyboard
    assert keyboard is not None
    for letter in "SB":
        driver.tap(find_button(keyboard, letter))
    driver.wait_for(lambda: app.state.query == "sb" and bool(home.tile_buttons), what="hits")
    pooled = {id(b) for b in home._tile_pool}
    assert tiles <= pooled and _ids(home.tile_buttons) <= pooled  # the department's, the hits'
    driver.tap(home.search_button)
    assert home.keyboard is None
    driver.tap(home.search_button)
    assert home.keyboard is keyboard  # built once, shown again
    assert keyboard.value == "sb"  # it shows the search being edited
    driver.tap(home.search_button)
    assert {id(b) for b in home._tile_pool} == pooled


def test_a_tab_changing_colour_gets_a_new_texture(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    driver.tap_at(960, 540)
    driver.wait_for_screen("home")
    home = app.screens["home"]
    tab = home.tab_buttons["按主题"]
    before = tab.texture
    colour = list(tab.color)
    driver.tap(tab)
    driver.wait_for(lambda: bool(home.group_buttons), what="themes")
    assert list(tab.color) != colour  # chosen: drawn in the other colour
    assert tab.texture is not before  # a new texture, never written into the drawn one


def test_leaving_clears_home_without_building_it_again(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    home = app.screens["home"]
    driver.wait_for(lambda: "您好" in home.greeting.text, what="greeting")
    greeting = home.greeting.text
    driver.tap(home.search_button)
    for letter in "JHZ":
        driver.tap(find_button(home.keyboard, letter))
    driver.wait_for(lambda: bool(home.tile_buttons), what="hits")
    driver.tap(home.exit_button)
    driver.wait_for_screen("attract")
    assert app.screens.built("home") and app.screens["home"] is home  # kept, not rebuilt
    shown = [str(getattr(w, "text", "")) for w in home.walk(restrict=False)]
    assert not any(greeting in text or "JHZ" in text for text in shown), shown
    assert home.keyboard is None and home._keyboard is not None
    assert home._keyboard.value == ""
    assert not home.tile_buttons and not home.group_buttons
    driver.tap_at(960, 540)  # the next resident: the catalogue again, nothing of the last
    driver.wait_for_screen("home")
    assert app.state.query == "" and home.tile_buttons
    assert "JHZ" not in home.search_button.text
