"""Saving from technician mode: atomic write, timestamped backup, validation before replace."""

from __future__ import annotations

from pathlib import Path

from kiosk.boot.settings import load_settings
from kiosk.technician.sitefile import backup_dir, update_site_file

ORIGINAL = '''# hand-written site file
terminal_id = "SITE-0042"
site_name = "测试街道便民服务中心"

[devices]
idcard = "sim://idcard"
'''


def test_change_is_written_atomically_with_a_backup(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(ORIGINAL, encoding="utf-8")
    result = update_site_file(site, {"devices.idcard": "serial:///dev/ttyUSB0?baud=115200",
                                     "hardware.receipt_paper_width_mm": 58},
                              now=lambda: 1_800_000_000.25)
    assert result.ok, result.reason
    settings = load_settings(site_file=site, environ={})
    assert settings.devices.idcard == "serial:///dev/ttyUSB0?baud=115200"
    assert settings.hardware.receipt_paper_width_mm == 58
    assert settings.terminal_id == "SITE-0042"
    assert settings.site_name == "测试街道便民服务中心"
    assert result.backup is not None and result.backup.parent == backup_dir(site)
    assert result.backup.read_text(encoding="utf-8") == ORIGINAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backups", "site.toml"]  # no temp left


def test_bad_value_is_refused_naming_the_key_and_the_old_file_stays(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(ORIGINAL, encoding="utf-8")
    before = site.stat().st_mtime_ns
    result = update_site_file(site, {"devices.camera": "usb-camera-0"})
    assert not result.ok
    assert "devices.camera" in result.reason and str(site) in result.reason
    assert "usb-camera-0" in result.reason
    assert site.read_text(encoding="utf-8") == ORIGINAL
    assert site.stat().st_mtime_ns == before
    assert not backup_dir(site).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.toml"]


def test_unknown_key_and_profile_rules_are_refused(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    result = update_site_file(site, {"hardware.paper": 80})
    assert not result.ok and "hardware.paper" in result.reason
    site.write_text('profile = "site"\n[platform]\nbase_url = "https://gov.example"\n'
                    '[devices]\nidcard = "none"\nsmartcard = "none"\ncamera = "none"\n'
                    'scanner = "none"\nreceipt_printer = "none"\ndocument_printer = "none"\n',
                    encoding="utf-8")
    refused = update_site_file(site, {"devices.idcard": "sim://idcard"})
    assert not refused.ok and "devices.idcard" in refused.reason
    assert "simulators are refused" in refused.reason


def test_first_save_creates_the_file_without_a_backup(tmp_path: Path) -> None:
    site = tmp_path / "config" / "site.toml"
    result = update_site_file(site, {"terminal_id": "NEW-1"})
    assert result.ok and result.backup is None
    assert load_settings(site_file=site, environ={}).terminal_id == "NEW-1"
