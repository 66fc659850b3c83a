"""`kiosk bench memory [--sessions N]`: the UI process's resident memory at attract and after N
sessions, against a bare Kivy window showing the same font (the floor), measured in the same run.

Each side is its own fresh process (SDL offscreen, 1920x1080):
- floor: a Kivy window with one label in the bundled CJK font, a few frames drawn, then a full
  collection and ``malloc_trim`` (what the kiosk does at attract) and its RSS;
- kiosk: the process `kiosk run` builds (kiosk.boot.launcher.compose: window, composition,
  devices after the first frame), the sandbox platform in its own process as on site; RSS at
  attract once the first frame is drawn, devices are up, the search's pinyin keys are in and
  the idle-time collection has run; then N sessions through the real UI by touches
  (kiosk.harness.ui_journeys.query_and_print: ID card, 社保缴费记录查询, A4 print, rating, 退出),
  with RSS after each quarter, each read at attract after the idle-time collection.

Growth is extrapolated linearly to 1,000 sessions. Goals (issue 21): attract <= 1.5x the floor;
flat after 1,000 sessions. Modules that matter for memory are listed as loaded or not.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ATTRACT_GOAL_RATIO = 1.5
#: Libraries whose presence in the UI process is worth knowing (each costs tens of MB).
WATCHED_MODULES = ("pypinyin", "cv2", "numpy", "reportlab", "pydantic", "requests")
#: A child gets this long in all (sessions take ~1-3 s each on a loaded machine).
CHILD_LIMIT_SECONDS = 7200.0


def rss_kb() -> int:
    """This process's resident set size in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _settled_rss() -> int:
    """RSS after a full collection and giving freed heap back (as the kiosk does at attract)."""
    from kiosk.ops.collector import collect_in_idle, release_free_memory

    collect_in_idle()
    release_free_memory(wait=True)  # what the kiosk's idle collection does (ADR 0817)
    return rss_kb()


def _env() -> dict[str, str]:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1")
    env.pop("DISPLAY", None)
    env.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    return env


def bare_child() -> dict[str, Any]:
    """The floor: a bare window with one label in the bundled font, settled."""
    from kiosk.boot.resources import FONT_PATH
    from kiosk.ui.window import prepare, register_font

    prepare(1920, 1080)
    register_font(FONT_PATH)
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.uix.label import Label

    label = Label(text="请刷身份证或点击屏幕开始", font_size=48)
    Window.add_widget(label)
    EventLoop.ensure_window()
    for _ in range(10):
        EventLoop.idle()
    return {"attract_kb": _settled_rss(), "modules": _modules()}


def _modules() -> dict[str, bool]:
    return {name: name in sys.modules for name in WATCHED_MODULES}


def _search_ready() -> bool:
    """The search index (and its pinyin) is built: its start-up thread has ended."""
    import threading

    return not any(t.name == "kiosk-search-index" for t in threading.enumerate())


def kiosk_child(sessions: int, warmup: int, points: int = 4) -> dict[str, Any]:
    """The kiosk's UI process: RSS at attract, then after each of ``points`` equal parts of
    ``sessions`` (quarters by default)."""
    from flows.ports import DeviceName
    from kiosk.boot.launcher import compose
    from kiosk.harness.bench.soak import JOURNEY_DEVICES, PlatformProcess, _settings
    from kiosk.harness.ui_driver import UiDriver
    from kiosk.harness.ui_journeys import query_and_print

    root = Path(tempfile.mkdtemp(prefix="kiosk-bench-memory-"))
    platform = PlatformProcess(root, separate=True)
    settings = _settings(root / "data", keep_devices=(DeviceName.IDCARD,), base_url=platform.url)
    kiosk = compose(settings, 1920, 1080)
    driver = UiDriver(kiosk.app)
    parts = kiosk.parts
    try:
        driver.wait_for(kiosk.started.is_set, 120, "first frame and devices started")
        driver.wait_for(lambda: all(parts.hub.usable(n) for n in JOURNEY_DEVICES), 120,
                        "devices ready")
        driver.wait_for(_search_ready, 300, "search index built")

        def at_attract() -> int:
            driver.wait_for_screen("attract", 120)
            driver.pump(5)
            return _settled_rss()

        attract = at_attract()
        modules_at_attract = _modules()
        failures = 0

        def one() -> None:
            nonlocal failures
            try:
                query_and_print(driver, parts.hub)
            except AssertionError:
                failures += 1
                parts.controller.finish()

        for _ in range(warmup):
            one()
        after_warmup = at_attract()
        samples = [after_warmup]
        marks = {sessions * q // points for q in range(1, points + 1)}
        started = time.perf_counter()
        for i in range(sessions):
            one()
            if i + 1 in marks:
                samples.append(at_attract())
                receipt = parts.hub.simulator("receipt_printer")
                if receipt is not None:
                    receipt.clear()  # the simulator's capture buffer is a test double
        seconds = time.perf_counter() - started
        return {"attract_kb": attract, "after_warmup_kb": after_warmup, "samples_kb": samples,
                "sessions": sessions, "warmup": warmup, "failures": failures, "points": points,
                "seconds": seconds, "modules": modules_at_attract,
                "modules_after": _modules()}
    finally:
        driver.close()
        kiosk.close()
        platform.stop()


def _run_child(args: list[str]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    try:
        done = subprocess.run([sys.executable, "-m", "kiosk.harness.bench.memory", "--child",
                               *args, "--out", str(path)], env=_env(), capture_output=True,
                              text=True, timeout=CHILD_LIMIT_SECONDS)
        if done.returncode != 0 or not path.stat().st_size:
            raise RuntimeError(f"{args[0]} side failed (exit {done.returncode}): "
                               f"{done.stderr.strip()[-600:]}")
        result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return result
    finally:
        path.unlink(missing_ok=True)


def _mb(kb: int) -> str:
    return f"{kb / 1024:7.1f} MB"


def report(bare: dict[str, Any], kiosk: dict[str, Any]) -> None:
    """Print the figures and the ratios."""
    floor, attract = bare["attract_kb"], kiosk["attract_kb"]
    ratio = attract / floor
    print("memory: RSS of the UI process (SDL offscreen, 1920x1080), after a full collection "
          "and malloc_trim")
    print(f"  bare Kivy window, same font (floor): {_mb(floor)}")
    print(f"  kiosk at attract:                    {_mb(attract)}   ratio {ratio:.2f}x "
          f"(goal <= {ATTRACT_GOAL_RATIO}x: {'met' if ratio <= ATTRACT_GOAL_RATIO else 'NOT met'})")
    loaded = [n for n, on in kiosk["modules"].items() if on]
    print(f"  libraries loaded at attract: {', '.join(loaded) or 'none of'} "
          f"(watched: {', '.join(WATCHED_MODULES)})")
    samples, n = kiosk["samples_kb"], kiosk["sessions"]
    if n:
        growth = samples[-1] - samples[0]
        per_k = growth / 1024 / n * 1000
        print(f"  after {kiosk['warmup']} warm-up sessions: {_mb(kiosk['after_warmup_kb'])}; "
              f"{n} sessions in {kiosk['seconds']:.0f} s, {kiosk['failures']} failed")
        points = int(kiosk.get("points", 4))
        label = "by quarter" if points == 4 else f"at attract every {n // max(1, points)} sessions"
        print(f"  RSS {label}: " + " -> ".join(f"{s / 1024:.1f}" for s in samples)
              + f" MB; growth {growth / 1024:+.1f} MB -> {per_k:+.1f} MB per 1,000 sessions "
              "(extrapolated)")
        half = samples[-1] - samples[len(samples) // 2]
        print(f"  second half: {half / 1024:+.1f} MB -> {half / 1024 / (n / 2) * 1000:+.1f} MB "
              "per 1,000 sessions (extrapolated)")
        print(f"  after the sessions: {_mb(samples[-1])}   ratio "
              f"{samples[-1] / floor:.2f}x the floor")
        late = [m for m, on in kiosk["modules_after"].items() if on and not kiosk["modules"][m]]
        if late:
            print(f"  loaded during the sessions: {', '.join(late)}")


def main(argv: list[str]) -> int:
    """Entry point of `kiosk bench memory` (and of its two child processes)."""
    parser = argparse.ArgumentParser(prog="kiosk bench memory",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=200, help="UI sessions measured")
    parser.add_argument("--warmup", type=int, default=10, help="UI sessions before measuring")
    parser.add_argument("--points", type=int, default=4,
                        help="RSS readings spread over the sessions (4: by quarter)")
    parser.add_argument("--child", choices=("bare", "kiosk"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = bare_child() if args.child == "bare" else kiosk_child(args.sessions,
                                                                       args.warmup, args.points)
        assert args.out is not None
        args.out.write_text(json.dumps(result), encoding="utf-8")
        from kiosk.ui.stopping import end_process

        end_process(0)  # leave at once: the window and threads need no teardown here
    bare = _run_child(["bare"])
    kiosk = _run_child(["kiosk", "--sessions", str(args.sessions), "--warmup",
                        str(args.warmup), "--points", str(max(1, args.points))])
    report(bare, kiosk)
    return 1 if kiosk["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
