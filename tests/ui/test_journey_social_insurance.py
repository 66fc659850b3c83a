"""The foundation journey through the real UI with touches: present the simulated ID card ->
社保缴费记录查询 -> the table of payments -> print 社保缴费证明 (A4 PDF to the IPP printer) ->
好差评 -> wipe. Checks the screens, the printed PDF's text, and that nothing personal is left.
"""

from __future__ import annotations

import subprocess

import pytest

from kiosk.core.privacy import REDACTOR
from kiosk.core.session import Phase
from kiosk.harness.ui_driver import find_button
from kiosk.harness.ui_journeys import wait_for_continue_question
from kiosk.sandbox.seed import by_key
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow

SERVICE = "social-insurance-payments"


def pdf_text(pdf: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_card_query_print_rate_wipe(kiosk: RunningKiosk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    resident = by_key("worker")
    printed_before = len(kiosk.sim("document_printer").printed_documents())
    assert app.manager.current == "attract"

    # 1. The resident places the ID card: identified, greeted by a masked name.
    kiosk.present_id_card("worker")
    greeting = app.screens["home"].greeting.text
    assert "您好" in greeting
    assert resident.name[0] in greeting and resident.name not in greeting

    # 2. 社保缴费记录查询: the records table, page by page.
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    view = app.state.view
    assert view.table is not None and len(view.table.rows) > 0
    assert "月" in view.table.columns[0]
    assert app.screens["step_records"].title.text == view.title

    # 3. 下一步 -> print the certificate on A4.
    driver.tap(app.screens["step_records"].buttons["next"])
    driver.wait_for_screen("step_print_certificate")
    driver.tap(app.screens["step_print_certificate"].buttons["print"])
    driver.wait_for(lambda: app.state.view is not None and app.state.view.outcome == "done",
                    what="certificate printed")
    documents = kiosk.sim("document_printer").printed_documents()
    assert len(documents) == printed_before + 1
    text = pdf_text(documents[-1].data, tmp_path)
    assert "社会保险参保缴费证明" in text
    assert resident.name in text  # the certificate itself names its holder
    serial = app.state.view.reference
    assert serial and serial in text

    # 4. 好差评: 非常满意, submit.
    driver.tap(app.screens["step_print_certificate"].buttons["next"])
    driver.wait_for_screen("step_rate")
    driver.tap(find_button(app.screens["step_rate"], "非常满意"))
    driver.wait_for(lambda: any(o.selected for o in app.state.view.options), what="score")
    driver.tap(app.screens["step_rate"].buttons["rate"])
    wait_for_continue_question(driver)  # asked at once, not after the idle time
    assert parts.outbox.stats().delivered >= 1

    # 5. 退出 on the question: the session is wiped and nothing personal is reachable.
    session = parts.lifecycle.session
    assert session is not None
    driver.tap(app.still_there.quit_button)
    driver.wait_for_screen("attract")
    assert parts.lifecycle.phase is Phase.ATTRACT and parts.lifecycle.session is None
    assert session.wiped
    assert resident.name in REDACTOR.redact(resident.name)  # nothing registered any more
    for screen in app.screens.values():
        for widget in screen.walk():
            assert resident.name not in str(getattr(widget, "text", ""))


def test_low_score_needs_a_reason(kiosk: RunningKiosk) -> None:
    driver, app = kiosk.driver, kiosk.app
    kiosk.present_id_card("worker")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons["cancel"])  # 退出办理 passes by the rating
    driver.wait_for_screen("step_rate")
    rate = app.screens["step_rate"]
    driver.tap(find_button(rate, "非常不满意"))
    driver.wait_for(lambda: bool(app.screens["step_rate"].reason_buttons), what="reasons")
    driver.tap(app.screens["step_rate"].buttons["rate"])
    driver.wait_for(lambda: bool(app.screens["step_rate"].error.text), what="reason required")
    assert app.manager.current == "step_rate"
    rate = app.screens["step_rate"]
    first_reason = next(iter(rate.reason_buttons.values()))
    driver.tap(first_reason)
    driver.tap(rate.buttons["rate"])
    driver.wait_for_screen("home")


def test_logs_carry_no_personal_data(kiosk: RunningKiosk) -> None:
    """After journeys ran (the tests above), no log line names the resident or their numbers."""
    resident = by_key("worker")
    kiosk.driver.pump(5)
    text = "\n".join(p.read_text(encoding="utf-8") for p in kiosk.log_file.parent.glob("*.log*"))
    assert "resident_identified" in text  # the journeys were logged...
    for secret in (resident.name, resident.id_number, resident.phone, resident.address,
                   resident.qr_code):
        assert secret not in text  # ...without the resident's personal data
