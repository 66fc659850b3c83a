"""证明补打 through the real UI with touches: the paper runs out while 社保缴费证明 prints (the
screen says the certificate is kept and how to get it), paper is loaded, the resident presents
the ID card again -> 打印 -> 证明补打 -> taps the certificate -> print -> the same serial comes
out -> 好差评 -> home."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kiosk.harness.ui_driver import find_button
from kiosk.printing.journal import PrintState
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow

FIRST = "social-insurance-payments"
SERVICE = "certificate-reprint"


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "reprinted.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def _print_fails(kiosk: RunningKiosk) -> str:
    """社保缴费记录 -> print with the paper running out; return the serial shown."""
    driver, app = kiosk.driver, kiosk.app
    printer = kiosk.sim("document_printer")
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[FIRST])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons["next"])
    driver.wait_for_screen("step_print_certificate")
    printer.set_fault("media-empty")
    driver.tap(app.screens["step_print_certificate"].buttons["print"])
    screen = app.screens["step_print_certificate"]
    driver.wait_for(lambda: bool(screen.error.text) and not app.state.busy,
                    what="paper-out message")
    assert "证明补打" in screen.error.text
    assert "证明补打" in screen.reprint_hint.text and "编号不变" in screen.reprint_hint.text
    serial = app.state.view.reference
    assert serial
    kiosk.back_to_attract()
    printer.set_fault("complete")
    printer.load_paper()
    kiosk.wait_devices_ready("document_printer")
    return serial


def test_card_reprint_choose_print_rate(kiosk: RunningKiosk, tmp_path: Path) -> None:
    driver, app = kiosk.driver, kiosk.app
    journal = kiosk.parts.printing.journal
    serial = _print_fails(kiosk)
    printed_before = len(kiosk.sim("document_printer").printed_documents())

    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tab_buttons["打印"])
    driver.wait_for(lambda: SERVICE in app.screens["home"].tile_buttons, what="打印 tiles")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    records = app.screens["step_records"]
    driver.wait_for(lambda: serial in records.row_buttons, what="the certificate listed")
    assert "社会保险参保缴费证明" in records.row_buttons[serial].text
    driver.tap(records.row_buttons[serial])

    driver.wait_for_screen("step_print_certificate")
    driver.tap(app.screens["step_print_certificate"].buttons["print"])
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "done",
                    what="certificate printed")
    assert app.state.view.reference == serial
    documents = kiosk.sim("document_printer").printed_documents()
    assert len(documents) == printed_before + 1
    assert serial in "".join(_pdf_text(documents[-1].data, tmp_path).split())
    entry = journal.by_serial(serial)
    assert entry is not None and entry.state is PrintState.DONE and entry.attempts == 2

    driver.tap(app.screens["step_print_certificate"].buttons["next"])
    driver.wait_for_screen("step_rate")
    driver.tap(find_button(app.screens["step_rate"], "非常满意"))
    driver.wait_for(lambda: any(o.selected for o in app.state.view.options), what="score")
    driver.tap(app.screens["step_rate"].buttons["rate"])
    driver.wait_for_screen("home")
    kiosk.back_to_attract()
