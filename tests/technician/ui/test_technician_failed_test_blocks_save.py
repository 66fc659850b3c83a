"""Fault: the technician picks a port where nothing answers. Saving is refused before a test,
the test fails with the reason on screen, saving stays refused with that reason, and neither
the site file nor the running device changes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.technician.ui.conftest import TechnicianKiosk

pytestmark = pytest.mark.slow


@pytest.fixture
def silent_port(tech: TechnicianKiosk) -> Iterator[Path]:
    """A serial port with nothing answering behind it."""
    master, slave = os.openpty()
    link = tech.root / "ports" / "ttySILENT"
    link.symlink_to(os.ttyname(slave))
    yield link
    link.unlink()
    os.close(master)
    os.close(slave)


def test_failed_test_blocks_saving_with_the_reason(tech: TechnicianKiosk,
                                                   silent_port: Path) -> None:
    site_before = tech.services.site_file.read_bytes() if tech.services.site_file.exists() \
        else None
    url_before = tech.parts.hub.urls()["idcard"]
    tech.log_in()
    tech.tap("身份证阅读器")
    tech.wait(lambda: tech.screen.page == "device" and bool(tech.device.candidates),
              "connections discovered")
    tech.tap(str(silent_port))
    tech.tap("保存")
    assert "请先测试" in tech.screen.message.text
    tech.tap("测试")
    tech.wait(lambda: tech.device.last_test is not None, "device test result", 60)
    assert "测试失败" in tech.screen.result_text.text
    assert "not answering" in tech.screen.result_text.text
    tech.tap("保存")
    tech.driver.pump(3)
    assert "不能保存：测试未通过" in tech.screen.message.text
    assert "not answering" in tech.screen.message.text
    assert (tech.services.site_file.read_bytes() if tech.services.site_file.exists()
            else None) == site_before
    assert tech.parts.hub.urls()["idcard"] == url_before
    # changing a parameter after a test asks for a new test
    tech.tap("9600")
    tech.tap("保存")
    assert "请先测试" in tech.screen.message.text
