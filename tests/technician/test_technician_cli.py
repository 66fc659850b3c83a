"""`kiosk technician set-pin / add-card / status` provision a terminal without a screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk import REPO_ROOT
from kiosk.technician.pin import pin_store_for


def _run(site: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK")}
    return subprocess.run([sys.executable, "-m", "kiosk", "technician", "--site", str(site),
                           *args], input=stdin, cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_set_pin_add_card_and_status(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    assert "no technician PIN" in _run(site, "status").stdout
    assert _run(site, "set-pin", "--pin-stdin", stdin="12\n").returncode == 1
    done = _run(site, "set-pin", "--pin-stdin", stdin="86420975\n")
    assert done.returncode == 0, done.stderr
    assert _run(site, "add-card", "D15600012").returncode == 0
    assert "3 attempts" in _run(site, "status").stdout
    store = pin_store_for(tmp_path / "data")
    assert store.check("86420975").ok
    assert store.card_matches("D15600012")
    assert b"86420975" not in store.path.read_bytes()
