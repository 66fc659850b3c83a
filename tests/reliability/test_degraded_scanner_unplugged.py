"""Scanner unplugged: no service requires it (QR identification is one method of several), so
nothing is greyed; services keep working; replugging is noticed by itself."""

from kiosk.harness.reliability.journeys import Journey
from tests.reliability.degraded import check_device_fault


def test_scanner_unplugged(simulated_kiosk) -> None:
    sim = simulated_kiosk.hub.simulator("scanner")
    check_device_fault(simulated_kiosk, "scanner", sim.unplug, sim.replug,
                       Journey("social-insurance-certificate", "worker", "print"))
