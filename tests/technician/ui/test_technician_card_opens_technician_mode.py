"""The technician card on the kiosk as `kiosk run` composes it: a (simulated) social security
card registered as a technician card, inserted at attract, opens technician mode logged in, up
to the device list; a resident's card at attract still starts the resident's session; and on
the PIN page a card that is not a technician card is refused with a message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.adapters.demo_cards import demo_social_security_card
from kiosk.core.session import Phase
from tests.technician.ui.conftest import TechnicianKiosk, start_technician_kiosk

pytestmark = pytest.mark.slow
TECHNICIAN_KEY, RESIDENT_KEY = "elder", "worker"


@pytest.fixture(scope="module")
def card_tech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TechnicianKiosk]:
    """The kiosk with its social security card reader simulated (a private pcscd)."""
    kiosk = start_technician_kiosk(tmp_path_factory.mktemp("technician-card"),
                                   {"KIOSK__DEVICES__SMARTCARD": "sim://smartcard"})
    kiosk.wait(lambda: kiosk.parts.hub.usable("smartcard"), "smartcard reader ready")
    pins = kiosk.services.pins
    assert pins is not None
    pins.add_card(demo_social_security_card(TECHNICIAN_KEY).card_number)
    yield kiosk
    kiosk.driver.close()
    kiosk.composed.close()


def _insert(tech: TechnicianKiosk, key: str) -> None:
    reader = tech.parts.hub.simulator("smartcard")
    assert reader is not None
    reader.insert(demo_social_security_card(key))


def _remove(tech: TechnicianKiosk) -> None:
    reader = tech.parts.hub.simulator("smartcard")
    assert reader is not None
    reader.remove()
    tech.driver.pump(3)


def test_technician_card_at_attract_opens_the_device_list(card_tech: TechnicianKiosk) -> None:
    tech = card_tech
    tech.leave()
    _insert(tech, TECHNICIAN_KEY)
    tech.wait(lambda: tech.driver.app.manager.current == "technician"
              and tech.screen.page == "home", "technician home by card")
    assert tech.state.authenticated
    assert tech.parts.lifecycle.phase is Phase.TECHNICIAN
    tech.wait(lambda: "就绪" in tech.screen.status_texts["smartcard"].text, "device list")
    _remove(tech)
    tech.tap("退出技术员模式")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract after leaving")
    assert not tech.state.authenticated


def test_residents_card_at_attract_starts_the_residents_session(
        card_tech: TechnicianKiosk) -> None:
    tech = card_tech
    tech.leave()
    _insert(tech, RESIDENT_KEY)
    tech.wait(lambda: bool(tech.parts.lifecycle.session
                           and tech.parts.lifecycle.session.resident_token),
              "resident identified")
    assert tech.parts.lifecycle.phase is Phase.ACTIVE
    assert tech.driver.app.manager.current != "technician"
    _remove(tech)
    tech.leave()


def test_other_card_on_the_pin_page_is_refused(card_tech: TechnicianKiosk) -> None:
    tech = card_tech
    tech.leave()
    tech.enter()
    _insert(tech, RESIDENT_KEY)
    tech.wait(lambda: "不是技术员卡" in tech.screen.message.text, "refused card message")
    assert tech.screen.page == "pin" and not tech.state.authenticated
    _remove(tech)
    _insert(tech, TECHNICIAN_KEY)
    tech.wait(lambda: tech.screen.page == "home", "home after the technician card")
    _remove(tech)
    tech.leave()
