"""`kiosk doctor --json`: exit 0 on a healthy demo set-up, 1 when a needed device is missing,
with that check failing and saying why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk import REPO_ROOT


def _doctor(site: Path) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK")}
    proc = subprocess.run([sys.executable, "-m", "kiosk", "doctor", "--json", "--site", str(site)],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=180)
    return proc.returncode, json.loads(proc.stdout)


def test_healthy_demo_set_up_exits_0(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    code, report = _doctor(site)
    checks = {c["name"]: c for c in report["checks"]}
    assert code == 0, report
    assert report["ok"] is True
    for name in ("font", "data_dir", "log_dir", "platform", "outbox", "bundle", "updates",
                 "device.idcard", "device.smartcard", "device.camera", "device.scanner",
                 "device.receipt_printer", "device.document_printer"):
        assert checks[name]["ok"], checks[name]
    assert "ms" in checks["platform"]["detail"]


def test_device_on_a_missing_serial_port_exits_1_with_the_reason(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    missing = tmp_path / "ttyUSB9"
    site.write_text(f'[devices]\nidcard = "serial://{missing}"\nsmartcard = "none"\n'
                    f'camera = "none"\ndocument_printer = "none"\n'
                    f'[paths]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    code, report = _doctor(site)
    checks = {c["name"]: c for c in report["checks"]}
    assert code == 1
    assert report["ok"] is False
    idcard = checks["device.idcard"]
    assert idcard["ok"] is False and idcard["needed"] is True
    assert str(missing) in idcard["detail"] and "no_device" in idcard["detail"]
    assert checks["device.smartcard"]["needed"] is False
    assert checks["device.scanner"]["ok"] is True
