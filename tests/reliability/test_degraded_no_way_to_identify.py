"""Every identification device down (ID card reader, social security card reader, scanner):
services that need to know the resident are greyed with the reason; the others stay open; all
comes back by itself."""

from __future__ import annotations

from kiosk.core.controller import ALL_CATEGORY
from tests.reliability.conftest import wait_until
from tests.reliability.degraded import shown_greyed

IDENTIFY_DEVICES = ("idcard", "smartcard", "scanner")


def test_no_way_to_identify_greys_identity_services(simulated_kiosk) -> None:
    parts = simulated_kiosk
    # the fixture runs without a smart card reader (devices.smartcard = none)
    assert not parts.hub.usable("smartcard")
    sims = {d: parts.hub.simulator(d) for d in ("idcard", "scanner")}
    parts.controller.tap_attract()  # an anonymous session: nobody identified yet
    parts.controller.set_category(ALL_CATEGORY)  # every item listed, not only 常用
    sims["idcard"].unplug()
    sims["scanner"].unplug()
    wait_until(lambda: not any(parts.hub.usable(d) for d in IDENTIFY_DEVICES),
               what="no identification device")
    parts.controller.refresh_availability()
    # home lists the 个人办事 items (法人办事 ones under the other first choice)
    needs_identity = {e.service_id for e in parts.catalogue.entries()
                      if e.needs_identity and e.audience == "person"}
    wait_until(lambda: set(shown_greyed(parts)) >= needs_identity, what="identity tiles greyed")
    greyed = shown_greyed(parts)
    assert all("身份核验设备" in greyed[s] for s in needs_identity)
    open_ones = [e for e in parts.controller.state.services if e.available]
    assert open_ones and all(not e.needs_identity for e in open_ones)
    sims["idcard"].replug()
    wait_until(lambda: parts.hub.usable("idcard"), what="reader back")
    parts.controller.refresh_availability()
    wait_until(lambda: not (set(shown_greyed(parts)) & needs_identity), what="tiles back")
