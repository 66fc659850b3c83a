"""`kiosk bench touch`: from a touch to the next screen drawn, as a resident feels it.

The production composition (`kiosk.boot.composition.compose`, demo devices, the embedded
sandbox) in a real Kivy window (SDL offscreen, 1920x1080) is driven by touches through the
tour's journeys: attract -> home, search by initials, the browse tabs and groups, a service
asked for by an anonymous resident, the ID card, 社保缴费记录 -> 社保缴费证明 printed, 好差评,
leave. Every tap is measured by kiosk/harness/touch_meter.py (touch lift -> the frame that drew
the result) with where the time went. The floor, measured first in the same window and process:
a bare Kivy ScreenManager swapping two prebuilt screens of tiles of the same size on a tap.

Prints p50 / p95 / max per transition kind and overall (transitions that wait on a device or
the platform separately, with the time to their first feedback), the mean of each part, how
many transitions had a full garbage collection, and the ratio of the p95 to the floor's. Then
what one frame costs to draw (the whole window redrawn, to the end of rasterization), p50 per
screen, sampled in one more round of the journeys after the measured ones, against a bare
window showing one label and the floor's screen of tiles (Kivy buttons).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

#: The journeys are repeated until at least this many transitions are measured.
DEFAULT_TRANSITIONS = 200
#: The goal for a transition that does not wait on a device or the platform.
GOAL_MS = 100.0
#: Taps on the floor's two screens.
FLOOR_TAPS = 60
#: Forced frames of the floor's screen.
FLOOR_FRAMES = 20


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def bare_label_frames() -> list[float]:
    """Frames of a bare window showing one label (what any frame costs at least)."""
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.uix.label import Label

    from kiosk.harness.touch_meter import forced_frames

    label = Label(text="政务服务自助终端", font_size=60)
    Window.add_widget(label)
    try:
        for _ in range(3):
            EventLoop.idle()
        return forced_frames(FLOOR_FRAMES)
    finally:
        Window.remove_widget(label)


def floor_transitions(driver_class: Any,
                      frames: list[float] | None = None) -> list[float]:
    """Touch -> drawn for a bare ScreenManager swapping two prebuilt 3x3 tile screens; the cost
    of a frame of such a screen goes into ``frames`` when given."""
    from kivy.core.window import Window
    from kivy.uix.button import Button
    from kivy.uix.gridlayout import GridLayout
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    manager = ScreenManager(transition=NoTransition())
    targets: dict[str, Any] = {}
    for name, other in (("a", "b"), ("b", "a")):
        screen = Screen(name=name)
        grid = GridLayout(cols=3, padding=40, spacing=24)
        for i in range(9):
            button = Button(text=f"政务服务事项 {name}{i}", font_size=38)
            button.bind(on_release=lambda _b, target=other: setattr(manager, "current", target))
            grid.add_widget(button)
        screen.add_widget(grid)
        manager.add_widget(screen)
        targets[name] = grid.children[4]
    Window.add_widget(manager)
    meter = driver_class.bare(manager)
    try:
        for _ in range(5):  # warm: every texture made once, as the kiosk's are after a tour
            meter.swap(targets[manager.current])
        meter.times.clear()
        for _ in range(FLOOR_TAPS):
            meter.swap(targets[manager.current])
        if frames is not None:
            from kiosk.harness.touch_meter import forced_frames

            frames.extend(forced_frames(FLOOR_FRAMES))
        return list(meter.times)
    finally:
        meter.close()
        Window.remove_widget(manager)


def _identify(driver: Any, parts: Any) -> None:
    """The ID card on the reader (not a touch: not measured), then taken away."""
    from flows.ports import DeviceName
    from kiosk.adapters.demo_cards import demo_id_card

    reader = parts.hub.get(DeviceName.IDCARD)
    simulator = parts.hub.simulator(DeviceName.IDCARD)
    driver.wait_for(lambda: reader.card_state.value == "absent", what="empty reader")
    simulator.insert(demo_id_card("worker"))
    driver.wait_for(lambda: bool(parts.lifecycle.session
                                 and parts.lifecycle.session.resident_token)
                    and driver.app.state is not None and not driver.app.state.busy,
                    what="identified")
    simulator.remove()
    driver.wait_for(lambda: reader.card_state.value == "absent", what="card removed")


def _journeys(driver: Any, parts: Any) -> None:
    """One round of the tour's journeys, every tap through ``driver`` (measured)."""
    from kiosk.harness.ui_driver import find_button
    from kiosk.harness.ui_journeys import rate_and_leave

    app = driver.app
    home = app.screens["home"]
    driver.tap_at(960, 540)
    driver.wait_for_screen("home")
    driver.tap(home.search_button)
    for letter in "SBJF":
        driver.tap(find_button(home, letter))
    driver.tap(home.search_button)
    for tab in ("按主题", "按部门", "全部", "常用"):
        if tab in home.tab_buttons:
            driver.tap(home.tab_buttons[tab])
            if home.group_buttons:
                driver.tap(next(iter(home.group_buttons.values())))
                if home.groups_button is not None:
                    driver.tap(home.groups_button)
    driver.tap(home.tile_buttons.get("social-insurance-payments")
               or find_button(home, "社保缴费"))
    if app.manager.current == "home":  # 常用 on a fresh terminal may not hold it: search
        driver.tap(home.search_button)
        for letter in "SBJF":
            driver.tap(find_button(home, letter))
        driver.tap(home.tile_buttons["social-insurance-payments"])
    driver.wait_for_screen("identify")
    _identify(driver, parts)
    driver.wait_for_screen("step_records")
    from flows.views import IntentAction

    driver.tap(app.screens["step_records"].buttons[IntentAction.GUIDE])
    if app.manager.current != "step_records":  # 办事指南: one 返回 back to the records
        driver.tap(app.screens[app.manager.current].buttons[IntentAction.BACK])
    driver.wait_for_screen("step_records")
    driver.tap(app.screens["step_records"].buttons[IntentAction.NEXT])
    driver.wait_for_screen("step_print_certificate")
    driver.tap(app.screens["step_print_certificate"].buttons[IntentAction.PRINT])
    driver.wait_for(lambda: app.state is not None and app.state.view is not None
                    and app.state.view.outcome == "done", what="certificate printed")
    driver.tap(app.screens["step_print_certificate"].buttons[IntentAction.NEXT])
    rate_and_leave(driver)


def _report(title: str, rows: dict[str, list[Any]]) -> None:
    print(title)
    print(f"  {'transition':<44} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7}")
    for kind in sorted(rows, key=lambda k: -len(rows[k])):
        values = [t.total_ms for t in rows[kind]]
        print(f"  {kind:<44} {len(values):>4} {statistics.median(values):7.0f} "
              f"{_quantile(values, 0.95):7.0f} {max(values):7.0f}")


def run(transitions: int) -> int:
    """Measure; print the figures; return 0."""
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
    from kiosk.boot.resources import FONT_PATH
    from kiosk.ui.window import prepare, register_font

    prepare(1920, 1080)
    register_font(FONT_PATH)
    from kiosk.boot.composition import compose
    from kiosk.boot.logs import configure_logging
    from kiosk.boot.settings import load_settings
    from kiosk.harness.touch_meter import BareMeter, MeasuringDriver

    bare_frames = bare_label_frames()
    floor_frames: list[float] = []
    floor = floor_transitions(BareMeter, floor_frames)
    data = Path(tempfile.mkdtemp(prefix="kiosk-bench-touch-"))
    configure_logging(data / "log", "WARNING")
    settings = load_settings(environ={"KIOSK__PATHS__DATA_DIR": str(data / "data"),
                                      "KIOSK__DEVICES__SMARTCARD": "none"})
    kiosk = compose(settings)
    kiosk.start_devices()
    driver = MeasuringDriver(kiosk.app)
    parts = kiosk.parts
    try:
        from flows.ports import DeviceName

        driver.wait_for(lambda: all(parts.hub.usable(d) for d in
                                    (DeviceName.IDCARD, DeviceName.DOCUMENT_PRINTER)),
                        60, "devices ready")
        _journeys(driver, parts)  # warm-up round: first textures, first imports
        driver.transitions.clear()
        rounds = 0
        while len(driver.transitions) < transitions:
            _journeys(driver, parts)
            rounds += 1
        measured = list(driver.transitions)
        driver.sample_frames = True  # one more round: what a frame of each screen costs
        _journeys(driver, parts)
    finally:
        driver.close()
        kiosk.close()
        shutil.rmtree(data, ignore_errors=True)

    print(f"touch: touch lift -> next screen drawn, {len(measured)} transitions in {rounds} "
          "rounds of the tour's journeys (SDL offscreen, 1920x1080)")
    quick = [t for t in measured if not t.waited]
    waits = [t for t in measured if t.waited]
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for t in measured:
        by_kind[t.kind].append(t)
    _report("per transition kind (ms):", by_kind)
    totals = [t.total_ms for t in quick]
    floor_p95 = _quantile(floor, 0.95)
    print(f"  all not waiting ({len(quick)}): p50 {statistics.median(totals):.0f} ms, "
          f"p95 {_quantile(totals, 0.95):.0f} ms, max {max(totals):.0f} ms "
          f"(goal p95 < {GOAL_MS:.0f} ms)")
    if waits:
        feedback = [t.feedback_ms for t in waits]
        print(f"  waiting on a device or the platform ({len(waits)}): first feedback p95 "
              f"{_quantile(feedback, 0.95):.0f} ms, done p95 "
              f"{_quantile([t.total_ms for t in waits], 0.95):.0f} ms")
    names = ("handler", "worker", "build", "text", "draw", "gc")
    print("  where the time goes (mean ms per transition): " + ", ".join(
        f"{n} {statistics.fmean(t.parts.get(n, 0.0) for t in measured):.1f}" for n in names))
    full = sum(1 for t in measured if t.full_gc)
    print(f"  transitions with a full garbage collection: {full} of {len(measured)}")
    print(f"  floor (bare window swapping two prebuilt screens, {len(floor)} taps): p50 "
          f"{statistics.median(floor):.0f} ms, p95 {floor_p95:.0f} ms")
    print(f"  ratio p95 kiosk / floor: {_quantile(totals, 0.95) / floor_p95:.2f}x")
    _report_frames(driver.frames, bare_frames, floor_frames)
    return 0


def _report_frames(frames: dict[str, list[float]], bare: list[float],
                   floor: list[float]) -> None:
    """One frame's draw (whole window, to the end of rasterization), p50 per screen, against
    a bare window showing one label."""
    bare_p50 = statistics.median(bare)
    print("frame draw (whole window redrawn, on_draw to glFinish), ms per screen "
          "(min: the least a shared machine let it cost):")
    print(f"  {'screen':<44} {'n':>4} {'p50':>7} {'min':>7} {'vs bare':>8}")
    rows = {**frames, "floor: bare screen of 3x3 Kivy buttons": floor,
            "floor: bare window, one label": bare}
    for screen in sorted(rows, key=lambda s: -statistics.median(rows[s])):
        values = rows[screen]
        print(f"  {screen:<44} {len(values):>4} {statistics.median(values):7.1f} "
              f"{min(values):7.1f} {statistics.median(values) / bare_p50:7.1f}x")


def main(argv: list[str]) -> int:
    """Entry point of `kiosk bench touch`."""
    parser = argparse.ArgumentParser(prog="kiosk bench touch",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--transitions", type=int, default=DEFAULT_TRANSITIONS,
                        help="measure at least this many transitions (after a warm-up round)")
    args = parser.parse_args(argv)
    return run(args.transitions)
