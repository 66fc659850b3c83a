"""An English-mode resident meets a printer running out of paper and a platform that is down,
through the real UI: every fault text on the screen (read from the widget tree) is the English of
the gettext catalogues, never the Chinese source. Screenshots of each fault screen are written
and checked for size."""

from __future__ import annotations

from pathlib import Path

import pytest
from kivy.uix.label import Label

from kiosk.core.device_labels import device_down_text, devices_down_text
from kiosk.i18n import literals, translate
from kiosk.platform.errors import DEFAULT_MESSAGES, ErrorKind
from kiosk.printing.journal import PrintKind
from kiosk.printing.messages import PrinterFault, ResidentMessage
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow  # one kiosk start for the module (~25 s)

RECORDS_SERVICE = "social-insurance-payments"  # prints a certificate on the A4 printer
RECEIPT_SERVICE = "appointment"  # needs the receipt printer


def _texts(screen: object) -> list[str]:
    """Every label text on a screen (buttons are labels too)."""
    return [w.text for w in screen.walk(restrict=True)  # type: ignore[attr-defined]
            if isinstance(w, Label) and w.text]


def _chinese(text: str) -> bool:
    return bool(literals.CJK.search(text))


def _to_english(kiosk: RunningKiosk) -> None:
    """Tap 中文|English on the attract screen, then identify with an ID card."""
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    driver.tap(app.screens["attract"].bar.buttons["language"])
    driver.wait_for(lambda: parts.prefs.current.locale == "en", what="english")
    kiosk.present_id_card("worker")
    driver.wait_for_screen("home")


def _shot(kiosk: RunningKiosk, path: Path) -> None:
    kiosk.driver.screenshot(path)
    assert path.stat().st_size > 20_000, "an empty screenshot"


def test_receipt_printer_out_of_paper_reads_in_english(kiosk: RunningKiosk,
                                                        tmp_path: Path) -> None:
    driver, app, hub = kiosk.driver, kiosk.app, kiosk.parts.hub
    printer = kiosk.sim("receipt_printer")
    _to_english(kiosk)
    try:
        printer.set_paper("out")
        driver.wait_for(lambda: not hub.usable("receipt_printer"), what="receipt printer out")
        reason = devices_down_text(["receipt_printer"], "en")
        assert reason == "Not available: receipt printer"
        home = app.screens["home"]
        driver.wait_for(lambda: reason in home.tile_buttons[RECEIPT_SERVICE].text,
                        what="greyed tile with the English reason")
        assert any(reason in text for text in _texts(home))
        state = kiosk.parts.controller.state
        title = next(e.title for e in state.services if e.service_id == RECEIPT_SERVICE)
        assert title.isascii()  # the service's own English title
        driver.tap(home.tile_buttons[RECEIPT_SERVICE])
        notice = translate("“{title}”暂不可用：{reason}", "en", title=title, reason=reason)
        driver.wait_for(lambda: notice in _texts(app.screens["home"]), what="English notice")
        assert not _chinese(notice) and "receipt printer" in notice
        assert not any("凭条打印机" in text for text in _texts(app.screens["home"]))
        _shot(kiosk, tmp_path / "receipt-paper-out-en.png")
    finally:
        printer.set_paper("ok")
    driver.wait_for(lambda: hub.usable("receipt_printer"), what="paper back")
    kiosk.back_to_attract()


def test_a4_printer_out_of_paper_reads_in_english(kiosk: RunningKiosk, tmp_path: Path) -> None:
    driver, app = kiosk.driver, kiosk.app
    printer = kiosk.sim("document_printer")
    _to_english(kiosk)
    driver.tap(app.screens["home"].tile_buttons[RECORDS_SERVICE])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons["next"])
    driver.wait_for_screen("step_print_certificate")
    screen = app.screens["step_print_certificate"]
    try:
        printer.set_fault("media-empty")
        button = screen.buttons["print"]
        if not button.disabled:
            driver.tap(button)
        driver.wait_for(lambda: bool(screen.error.text), what="the paper-out message")
        shown = screen.error.text
        titles = {ResidentMessage(f, PrintKind.CERTIFICATE, ()).in_locale("en").title
                  for f in PrinterFault}
        # the print failed (the fault message) or the kiosk knew first (the device is down)
        assert any(shown.startswith(t) for t in titles) or \
            shown == device_down_text("document_printer", "en"), shown
        assert not _chinese(shown), shown
        assert shown in _texts(screen)
        assert not any(_chinese(text) for text in _texts(screen.error))
        _shot(kiosk, tmp_path / "a4-paper-out-en.png")
    finally:
        printer.load_paper()
        printer.set_fault("complete")
    kiosk.back_to_attract()


def test_platform_down_reads_in_english(kiosk: RunningKiosk, tmp_path: Path) -> None:
    driver, app, sandbox = kiosk.driver, kiosk.app, kiosk.parts.sandbox
    _to_english(kiosk)
    expected = translate(DEFAULT_MESSAGES[ErrorKind.UNAVAILABLE], "en")
    assert expected.startswith("The service platform")
    sandbox.app.faults.arm({"fail_next": 100, "status": 503})
    try:
        driver.tap(app.screens["home"].tile_buttons[RECORDS_SERVICE])
        driver.wait_for(lambda: app.state is not None and not app.state.busy and (
            bool(app.state.notice) or (app.state.view is not None and bool(app.state.view.error))),
            what="a plain message")
        screen = driver.current_screen()
        driver.wait_for(lambda: any(expected in text for text in _texts(driver.current_screen())),
                        what="the English platform message on screen")
        shown = [text for text in _texts(driver.current_screen()) if expected in text]
        assert shown and not any(_chinese(text) for text in shown), shown
        assert not any(DEFAULT_MESSAGES[ErrorKind.UNAVAILABLE] in text for text in _texts(screen))
        _shot(kiosk, tmp_path / "platform-down-en.png")
    finally:
        sandbox.app.faults.clear()
    kiosk.back_to_attract()
    assert kiosk.parts.prefs.current.locale == "zh-CN"  # the next resident starts in Chinese
