"""Nothing usable: on a terminal offering only printing services, both printers failing put the
kiosk out of service (with the reason), and it returns to attract by itself when paper is back."""

from pathlib import Path

import pytest

from kiosk.core.session import Phase
from tests.reliability.conftest import reliability_catalogue, start_simulated_kiosk, wait_until


@pytest.mark.slow
def test_out_of_service_and_back(tmp_path: Path) -> None:
    catalogue = reliability_catalogue(tmp_path / "catalogue", "social-insurance-certificate")
    parts = start_simulated_kiosk(tmp_path, catalogue)
    try:
        parts.controller.finish()  # the resident leaves; the terminal waits at attract
        assert parts.lifecycle.phase is Phase.ATTRACT
        a4, receipt = (parts.hub.simulator("document_printer"),
                       parts.hub.simulator("receipt_printer"))
        a4.empty_tray()
        wait_until(lambda: not parts.hub.usable("document_printer"), what="A4 out")
        assert parts.lifecycle.phase is Phase.ATTRACT  # the generic application still works
        receipt.set_paper("out")
        wait_until(lambda: parts.lifecycle.phase is Phase.OUT_OF_SERVICE, what="out of service")
        state = parts.controller.state
        assert state.screen == "out_of_service"
        assert "A4打印机" in state.out_of_service_reason
        assert "凭条打印机" in state.out_of_service_reason
        parts.controller.tap_attract()  # a touch does not start a session
        assert parts.lifecycle.session is None
        receipt.set_paper("ok")
        wait_until(lambda: parts.lifecycle.phase is Phase.ATTRACT, what="back in service")
        assert parts.controller.state.screen == "attract"
        a4.load_paper()
        wait_until(lambda: parts.hub.usable("document_printer"), what="A4 back")
        parts.controller.tap_attract()
        assert {e.service_id for e in parts.controller.state.services if e.available} == {
            "generic-application", "social-insurance-certificate"}
    finally:
        parts.close()
