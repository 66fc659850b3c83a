"""The technician's tools on the screen: diagnostics export to a chosen folder, the touch-test
grid, the volume, and the live device list."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.technician.ui.conftest import TechnicianKiosk


@pytest.mark.slow
def test_export_touch_grid_and_volume(tech: TechnicianKiosk) -> None:
    tech.log_in()
    tech.wait(lambda: "政务平台" in tech.screen.facts_text.text, "terminal facts")
    assert "毫秒" in tech.screen.facts_text.text  # the platform's latency
    assert "就绪" in tech.screen.status_texts["idcard"].text
    before = tech.services.volume()
    tech.tap("音量 +")
    assert tech.services.volume() == min(100, before + 10)
    assert f"{tech.services.volume()}%" in tech.screen.volume_text.text
    tech.tap("触摸测试")
    cells = tech.screen.cells
    for cell in (cells[0], cells[-1]):
        tech.driver.tap(cell)
    assert tech.state.touched == {0, len(cells) - 1}
    assert "2 / 32" in tech.screen.touch_text.text
    tech.tap("返回")
    tech.tap("导出诊断")
    target = tech.services.data_dir / "exports"
    tech.tap(str(target))
    tech.wait(lambda: "已导出" in tech.screen.message.text, "export done", 60)
    bundles = list(target.glob("kiosk-diagnostics-*.zip"))
    assert len(bundles) == 1
    with zipfile.ZipFile(bundles[0]) as bundle:
        assert "devices.json" in bundle.namelist()
        devices = json.loads(bundle.read("devices.json"))
        assert "ready" in json.dumps(devices)
        assert "idcard" in json.dumps(devices)  # the ID-card reader is not "personal data"
