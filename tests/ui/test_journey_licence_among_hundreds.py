"""A resident finds one licence kind among the hundreds of items and prints it, through touches
in the real Kivy window: three taps from home (按主题 -> 婚姻 -> 结婚证打印), or by typing its
initials; in elderly mode by theme with fewer, larger tiles. No flow was written for the kind:
the directory's generic licence flow prints it with the usage watermark."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kiosk.harness.ui_driver import find_button
from kiosk.harness.ui_journeys import rate_and_leave
from tests.ui.conftest import RunningKiosk

ITEM = "licence-mzj-marriage"
SHOTS = Path("var/ui-shots")


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _print_copy(kiosk: RunningKiosk, tmp_path: Path, purpose: str) -> str:
    """On the licence screen: the one licence held is previewed; choose the purpose, print."""
    driver, app = kiosk.driver, kiosk.app
    driver.wait_for_screen("step_licence_copy")
    screen = app.screens["step_licence_copy"]
    assert app.state.view.fields, "the preview of the one 结婚证 held"
    assert screen.buttons["print"].disabled  # a purpose first
    driver.tap(screen.option_buttons[purpose])
    driver.wait_for(lambda: any(o.selected for o in app.state.view.options), what="purpose")
    before = len(kiosk.sim("document_printer").printed_documents())
    driver.tap(app.screens["step_licence_copy"].buttons["print"])
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "done",
                    what="licence copy printed")
    documents = kiosk.sim("document_printer").printed_documents()
    assert len(documents) == before + 1
    driver.tap(app.screens["step_licence_copy"].buttons["next"])
    rate_and_leave(driver)
    return _pdf_text(documents[-1].data, tmp_path)


def test_three_taps_from_home_to_a_licence_among_hundreds(kiosk: RunningKiosk,
                                                          tmp_path: Path) -> None:
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    assert len(parts.catalogue.entries()) >= 90
    kiosk.present_id_card("worker")
    home = app.screens["home"]
    taps = 0
    driver.tap(home.tab_buttons["按主题"])
    taps += 1
    driver.wait_for(lambda: "婚姻" in home.group_buttons, what="themes with counts")
    assert "项" in home.group_buttons["婚姻"].text
    driver.screenshot(SHOTS / "home-themes.png")
    driver.tap(home.group_buttons["婚姻"])
    taps += 1
    driver.wait_for(lambda: ITEM in home.tile_buttons, what="the theme's items")
    driver.screenshot(SHOTS / "home-theme-marriage.png")
    driver.tap(home.tile_buttons[ITEM])
    taps += 1
    assert taps == 3
    text = _print_copy(kiosk, tmp_path, "租房")
    assert "此件仅供办理政务服务事项时使用" in text
    assert "用途：租房" in text
    assert "演示区民政局" in text


def test_search_by_initials_then_a_synonym(kiosk: RunningKiosk, tmp_path: Path) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    home = app.screens["home"]
    driver.tap(home.search_button)
    for letter in "KZM":  # 开证明: what residents say for a proof
        driver.tap(find_button(home.keyboard, letter))
    driver.wait_for(lambda: app.state.query == "kzm" and len(home.tile_buttons) >= 6,
                    what="proofs found")
    proofs = [b.text for b in home.tile_buttons.values() if "证明" in b.text]
    assert len(proofs) >= len(home.tile_buttons) // 2, [b.text for b in home.tile_buttons.values()]
    driver.screenshot(SHOTS / "home-search-kzm.png")
    for _ in range(3):
        driver.tap(find_button(home.keyboard, "删除"))
    for letter in "JHZ":
        driver.tap(find_button(home.keyboard, letter))
    driver.wait_for(lambda: app.state.query == "jhz" and ITEM in home.tile_buttons,
                    what="结婚证 found")
    assert next(iter(home.tile_buttons)) == ITEM
    driver.tap(home.tile_buttons[ITEM])
    text = _print_copy(kiosk, tmp_path, "入学")
    assert "用途：入学" in text


def test_elderly_mode_browses_by_theme_with_fewer_larger_tiles(kiosk: RunningKiosk,
                                                                tmp_path: Path) -> None:
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    driver.tap(app.screens["attract"].bar.buttons["elderly"])
    driver.wait_for(lambda: parts.prefs.current.elderly, what="elderly on")
    kiosk.present_id_card("worker")
    home = app.screens["home"]
    driver.tap(home.tab_buttons["按主题"])
    driver.wait_for(lambda: "婚姻" in home.group_buttons, what="themes")
    assert len(home.group_buttons) <= 6
    driver.screenshot(SHOTS / "home-themes-elderly.png")
    driver.tap(home.group_buttons["婚姻"])
    driver.wait_for(lambda: len(home.tile_buttons) > 0, what="items")
    assert len(home.tile_buttons) <= 4
    standard_tile = 160 * app.ctx.metrics.scale
    assert all(b.height > standard_tile for b in home.tile_buttons.values())
    while ITEM not in home.tile_buttons:
        assert home.next_button is not None and not home.next_button.disabled
        driver.tap(home.next_button)
    driver.screenshot(SHOTS / "home-theme-marriage-elderly.png")
    driver.tap(home.tile_buttons[ITEM])
    _print_copy(kiosk, tmp_path, "就业")
