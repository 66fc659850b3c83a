"""Drive the real Kivy app without a person: pump frames, tap widgets, wait for states, take
screenshots. Used by the screenshot tour, the UI tests and the start-up benchmark.

The window is Kivy's (SDL offscreen when there is no display), so touches go through the same
dispatch path as on a touchscreen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.widget import Widget

from kiosk.ui.app import KioskApp

#: Longest a wait_for may pump before giving up (a bound, not a timing assertion).
DEFAULT_WAIT_SECONDS = 45.0


class UiDriver:
    """Owns one KioskApp on Kivy's window for the duration of a test or a tour."""

    def __init__(self, app: KioskApp) -> None:
        self.app = app
        EventLoop.ensure_window()
        self.root = app.build()
        app.root = self.root
        Window.add_widget(self.root)
        self.pump(3)

    def pump(self, frames: int = 1) -> None:
        """Run ``frames`` iterations of the Kivy loop (clock, input, drawing)."""
        for _ in range(frames):
            EventLoop.idle()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = DEFAULT_WAIT_SECONDS,
                 what: str = "condition") -> None:
        """Pump frames until ``predicate()`` holds; raise AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            if predicate():
                self.pump(2)
                return
            time.sleep(0.01)
        state = self.app.state
        raise AssertionError(
            f"timed out waiting for {what}; screen={self.app.manager.current}, "
            f"phase={getattr(state, 'phase', None)}, busy={getattr(state, 'busy', None)}, "
            f"notice={getattr(state, 'notice', '')!r}")

    def wait_for_screen(self, name: str, timeout: float = DEFAULT_WAIT_SECONDS) -> None:
        """Wait until the screen ``name`` is showing and nothing is busy."""
        self.wait_for(lambda: self.app.manager.current == name and not (
            self.app.state is not None and self.app.state.busy), timeout, f"screen {name}")

    def tap(self, widget: Widget) -> None:
        """Touch the centre of ``widget`` as a finger would (down, then up)."""
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.pump(2)

    def tap_at(self, x: float, y: float) -> None:
        """Touch window coordinates."""
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.pump(2)

    def current_screen(self) -> Any:
        """The screen object now showing."""
        return self.app.screens[self.app.manager.current]

    def screenshot(self, path: Path) -> Path:
        """Write the whole UI to ``path`` (PNG)."""
        self.pump(2)
        return self.app.screenshot(path)

    def close(self) -> None:
        """Take the app off the window and cancel its clock events."""
        for event in Clock.get_events():
            event.cancel()
        Window.remove_widget(self.root)
        self.pump(1)


def find_button(root: Widget, text: str) -> Widget:
    """The first visible button whose text starts with ``text`` (for taps by label)."""
    for widget in root.walk(restrict=False):
        label = getattr(widget, "text", None)
        if isinstance(label, str) and hasattr(widget, "on_release") and \
                label.split("\n")[0].startswith(text) and widget.get_root_window() is not None:
            return widget
    raise LookupError(f"no button labelled {text!r} on screen")
