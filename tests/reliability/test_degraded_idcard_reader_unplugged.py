"""ID card reader unplugged: no service is greyed (residents identify by social security card,
personal QR code or face), the hub reports it, everything works, and it comes back by itself."""

from kiosk.harness.reliability.journeys import Journey
from tests.reliability.degraded import check_device_fault


def test_idcard_reader_unplugged(simulated_kiosk) -> None:
    sim = simulated_kiosk.hub.simulator("idcard")
    check_device_fault(simulated_kiosk, "idcard", sim.unplug, sim.replug,
                       Journey("social-insurance-certificate", "worker", "print"))
