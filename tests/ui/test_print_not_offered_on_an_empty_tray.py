"""The A4 tray is emptied while a resident is on the certificate's print page: as soon as the
kiosk knows (the printer's next status), 打印 is greyed with the reason instead of being
offered for a print that cannot work; paper loaded, it is offered again. And a print refused
on an empty tray is "打印机缺纸", not "打印中途缺纸" (nothing was half printed)."""

from __future__ import annotations

from flows.views import Intent
from tests.ui.conftest import RunningKiosk

SERVICE = "social-insurance-payments"


def _to_print_page(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons["next"])
    driver.wait_for_screen("step_print_certificate")


def test_print_is_greyed_while_the_tray_is_empty(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    sim = kiosk.sim("document_printer")
    printer = kiosk.parts.hub.get("document_printer")
    _to_print_page(kiosk)
    assert not app.screens["step_print_certificate"].buttons["print"].disabled
    try:
        sim.empty_tray()
        printer.refresh_status()  # the driver's next status poll
        driver.wait_for(lambda: app.screens["step_print_certificate"].buttons["print"].disabled,
                        what="print greyed")
        assert app.screens["step_print_certificate"].error.text  # the reason is shown
    finally:
        sim.load_paper()
        printer.refresh_status()
    driver.wait_for(lambda: not app.screens["step_print_certificate"].buttons["print"].disabled,
                    what="print offered again")
    kiosk.back_to_attract()


def _demo(kiosk: RunningKiosk, label: str) -> None:
    action = dict(kiosk.app.demo_actions)[label]
    action()


def test_the_demo_panels_paper_out_empties_the_tray_and_is_never_mid_print(
        kiosk: RunningKiosk) -> None:
    driver, app, hub = kiosk.driver, kiosk.app, kiosk.parts.hub
    _to_print_page(kiosk)
    try:
        _demo(kiosk, "A4打印机缺纸")
        driver.wait_for(lambda: not hub.usable("document_printer"), what="the kiosk knows")
        screen = app.screens["step_print_certificate"]
        driver.wait_for(lambda: screen.buttons["print"].disabled, what="print greyed")
        kiosk.parts.controller.send(Intent("print"))  # even if sent anyway: nothing printed
        driver.wait_for(lambda: app.state is not None and not app.state.busy, what="answer")
        shown = app.screens["step_print_certificate"].error.text
        assert shown and "中途" not in shown
        assert kiosk.sim("document_printer").received_documents() == []
    finally:
        _demo(kiosk, "A4打印机装纸")
    driver.wait_for(lambda: hub.usable("document_printer"), what="paper back")

    def offered() -> bool:
        buttons = app.screens["step_print_certificate"].buttons
        button = buttons.get("print") or buttons.get("retry")  # 打印, or 重新打印 once tried
        return button is not None and not button.disabled
    driver.wait_for(offered, what="print offered again")
    kiosk.back_to_attract()
