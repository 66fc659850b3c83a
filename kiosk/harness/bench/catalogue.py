"""`kiosk bench catalogue`: how the catalogue's costs grow with its size.

Synthetic bundles of N items (default 25, 96, 700 and 2,000) are made in the same run: the
terminal's 25 hand-written services, its themes, and a licence directory of N - 25 kinds (the
real directory's kinds, repeated with numbered variants). For each N it prints: catalogue load,
lint of the whole bundle, the search index build (first search), search per keystroke (p50,
p95) over words typed letter by letter, the home screen drawn in a real Kivy window (SDL
offscreen) through the real controller for 常用, a theme page, 全部 and a search, the update
activation (the bundle check in its limited child process, then the catalogue reload), the
bundle's size and the process RSS. The floor is the 25-item bundle measured in the same run;
each figure is printed with its ratio to the floor, and the growth from the second-largest to
the largest size per item (1.0 = linear).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")

from flows.licence_items import DIRECTORY_FILE
from flows.services import BUILTIN_ROOT

if TYPE_CHECKING:
    from flows.ports import SessionPorts
    from kiosk.core.session import SessionData

#: The hand-written services of the built-in catalogue (every synthetic bundle carries them).
HAND_WRITTEN = sum(1 for f in BUILTIN_ROOT.iterdir() if (f / "flow.yaml").is_file())
#: What residents type, letter by letter (initials, full pinyin, Chinese, a synonym, a miss).
TYPED = ("jhz", "jiehunzheng", "kzm", "tuixiu", "shebaojiaofei", "驾驶证", "开证明", "juzhzheng",
         "yyzz", "hukou")


def make_bundle(root: Path, items: int) -> Path:
    """A bundle of ``items`` items under ``root``: the hand-written services, themes, and a
    directory."""
    root.mkdir(parents=True)
    for folder in sorted(BUILTIN_ROOT.iterdir()):
        if folder.is_dir():
            shutil.copytree(folder, root / folder.name)
    shutil.copy(BUILTIN_ROOT / "themes.yaml", root / "themes.yaml")
    real = json.loads((BUILTIN_ROOT / DIRECTORY_FILE).read_text(encoding="utf-8"))["kinds"]
    kinds = []
    for i in range(max(0, items - HAND_WRITTEN)):
        base = dict(real[i % len(real)])
        if i >= len(real):
            variant = i // len(real)
            base["code"] = f"{base['code']}-v{variant}"
            base["name"] = f"{base['name']}（第{variant}类）"
        kinds.append(base)
    if kinds:
        (root / DIRECTORY_FILE).write_text(json.dumps({"version": 1, "kinds": kinds},
                                                      ensure_ascii=False), encoding="utf-8")
    return root


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _size_kb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1024


class HomeBench:
    """The real controller and home screen in one Kivy window, re-pointed at each bundle."""

    def __init__(self, workdir: Path) -> None:
        from kiosk.boot.resources import FONT_PATH
        from kiosk.ui.window import prepare, register_font

        prepare(1920, 1080)
        register_font(FONT_PATH)
        from kivy.base import EventLoop
        from kivy.core.window import Window

        EventLoop.ensure_window()
        self._loop, self._window = EventLoop, Window
        self._workdir = workdir

    def build(self, root: Path) -> Any:
        """A controller over ``root`` with the home screen subscribed and shown."""
        from drivers.status import DeviceState, DeviceStatus
        from kiosk.adapters.catalogue import KioskCatalogue
        from kiosk.core.controller import KioskController
        from kiosk.core.session import SessionLifecycle, SessionTiming
        from kiosk.core.tasks import InlineRunner
        from kiosk.ui.context import UiContext
        from kiosk.ui.screens.home import HomeScreen
        from kiosk.ui.theme import STANDARD, metrics_for

        catalogue = KioskCatalogue.load(root, _no_ports)
        lifecycle = SessionLifecycle(SessionTiming(), time.monotonic, self._workdir)
        ready = DeviceStatus(DeviceState.READY)
        controller = KioskController(lifecycle, catalogue, verifier=None,  # type: ignore[arg-type]
                                     runner=InlineRunner(), device_status=lambda d: ready)
        ctx = UiContext(metrics_for(1080), STANDARD, controller)
        for child in list(self._window.children):
            self._window.remove_widget(child)
        screen = HomeScreen(ctx)
        self._window.add_widget(screen)
        controller.subscribe(lambda state: screen.render(state) if state.screen == "home"
                             else None)
        controller.tap_attract()
        self.frame()
        return controller

    def frame(self) -> None:
        """Draw one frame."""
        self._loop.idle()


def _no_ports(session: SessionData) -> SessionPorts:
    """The benchmark opens no service, so it binds no ports."""
    raise AssertionError("kiosk bench catalogue starts no service")


def measure(items: int, workdir: Path, home: HomeBench, repeat: int) -> dict[str, float]:
    """Every figure for a bundle of ``items`` items."""
    from flows.lint import lint_dir
    from flows.services import Catalogue
    from kiosk.adapters.catalogue import KioskCatalogue

    root = make_bundle(workdir / f"bundle-{items}", items)
    figures: dict[str, float] = {"items": float(len(Catalogue.load(root,
                                                                    check_fixtures=False).entries))}
    figures["load_ms"] = _median_ms(lambda: Catalogue.load(root, check_fixtures=False), repeat)
    figures["lint_ms"] = _median_ms(lambda: lint_dir(root), 1)
    kiosk_catalogue = KioskCatalogue.load(root, _no_ports)
    start = time.perf_counter()
    kiosk_catalogue.search("a")
    figures["index_ms"] = (time.perf_counter() - start) * 1e3
    keystrokes, cpu = [], []
    for _ in range(max(1, repeat // 2)):
        for word in TYPED:
            for end in range(1, len(word) + 1):
                start, start_cpu = time.perf_counter(), time.process_time()
                kiosk_catalogue.search(word[:end])
                cpu.append((time.process_time() - start_cpu) * 1e3)
                keystrokes.append((time.perf_counter() - start) * 1e3)
    keystrokes.sort()
    cpu.sort()
    figures["key_p50_ms"] = statistics.median(keystrokes)
    figures["key_p95_ms"] = keystrokes[int(len(keystrokes) * 0.95) - 1]
    # the process's own CPU time: what a keystroke costs when other processes share the CPU
    figures["key_cpu_p95_ms"] = cpu[int(len(cpu) * 0.95) - 1]
    controller = home.build(root)

    def drawn(reset: Callable[[], Any], action: Callable[[], Any]) -> float:
        """Median time of ``action`` until its frame is drawn, each run after ``reset`` (so
        every timed run changes the screen)."""
        times = []
        for _ in range(repeat):
            reset()
            home.frame()
            start = time.perf_counter()
            action()
            home.frame()
            times.append((time.perf_counter() - start) * 1e3)
        return statistics.median(times)

    figures["home_frequent_ms"] = drawn(lambda: controller.set_category("全部"),
                                        lambda: controller.set_category("常用"))
    figures["home_themes_ms"] = drawn(lambda: controller.set_category("常用"),
                                      lambda: controller.set_category("按主题"))
    figures["home_theme_ms"] = drawn(lambda: controller.set_category("按主题"),
                                     lambda: controller.open_group("就业"))
    figures["home_all_ms"] = drawn(lambda: controller.set_category("常用"),
                                   lambda: controller.set_category("全部"))
    figures["home_search_ms"] = drawn(lambda: controller.search(""),
                                      lambda: controller.search("kzm"))
    from kiosk.updates.bundle import MANIFEST_NAME, make_manifest

    (root / MANIFEST_NAME).write_bytes(make_manifest(root, 1, "0.1.0").to_json())  # as admin
    figures["activation_ms"] = _median_ms(lambda: _activate(kiosk_catalogue, root), 1)
    figures["bundle_kb"] = _size_kb(root)
    figures["rss_mb"] = _rss_mb()
    return figures


def _activate(kiosk_catalogue: Any, root: Path) -> None:
    """What a terminal does to activate a staged bundle (kiosk/updates/terminal.py): the bundle
    check in a limited child process, then the catalogue switched to it between sessions."""
    from kiosk.updates.childcheck import isolated_check

    problems = isolated_check(root)
    if problems:  # timed all the same (a terminal would roll back); the floor's themes are empty
        print(f"note: {root.name}: the check found {len(problems)} problem(s), e.g. "
              f"{problems[0]}")
    kiosk_catalogue.reload(root)


ROWS = (("load_ms", "catalogue load", "ms"), ("lint_ms", "lint whole bundle", "ms"),
        ("index_ms", "search index build", "ms"), ("key_p50_ms", "search keystroke p50", "ms"),
        ("key_p95_ms", "search keystroke p95", "ms"),
        ("key_cpu_p95_ms", "search keystroke p95 (CPU)", "ms"),
        ("home_frequent_ms", "home 常用 drawn", "ms"),
        ("home_themes_ms", "home theme list drawn", "ms"),
        ("home_theme_ms", "home one theme drawn", "ms"), ("home_all_ms", "home 全部 drawn", "ms"),
        ("home_search_ms", "home search hits drawn", "ms"),
        ("activation_ms", "update activation (check + reload)", "ms"),
        ("bundle_kb", "bundle size", "KB"), ("rss_mb", "process RSS", "MB"))


def main(argv: list[str]) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="kiosk bench catalogue", description=__doc__)
    parser.add_argument("--items", default=f"{HAND_WRITTEN},96,700,2000",
                        help="comma-separated catalogue sizes (the first is the floor)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(x) for x in args.items.split(",") if x.strip()]
    except ValueError:
        parser.error("--items takes numbers separated by commas, e.g. 25,700,2000")
    if not sizes or min(sizes) < HAND_WRITTEN:
        parser.error(f"--items: each size at least {HAND_WRITTEN} (the hand-written services)")
    with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as folder:
        workdir = Path(folder)
        home = HomeBench(workdir)
        results = [measure(n, workdir, home, max(1, args.repeat)) for n in sizes]
    floor = results[0]
    print(f"catalogue figures (median of {args.repeat}; ratio against the "
          f"{int(floor['items'])}-item floor)")
    print(f"{'':26}" + "".join(f"{int(r['items']):>16}" for r in results))
    for key, label, unit in ROWS:
        cells = "".join(f"{r[key]:>9.1f} {unit:<2}" + (f"x{r[key] / floor[key]:<4.1f}"
                        if floor[key] else "      ") for r in results)
        print(f"{label:<26}{cells}")
    if len(results) >= 3:
        a, b = results[-2], results[-1]
        scale = b["items"] / a["items"]
        print(f"growth {int(a['items'])} -> {int(b['items'])} items, per item (1.0 = linear): "
              + ", ".join(f"{label} {b[key] / a[key] / scale:.2f}"
                          for key, label, _ in ROWS if a[key] and key != "bundle_kb"))
    return 0
