"""The technician's tools on the screen: diagnostics export to a chosen folder, the touch-test
grid, the volume, and the live device list."""

from __future__ import annotations

import zipfile

import pytest

from tests.technician.ui.conftest import TechnicianKiosk


@pytest.mark.slow
def test_export_touch_grid_and_volume(tech: TechnicianKiosk) -> None:
    tech.log_in()
    tech.wait(lambda: "platform" in tech.screen.facts_text.text, "terminal facts")
    assert "ms" in tech.screen.facts_text.text  # the platform's latency
    assert "ready" in tech.screen.status_texts["idcard"].text
    before = tech.services.volume()
    tech.tap("音量 +")
    assert tech.services.volume() == min(100, before + 10)
    assert f"{tech.services.volume()}%" in tech.screen.volume_text.text
    tech.tap("触摸测试")
    cells = tech.screen.cells
    for cell in (cells[0], cells[-1]):
        tech.driver.tap(cell)
    assert tech.screen.touched == {0, len(cells) - 1}
    tech.tap("返回")
    tech.tap("导出诊断")
    target = tech.services.data_dir / "exports"
    tech.tap(str(target))
    tech.wait(lambda: "已导出" in tech.screen.message.text, "export done", 60)
    bundles = list(target.glob("kiosk-diagnostics-*.zip"))
    assert len(bundles) == 1
    with zipfile.ZipFile(bundles[0]) as bundle:
        assert "devices.json" in bundle.namelist()
        assert "ready" in bundle.read("devices.json").decode("utf-8")


def test_technician_card_opens_and_another_card_does_not(tech: TechnicianKiosk) -> None:
    tech.services.pins.add_card("D15600012")  # type: ignore[union-attr]
    tech.enter()
    assert not tech.screen.card_presented("D99999999")
    assert "不是技术员卡" in tech.screen.message.text
    assert tech.screen.page == "pin"
    assert tech.screen.card_presented("D15600012")
    tech.wait(lambda: tech.screen.page == "home", "home after the technician card")
