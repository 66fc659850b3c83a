"""A4 printer offline (the printer stops answering): only the certificate services are greyed;
a query with a receipt still runs; the printer coming back online restores them by itself."""

import pytest

from kiosk.harness.reliability.journeys import Journey
from tests.reliability.degraded import check_device_fault


@pytest.mark.slow
def test_a4_printer_offline(simulated_kiosk) -> None:
    sim = simulated_kiosk.hub.simulator("document_printer")
    check_device_fault(simulated_kiosk, "document_printer", sim.go_offline, sim.go_online,
                       Journey("medical-insurance-account", "mother", "query"))
