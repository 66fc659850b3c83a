"""Technician mode on a terminal in the site profile (no simulators allowed, a real platform
URL, the window locked): the kiosk as `kiosk run` composes it, its only device an ID card reader
on a serial port; the 4-second corner hold on the attract screen opens the PIN page and the PIN
leads to the device list. (The hold on the out-of-service screen: tests/technician/
test_technician_controller.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kivy.tests.common import UnitTestTouch

from drivers.idcard import IdCardSimulator
from kiosk.core.session import Phase
from kiosk.platform.connect import start_embedded_sandbox
from tests.technician.ui.conftest import PIN, TechnicianKiosk, start_technician_kiosk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site_tech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TechnicianKiosk]:
    """A site-profile kiosk: the platform elsewhere (a sandbox server), a serial reader."""
    root = tmp_path_factory.mktemp("technician-site")
    platform, terminal = start_embedded_sandbox(root / "platform.sqlite3", root, "SITE-TECH-01")
    link = Path(root / "ttyREADER")
    reader = IdCardSimulator(link).start()
    env = {"KIOSK__PROFILE": "site", "KIOSK__PLATFORM__BASE_URL": platform.url,
           "KIOSK__TERMINAL_ID": "SITE-TECH-01",  # mutual TLS with its own certificate
           "KIOSK__PLATFORM__CA_FILE": str(terminal.ca_file),
           "KIOSK__PLATFORM__CERT_FILE": str(terminal.cert_file),
           "KIOSK__PLATFORM__KEY_FILE": str(terminal.key_file),
           "KIOSK__DEVICES__IDCARD": f"serial://{link}",
           **{f"KIOSK__DEVICES__{name}": "none" for name in
              ("SMARTCARD", "CAMERA", "DOCUMENT_PRINTER", "RECEIPT_PRINTER", "SCANNER")}}
    kiosk = start_technician_kiosk(root, env)
    yield kiosk
    kiosk.driver.close()
    kiosk.composed.close()
    reader.stop()
    platform.stop()


def test_site_profile_corner_hold_reaches_the_device_list(
        site_tech: TechnicianKiosk) -> None:
    tech = site_tech
    assert tech.parts.settings.profile == "site"
    assert tech.parts.sandbox is None  # the platform is not embedded
    tech.wait(lambda: tech.parts.hub.usable("idcard"), "the serial reader ready")
    tech.wait(lambda: tech.driver.app.manager.current == "attract", "attract")
    touch = UnitTestTouch(8, 8)
    touch.touch_down()
    tech.driver.pump(3)
    tech.clock.offset += tech.technician.hold_seconds
    tech.wait(lambda: tech.parts.lifecycle.phase is Phase.TECHNICIAN, "the 4 s hold")
    touch.touch_up()
    tech.wait(lambda: tech.driver.app.manager.current == "technician"
              and tech.screen.page == "pin", "PIN page")
    assert tech.state.demo_pin == ""  # a site terminal never shows a PIN
    tech.type_pin(PIN)
    tech.wait(lambda: tech.screen.page == "home", "technician home")
    tech.wait(lambda: "就绪" in tech.screen.status_texts["idcard"].text, "device list")
    assert "serial://" in tech.screen.status_texts["idcard"].text
    tech.tap("退出技术员模式")
    tech.wait(lambda: tech.parts.lifecycle.phase in (Phase.ATTRACT, Phase.OUT_OF_SERVICE),
              "back between sessions")
