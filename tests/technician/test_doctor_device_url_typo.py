"""A device URL with a typo (`seriall://`) is refused by validation, naming the file and the
key; URLs that validate but cannot be opened are FAIL lines. `kiosk doctor` prints no
traceback in either case (the drivers' own error logs go to the log file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from kiosk.boot.settings import ConfigError, load_settings


def _doctor(site: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK")}
    return subprocess.run([sys.executable, "-m", "kiosk", "doctor", "--site", str(site)],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=180)


def _site(tmp_path: Path, devices: dict[str, str]) -> Path:
    site = tmp_path / "site.toml"
    all_none = {name: "none" for name in ("idcard", "smartcard", "camera", "scanner",
                                          "receipt_printer", "document_printer")}
    lines = [f'[paths]\ndata_dir = "{tmp_path / "data"}"\n[devices]']
    lines += [f'{name} = "{url}"' for name, url in {**all_none, **devices}.items()]
    site.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return site


@pytest.mark.parametrize(("device", "url"), [
    ("idcard", "seriall:///dev/ttyUSB0"),
    ("receipt_printer", "escpos+seriall:///dev/ttyUSB0"),
    ("document_printer", "ip://127.0.0.1/printers/A4"),
    ("smartcard", "pcsc:/reader"),
])
def test_a_scheme_typo_fails_validation_naming_file_and_key(tmp_path: Path, device: str,
                                                            url: str) -> None:
    site = _site(tmp_path, {device: url})
    with pytest.raises(ConfigError) as caught:
        load_settings(site_file=site, environ={})
    message = str(caught.value)
    assert str(site) in message and f"devices.{device}" in message and url in message


def test_doctor_with_the_typo_says_so_and_exits_2_without_a_traceback(tmp_path: Path) -> None:
    done = _doctor(_site(tmp_path, {"idcard": "seriall:///dev/ttyUSB0"}))
    assert done.returncode == 2
    assert "devices.idcard" in done.stderr and "seriall" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_doctor_with_urls_that_cannot_open_fails_them_without_a_traceback(
        tmp_path: Path) -> None:
    done = _doctor(_site(tmp_path, {"idcard": "socket://127.0.0.1:9",
                                    "smartcard": "pcsc://(unclosed",
                                    "receipt_printer": "escpos+usb://nothex",
                                    "scanner": "evdev:///etc/passwd"}))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    for device in ("idcard", "smartcard", "receipt_printer", "scanner"):
        line = next(ln for ln in done.stdout.splitlines() if f"device.{device} " in ln)
        assert line.startswith("FAIL"), line
