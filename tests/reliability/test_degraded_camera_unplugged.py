"""Camera unplugged: no service requires it (capture is optional where used), so nothing is
greyed; services keep working; replugging is noticed by itself."""

from kiosk.harness.reliability.journeys import Journey
from tests.reliability.degraded import check_device_fault


def test_camera_unplugged(simulated_kiosk) -> None:
    sim = simulated_kiosk.hub.simulator("camera")
    check_device_fault(simulated_kiosk, "camera", sim.unplug, sim.replug,
                       Journey("appointment", "spouse_of_owner", "submit"))
