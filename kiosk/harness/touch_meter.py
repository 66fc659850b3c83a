"""Touch to next screen drawn, and where the time goes: a UiDriver that measures every tap.

`MeasuringDriver.tap` stamps the moment the finger lifts (buttons act on release, as on the
touchscreen), then runs the Kivy loop frame by frame until the app has rendered the state the
tap caused, nothing is busy any more and that frame has been drawn (the stamp is taken when the
frame is handed to the screen, Window ``on_flip``). A tap that renders nothing new (a key on the
pinyin keyboard changes only its own field) is done at the first frame drawn after it.

While a tap is being measured the meter adds up, from hooks on Kivy and the interpreter:
- handler: the touch-up dispatch itself (the button's callbacks and what they run inline);
- worker: time the screen showed "busy" (waiting for a device or the platform);
- build: time inside ``KioskApp.render`` (screens updating or creating widgets), textures
  excluded;
- text: time making text textures (``kivy.core.text`` ``refresh``);
- draw: time from the start of ``on_draw`` to the flip, per frame;
- gc: time in garbage collections (and whether one was a full, generation-2 collection).

`forced_frames` times what one frame of a screen costs to draw: the whole window redrawn with
nothing changed, from ``on_draw`` to the end of rasterization (``glFinish``: a software renderer
such as Mesa llvmpipe rasterizes in its own threads after the frame is handed over). With
``sample_frames`` set, `MeasuringDriver` samples a few such frames on the screen each tap leads to.
Used by `kiosk bench touch` (kiosk/harness/bench/touch.py).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kivy.base import EventLoop
from kivy.core.text import Label as CoreLabel
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.widget import Widget

from kiosk.harness.ui_driver import UiDriver

#: With no new render within this many frames, a tap changed only its own widget.
LOCAL_FRAMES = 3
#: A tap that has not settled within this long is recorded as it stands (never hangs).
SETTLE_LIMIT_SECONDS = 30.0
#: Forced frames sampled per screen a tap leads to (with ``sample_frames``).
FRAMES_PER_SAMPLE = 3


def forced_frames(count: int) -> list[float]:
    """Redraw the whole window ``count`` times; each frame's ms from the start of ``on_draw`` to
    the end of its rasterization (``glFinish``)."""
    from kivy.graphics.opengl import glFinish

    EventLoop.ensure_window()
    times: list[float] = []
    glFinish()  # nothing of an earlier frame is counted
    for _ in range(count):
        Window.canvas.ask_update()
        started = time.perf_counter()
        Window.dispatch("on_draw")
        Window.dispatch("on_flip")
        glFinish()
        times.append((time.perf_counter() - started) * 1000)
    return times


@dataclass
class Transition:
    """One measured tap."""

    kind: str
    total_ms: float
    feedback_ms: float
    waited: bool
    parts: dict[str, float] = field(default_factory=dict)
    full_gc: bool = False


class _Hooks:
    """Time accumulators fed by hooks on Kivy and the garbage collector."""

    def __init__(self) -> None:
        self.reset()
        self.last_flip = 0.0
        self.flips = 0
        self._draw_started = 0.0
        self._gc_started = 0.0
        self._in_render = False

    def reset(self) -> None:
        self.totals = {"handler": 0.0, "worker": 0.0, "build": 0.0, "text": 0.0, "draw": 0.0,
                       "gc": 0.0}
        self.full_gc = False
        self.renders = 0
        self.text_in_render = 0.0
        self.flip_times: list[float] = []
        self.render_flips = 0

    # Kivy window events: bound handlers run before the window's own (draw, then flip).
    def on_draw(self, *_args: Any) -> None:
        self._draw_started = time.perf_counter()

    def on_flip(self, *_args: Any) -> None:
        now = time.perf_counter()
        if self._draw_started:
            self.totals["draw"] += now - self._draw_started
            self._draw_started = 0.0
        self.last_flip = now
        self.flips += 1
        self.flip_times.append(now)

    def on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        self.totals["gc"] += time.perf_counter() - self._gc_started
        if info.get("generation") == 2:
            self.full_gc = True

    def wrap_text(self, refresh: Callable[..., Any]) -> Callable[..., Any]:
        def timed(label: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return refresh(label, *args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                self.totals["text"] += spent
                if self._in_render:
                    self.text_in_render += spent
        return timed

    def wrap_render(self, render: Callable[..., Any]) -> Callable[..., Any]:
        def timed(app: Any, state: Any) -> Any:
            started = time.perf_counter()
            self._in_render = True
            try:
                return render(app, state)
            finally:
                self._in_render = False
                self.totals["build"] += time.perf_counter() - started
                self.renders += 1
                self.render_flips = len(self.flip_times)  # drawn by the next flip
        return timed


def _label_of(widget: Widget) -> str:
    """A short name for what was tapped: "key" for a keyboard key, else the first characters
    of its text (for transitions that stay on one screen)."""
    text = str(getattr(widget, "text", "") or "").split("\n")[0]
    if len(text) <= 2:
        return "key"
    return text.split("：")[0][:6]


class MeasuringDriver(UiDriver):
    """A UiDriver whose taps are measured (see the module docstring)."""

    def __init__(self, app: Any) -> None:
        self.hooks = _Hooks()
        self.transitions: list[Transition] = []
        #: Forced-frame costs (ms) per screen name, sampled while ``sample_frames`` is set.
        self.frames: dict[str, list[float]] = {}
        self.sample_frames = False
        self._restore: list[Callable[[], None]] = []
        self._install(type(app))
        super().__init__(app)

    def _install(self, app_class: type) -> None:
        hooks = self.hooks
        original_refresh = CoreLabel.refresh
        CoreLabel.refresh = hooks.wrap_text(original_refresh)  # type: ignore[method-assign]
        original_render = getattr(app_class, "render")  # noqa: B009 - patched below
        setattr(app_class, "render", hooks.wrap_render(original_render))  # noqa: B010
        gc.callbacks.append(hooks.on_gc)
        Window.bind(on_draw=hooks.on_draw, on_flip=hooks.on_flip)

        def restore() -> None:
            CoreLabel.refresh = original_refresh  # type: ignore[method-assign]
            setattr(app_class, "render", original_render)  # noqa: B010
            gc.callbacks.remove(hooks.on_gc)
            Window.unbind(on_draw=hooks.on_draw, on_flip=hooks.on_flip)
        self._restore.append(restore)

    def tap(self, widget: Widget) -> None:
        """Touch ``widget`` and measure until the screen it leads to is drawn."""
        x, y = widget.to_window(*widget.center)
        self._measured_touch(x, y, _label_of(widget))

    def tap_at(self, x: float, y: float) -> None:
        """Touch window coordinates, measured."""
        self._measured_touch(x, y)

    def _measured_touch(self, x: float, y: float, label: str = "") -> None:
        app, hooks = self.app, self.hooks
        before = app.manager.current
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        hooks.reset()
        started = time.perf_counter()
        touch.touch_up()
        hooks.totals["handler"] = time.perf_counter() - started - hooks.totals["build"] \
            - hooks.totals["text"]
        feedback = 0.0
        waited = False
        busy_since = 0.0
        quiet_frames = 0
        deadline = time.monotonic() + SETTLE_LIMIT_SECONDS
        renders_seen = hooks.renders
        while time.monotonic() < deadline:
            self.pump(1)
            busy = bool(app.state is not None and app.state.busy)
            if busy and not busy_since:
                busy_since, waited = time.perf_counter(), True
            if not busy and busy_since:
                hooks.totals["worker"] += time.perf_counter() - busy_since
                busy_since = 0.0
            if hooks.renders and not feedback and hooks.render_flips < len(hooks.flip_times):
                feedback = hooks.flip_times[hooks.render_flips] - started
            if hooks.renders and not busy:
                if hooks.renders == renders_seen:
                    break  # the frame after the last render changed nothing more: drawn
                renders_seen = hooks.renders
                continue
            if not hooks.renders:
                quiet_frames += 1
                if quiet_frames >= LOCAL_FRAMES:
                    break
        flips = hooks.flip_times
        if hooks.renders and hooks.render_flips < len(flips):
            done = flips[hooks.render_flips]  # the frame that drew the last render
        else:  # a local change: the first frame drawn after the lift
            done = flips[0] if flips else time.perf_counter()
            feedback = done - started
        total = done - started
        hooks.totals["build"] -= hooks.text_in_render
        after = app.manager.current
        kind = f"{before}->{after}" + (f" [{label}]" if before == after and label else "") \
            + (" (waits)" if waited else "")
        self.transitions.append(Transition(
            kind=kind, total_ms=total * 1000, feedback_ms=feedback * 1000, waited=waited,
            parts={k: v * 1000 for k, v in hooks.totals.items()}, full_gc=hooks.full_gc))
        self.pump(1)
        if self.sample_frames:
            self.frames.setdefault(after, []).extend(forced_frames(FRAMES_PER_SAMPLE))

    def close(self) -> None:
        """Remove the hooks, then close as the UiDriver does."""
        for restore in self._restore:
            restore()
        self._restore.clear()
        super().close()



class BareMeter:
    """The floor's meter: a tap on a bare ScreenManager's button, to the frame that drew the
    other screen (same stamps as `MeasuringDriver`)."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager
        self.times: list[float] = []
        self.flips: list[float] = []
        EventLoop.ensure_window()
        Window.bind(on_flip=self._flipped)
        for _ in range(3):  # lay the screens out before the first tap aims at a button
            EventLoop.idle()

    @classmethod
    def bare(cls, manager: Any) -> BareMeter:
        """A meter for ``manager`` (already on the window)."""
        return cls(manager)

    def _flipped(self, *_args: Any) -> None:
        self.flips.append(time.perf_counter())

    def swap(self, widget: Widget) -> None:
        """Tap ``widget`` (which switches the screen) and record touch lift -> drawn."""
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        EventLoop.idle()
        before = self.manager.current
        self.flips.clear()
        started = time.perf_counter()
        touch.touch_up()
        deadline = time.monotonic() + SETTLE_LIMIT_SECONDS
        while self.manager.current == before and time.monotonic() < deadline:
            EventLoop.idle()
        changed_at = len(self.flips)
        while len(self.flips) <= changed_at and time.monotonic() < deadline:
            EventLoop.idle()
        if len(self.flips) <= changed_at:
            raise RuntimeError("the floor's window never drew the other screen")
        self.times.append((self.flips[changed_at] - started) * 1000)
        EventLoop.idle()

    def close(self) -> None:
        """Stop listening to the window."""
        Window.unbind(on_flip=self._flipped)
