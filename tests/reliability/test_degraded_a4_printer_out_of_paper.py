"""A4 printer out of paper: only the certificate services are greyed (A4打印机暂不可用); a
receipt service still runs; loading paper brings them back by itself."""

import pytest

from kiosk.harness.reliability.journeys import Journey
from tests.reliability.degraded import check_device_fault


@pytest.mark.slow
def test_a4_printer_out_of_paper(simulated_kiosk) -> None:
    sim = simulated_kiosk.hub.simulator("document_printer")
    check_device_fault(simulated_kiosk, "document_printer", sim.empty_tray, sim.load_paper,
                       Journey("appointment", "spouse_of_owner", "submit"))
