"""打印查询结果 (and 打印办事指南) print a receipt from a step that does not change: the screen
now says it printed (in the information colour, not as an error), and says nothing of the
kind when the printer could not print."""

from __future__ import annotations

from kiosk.ui.theme import hex_rgba
from tests.printing.escpos_decode import decode
from tests.ui.conftest import RunningKiosk

SERVICE = "social-insurance-payments"


def test_print_summary_tells_the_resident(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    printer = kiosk.sim("receipt_printer")
    before = len(printer.captured())
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    records = app.screens["step_records"]
    assert records.error.text == ""
    driver.tap(records.buttons["print"])
    driver.wait_for(lambda: bool(app.screens["step_records"].error.text), what="a word")
    records = app.screens["step_records"]
    assert records.error.text == "已打印，请在出纸口取走凭条"
    assert tuple(records.error.color) == tuple(hex_rgba(app.ctx.palette.success))
    assert decode(bytes(printer.captured())[before:]).text  # a receipt did come out
    kiosk.back_to_attract()


def test_the_guide_print_tells_the_resident_too(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons["guide"])
    driver.wait_for_screen("step_guide")
    driver.tap(app.screens["step_guide"].buttons["print"])
    driver.wait_for(lambda: bool(app.screens["step_guide"].error.text), what="a word")
    assert app.screens["step_guide"].error.text == "已打印，请在出纸口取走凭条"
    kiosk.back_to_attract()
