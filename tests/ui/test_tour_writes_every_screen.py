"""`kiosk tour --out DIR` (its own process, SDL offscreen) writes every screenshot its index
names, each a full 1920x1080 picture with content (not a black frame)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from kiosk import REPO_ROOT

pytestmark = pytest.mark.slow

MUST_SHOW = ("attract", "print-paper-out", "reprint-list", "reprint-done", "face-capture",
             "en-home", "elderly-home", "technician-pin", "technician-home",
             "technician-device", "video-button", "video-consent", "video-waiting", "video-call",
             "video-rating", "video-unavailable")


@pytest.mark.timeout(600)
def test_tour_writes_every_screen(tmp_path: Path) -> None:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_HOME=str(tmp_path / "kivy"), KIOSK__PATHS__DATA_DIR=str(tmp_path / "data"))
    out = tmp_path / "tour"
    done = subprocess.run([sys.executable, "-m", "kiosk", "tour", "--out", str(out)],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=540)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split("\t") for line in (out / "index.txt").read_text().splitlines()[1:]]
    names = [row[0] for row in rows]
    for wanted in MUST_SHOW:
        assert any(name.endswith(f"-{wanted}.png") for name in names), wanted
    for name in names:
        with Image.open(out / name) as picture:
            if name != "printed-certificate.png":
                assert picture.size == (1920, 1080), name
            assert max(ImageStat.Stat(picture.convert("L")).stddev) > 10, f"{name} is blank"
