"""Fault: a receipt printer that reports no status (or nothing at the port). The test cannot
prove the print, so the technician is asked; saving waits for the answer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.technician.ui.conftest import TechnicianKiosk

pytestmark = pytest.mark.slow


@pytest.fixture
def statusless_port(tech: TechnicianKiosk) -> Iterator[Path]:
    """A serial port that swallows bytes and never answers a status request."""
    master, slave = os.openpty()
    link = tech.root / "ports" / "ttyRECEIPT"
    link.symlink_to(os.ttyname(slave))
    yield link
    tech.parts.hub.restart("receipt_printer", "sim://receipt")
    link.unlink()
    os.close(master)
    os.close(slave)


def test_statusless_printer_needs_the_technicians_word(tech: TechnicianKiosk,
                                                       statusless_port: Path) -> None:
    tech.log_in()
    tech.tap("凭条打印机")
    tech.wait(lambda: tech.screen.page == "device" and bool(tech.device.candidates),
              "connections discovered")
    tech.tap(str(statusless_port))
    tech.tap("58")  # paper width
    tech.tap("测试")
    tech.wait(lambda: tech.device.last_test is not None, "device test result", 60)
    assert "测试失败" in tech.screen.result_text.text
    tech.tap("保存")
    assert "不能保存：测试未通过" in tech.screen.message.text
    tech.tap("是，已打印")
    assert "测试通过" in tech.screen.result_text.text
    tech.tap("保存")
    tech.wait(lambda: "已保存" in tech.screen.message.text, "saved", 60)
    saved = tech.services.site_file.read_text(encoding="utf-8")
    assert f'receipt_printer = "escpos+serial://{statusless_port}"' in saved
    assert "receipt_paper_width_mm = 58" in saved
    assert tech.parts.hub.urls()["receipt_printer"] == f"escpos+serial://{statusless_port}"
