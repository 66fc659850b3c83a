"""`kiosk bench startup`: process start to the first attract frame, against a bare Kivy window
started the same way in the same run (the floor). Prints both medians and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

#: A start that takes longer than this is reported as failed (the bench never hangs).
START_LIMIT_SECONDS = 120.0


def _time_to_first_frame(command: list[str], env: dict[str, str]) -> float:
    started = time.time()
    proc = subprocess.run(command, capture_output=True, text=True, env=env,
                          timeout=START_LIMIT_SECONDS)
    for line in proc.stdout.splitlines():
        if line.startswith("first-frame "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"{command[2:4]} printed no first frame (exit {proc.returncode}): "
                       f"{proc.stderr.strip()[-400:]}")


def main(argv: list[str]) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench startup")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median reported)")
    args = parser.parse_args(argv)
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1")
    env.pop("DISPLAY", None)
    with tempfile.TemporaryDirectory() as data:
        env["KIOSK__PATHS__DATA_DIR"] = data
        bare_cmd = [sys.executable, "-m", "kiosk.bench.bare_window"]
        kiosk_cmd = [sys.executable, "-m", "kiosk", "run", "--headless",
                     "--exit-after-first-frame", "--size", "1920x1080"]
        bare, kiosk = [], []
        for _ in range(args.runs):
            bare.append(_time_to_first_frame(bare_cmd, env))
            kiosk.append(_time_to_first_frame(kiosk_cmd, env))
    floor, value = statistics.median(bare), statistics.median(kiosk)
    print("startup: process start -> first frame (SDL offscreen, 1920x1080), "
          f"median of {args.runs}")
    print(f"  bare Kivy window (floor): {floor * 1000:8.0f} ms   runs: "
          + ", ".join(f"{t * 1000:.0f}" for t in bare))
    print(f"  kiosk attract screen:     {value * 1000:8.0f} ms   runs: "
          + ", ".join(f"{t * 1000:.0f}" for t in kiosk))
    print(f"  ratio kiosk / floor:      {value / floor:8.2f}x")
    return 0
