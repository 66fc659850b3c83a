"""`kiosk bench startup`: process start to the first attract frame, against a bare Kivy window
started the same way in the same run (the floor). Prints both medians and the ratio.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kiosk.boot.first_frame import FIRST_FRAME_FILE_ENV

#: A start that takes longer than this is reported as failed (the bench never hangs).
START_LIMIT_SECONDS = 120.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_to_first_frame(command: list[str], env: dict[str, str], report: Path,
                         cpu: list[float] | None = None,
                         cpu_to_frame: list[float] | None = None) -> float:
    """Start ``command``; the first frame's time comes back in ``report`` (the launcher's
    KIOSK_FIRST_FRAME_FILE), so the kiosk prints nothing extra on its console. The process's
    CPU seconds in all (it exits right after the first frame) are appended to ``cpu``, and
    those it had spent when the first frame was drawn to ``cpu_to_frame``: on a shared,
    loaded machine they vary far less than the wall-clock time."""
    report.unlink(missing_ok=True)
    cpu_before = _children_cpu()
    started = time.time()
    proc = subprocess.run(command, capture_output=True, text=True,
                          env={**env, FIRST_FRAME_FILE_ENV: str(report)},
                          timeout=START_LIMIT_SECONDS)
    if cpu is not None:
        cpu.append(_children_cpu() - cpu_before)
    try:
        fields = report.read_text(encoding="utf-8").split()
        if cpu_to_frame is not None and len(fields) > 1:
            cpu_to_frame.append(float(fields[1]))
        return float(fields[0]) - started
    except (OSError, ValueError, IndexError):
        pass
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
        bare_cmd = [sys.executable, "-m", "kiosk.harness.bench.bare_window"]
        kiosk_cmd = [sys.executable, "-m", "kiosk", "run", "--headless",
                     "--exit-after-first-frame", "--size", "1920x1080"]
        bare: list[float] = []
        kiosk: list[float] = []
        bare_cpu: list[float] = []
        kiosk_cpu: list[float] = []
        bare_frame_cpu: list[float] = []
        kiosk_frame_cpu: list[float] = []
        for _ in range(args.runs):
            report = Path(data) / "first-frame.txt"
            bare.append(_time_to_first_frame(bare_cmd, env, report, bare_cpu, bare_frame_cpu))
            kiosk.append(_time_to_first_frame(kiosk_cmd, env, report, kiosk_cpu,
                                              kiosk_frame_cpu))
    floor, value = statistics.median(bare), statistics.median(kiosk)
    print("startup: process start -> first frame (SDL offscreen, 1920x1080), "
          f"median of {args.runs}")
    print(f"  bare Kivy window (floor): {floor * 1000:8.0f} ms   runs: "
          + ", ".join(f"{t * 1000:.0f}" for t in bare))
    print(f"  kiosk attract screen:     {value * 1000:8.0f} ms   runs: "
          + ", ".join(f"{t * 1000:.0f}" for t in kiosk))
    print(f"  ratio kiosk / floor:      {value / floor:8.2f}x")
    cpu_floor, cpu_value = statistics.median(bare_cpu), statistics.median(kiosk_cpu)
    print(f"  CPU to first frame and exit: floor {cpu_floor * 1000:.0f} ms, kiosk "
          f"{cpu_value * 1000:.0f} ms, ratio {cpu_value / cpu_floor:.2f}x "
          "(steadier than wall time on a loaded machine)")
    if bare_frame_cpu and kiosk_frame_cpu:
        floor_frame = statistics.median(bare_frame_cpu)
        kiosk_frame = statistics.median(kiosk_frame_cpu)
        print(f"  CPU to the first frame drawn: floor {floor_frame * 1000:.0f} ms, kiosk "
              f"{kiosk_frame * 1000:.0f} ms, ratio {kiosk_frame / floor_frame:.2f}x "
              "(what the first frame waited for; the exit's work left out)")
    return 0
