"""Receipt printer out of paper: only the services that end with a receipt are greyed
(凭条打印机暂不可用); certificates still print; new paper restores them by itself."""

import pytest

from kiosk.harness.reliability.journeys import Journey
from tests.reliability.degraded import check_device_fault


@pytest.mark.slow
def test_receipt_printer_out_of_paper(simulated_kiosk) -> None:
    sim = simulated_kiosk.hub.simulator("receipt_printer")
    check_device_fault(simulated_kiosk, "receipt_printer", lambda: sim.set_paper("out"),
                       lambda: sim.set_paper("ok"),
                       Journey("social-insurance-certificate", "worker", "print"))
