"""`kiosk run` printed a stray ``first-frame <time>`` line meant for the start-up benchmark.
Its console now says only what a person needs (where the demo platform and its prints are);
the benchmark gets the first frame's time through KIOSK_FIRST_FRAME_FILE."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.boot.first_frame import FIRST_FRAME_FILE_ENV

ROOT = Path(__file__).resolve().parent.parent


def _run(tmp: Path, extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SDL_VIDEODRIVER": "offscreen",
           "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1",
           "KIVY_HOME": str(tmp / "kivy-home"), "KIOSK__PATHS__DATA_DIR": str(tmp / "data"),
           "KIOSK__PLATFORM__DEMO_PORT": "0", **extra}
    env.pop("DISPLAY", None)
    (tmp / "kivy-home").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "kiosk", "run", "--headless",
                           "--exit-after-first-frame", "--size", "800x600"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_run_console_has_no_first_frame_line_and_the_bench_still_gets_it(
        tmp_path: Path) -> None:
    started = time.time()
    report = tmp_path / "first-frame.txt"
    proc = _run(tmp_path, {FIRST_FRAME_FILE_ENV: str(report)})
    assert proc.returncode == 0, proc.stderr[-800:]
    assert "first-frame" not in proc.stdout + proc.stderr
    assert "demo platform (embedded sandbox) at https://127.0.0.1:" in proc.stdout
    assert f"demo A4 prints are kept in {(tmp_path / 'data' / 'prints').resolve()}" \
        in proc.stdout
    frame = float(report.read_text(encoding="utf-8").split()[0])  # then its CPU seconds
    assert started < frame < time.time()
