"""A licence copy (证照打印件) is reprinted by 证明补打 like a certificate: same serial, same usage
watermark; and in English mode the directory's kinds show their English names. Through touches
in the real Kivy window."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

from kiosk.harness.ui_driver import find_button
from tests.ui.conftest import RunningKiosk

ITEM = "licence-mzj-marriage"
REPRINT = "certificate-reprint"


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    return "".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                                  text=True, check=True).stdout.split())


def test_a_licence_copy_is_reprinted_with_its_serial_and_usage_line(kiosk: RunningKiosk,
                                                                     tmp_path: Path) -> None:
    driver, app = kiosk.driver, kiosk.app
    printer = kiosk.sim("document_printer")
    kiosk.present_id_card("worker")
    home = app.screens["home"]
    driver.tap(home.search_button)
    for letter in "JHZ":
        driver.tap(find_button(home.keyboard, letter))
    driver.wait_for(lambda: ITEM in home.tile_buttons, what="结婚证 found")
    driver.tap(home.tile_buttons[ITEM])
    driver.wait_for_screen("step_licence_copy")
    screen = app.screens["step_licence_copy"]
    driver.tap(screen.option_buttons["租房"])
    driver.wait_for(lambda: any(o.selected for o in app.state.view.options), what="purpose")
    driver.tap(screen.buttons["print"])
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "done",
                    what="copy printed")
    serial = app.state.view.reference
    assert serial.startswith("ZZ")
    first = _pdf_text(printer.printed_documents()[-1].data, tmp_path)
    kiosk.back_to_attract()

    kiosk.present_id_card("worker")
    home = app.screens["home"]
    driver.tap(home.tab_buttons["打印"])
    driver.wait_for(lambda: REPRINT in home.tile_buttons, what="证明补打 tile")
    driver.tap(home.tile_buttons[REPRINT])
    driver.wait_for_screen("step_records")
    records = app.screens["step_records"]
    driver.wait_for(lambda: serial in records.row_buttons, what="the copy listed")
    assert "结婚证" in records.row_buttons[serial].text
    driver.tap(records.row_buttons[serial])
    driver.wait_for_screen("step_print_certificate")
    before = len(printer.printed_documents())
    driver.tap(app.screens["step_print_certificate"].buttons["print"])
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "done",
                    what="copy reprinted")
    assert app.state.view.reference == serial
    documents = printer.printed_documents()
    assert len(documents) == before + 1
    again = _pdf_text(documents[-1].data, tmp_path)
    assert serial in again
    assert "此件仅供办理政务服务事项时使用" in again and "用途：租房" in again
    assert "用途：租房" in first
    kiosk.back_to_attract()


def test_english_mode_shows_the_english_names_of_licence_kinds(kiosk: RunningKiosk) -> None:
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    parts.prefs.update(lambda p: dataclasses.replace(p, locale="en"))
    try:
        driver.pump(3)
        kiosk.present_id_card("worker")
        home = app.screens["home"]
        driver.tap(home.tab_buttons["按主题"])
        driver.wait_for(lambda: "婚姻" in home.group_buttons, what="themes")
        driver.tap(home.group_buttons["婚姻"])
        driver.wait_for(lambda: ITEM in home.tile_buttons, what="marriage items")
        assert "Marriage certificate" in home.tile_buttons[ITEM].text
        assert "结婚证" not in home.tile_buttons[ITEM].text
        kiosk.back_to_attract()
    finally:
        parts.prefs.update(lambda p: dataclasses.replace(p, locale="zh-CN"))
        driver.pump(3)
