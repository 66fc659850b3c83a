"""A technician moves the ID card reader to another port: picks it from what was discovered,
tests it (a card is read), saves, and the running kiosk's reader comes up on the new port
without an app restart."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.idcard import IdCardSimulator
from kiosk.boot.settings import load_settings
from tests.technician.ui.conftest import TechnicianKiosk

pytestmark = pytest.mark.slow


@pytest.fixture
def reader_on_new_port(tech: TechnicianKiosk) -> Iterator[Path]:
    """A (simulated) reader plugged into a new serial port, a card on it."""
    link = tech.root / "ports" / "ttyNEWREADER"
    simulator = IdCardSimulator(link).start()
    simulator.insert(next(iter(simulator.cards)))
    yield link
    tech.parts.hub.restart("idcard", "sim://idcard")
    simulator.stop()


def test_change_port_test_save_and_the_reader_comes_up(tech: TechnicianKiosk,
                                                       reader_on_new_port: Path) -> None:
    link = reader_on_new_port
    url = f"serial://{link}"
    tech.log_in()
    tech.tap("身份证阅读器")
    tech.wait(lambda: tech.screen.page == "device" and bool(tech.device.candidates),
              "connections discovered")
    tech.tap(str(link))
    assert tech.device.url == url
    tech.tap("115200")  # baud rate option
    assert tech.device.url == f"{url}?baud=115200"
    tech.tap("测试")
    tech.wait(lambda: tech.device.last_test is not None, "device test result", 60)
    assert "测试通过" in tech.screen.result_text.text, tech.screen.result_text.text
    assert "********" in tech.screen.result_text.text  # the card number only masked
    tech.tap("保存")
    tech.wait(lambda: "已保存" in tech.screen.message.text, "saved", 60)
    saved = tomllib.loads(tech.services.site_file.read_text(encoding="utf-8"))
    assert saved["devices"]["idcard"] == f"{url}?baud=115200"
    assert load_settings(site_file=tech.services.site_file, environ={}).devices.idcard == \
        f"{url}?baud=115200"
    assert tech.parts.hub.urls()["idcard"] == f"{url}?baud=115200"
    tech.wait(lambda: tech.parts.hub.usable("idcard"), "the reader up on the new port", 30)
    tech.wait(lambda: str(link) in tech.screen.status_texts["idcard"].text
              and "就绪" in tech.screen.status_texts["idcard"].text, "live status ready")
