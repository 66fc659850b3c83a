"""`kiosk run` refuses to start with a clear message (exit 2) rather than a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, SDL_VIDEODRIVER="offscreen", **env)
    full.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, timeout=120, env=full)


def test_missing_font_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-font.ttf"
    proc = _run(["run", "--headless"], {"KIOSK_FONT_PATH": str(missing)})
    assert proc.returncode == 2
    assert str(missing) in proc.stderr and "Traceback" not in proc.stderr


def test_bad_site_file_is_named(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[devices]\nidcard = 42\n", encoding="utf-8")
    proc = _run(["run", "--headless", "--site", str(site)], {})
    assert proc.returncode == 2
    assert str(site) in proc.stderr and "devices.idcard" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_size_is_explained() -> None:
    proc = _run(["run", "--headless", "--size", "big"], {})
    assert proc.returncode == 2 and "WxH" in proc.stderr


def test_unknown_command_gets_usage() -> None:
    proc = _run(["fly"], {})
    assert proc.returncode == 2 and "usage" in proc.stderr and "Traceback" not in proc.stderr


def test_version() -> None:
    proc = _run(["--version"], {})
    assert proc.returncode == 0 and proc.stdout.startswith("kiosk ")
