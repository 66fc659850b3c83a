"""Entering technician mode by hand: a hidden long press in the bottom-left corner of the
attract (or out-of-service) screen. A short tap in the corner is an ordinary tap.

The widget only reports the finger to the technician controller
(kiosk.technician.controller: `corner_down`, `corner_tick`, `corner_up`), which times the hold
on the terminal's clock and opens technician mode; `KioskApp` adds the corner to its root.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.technician.controller import TechnicianController

#: The corner is this fraction of the window's width, square, at the bottom left.
CORNER_FRACTION = 0.08
#: How often a held finger is checked against the hold time (seconds).
HOLD_POLL_SECONDS = 0.1


class TechnicianCorner(Widget):
    """An invisible square over the bottom-left corner that reports a long press."""

    def __init__(self, technician: TechnicianController, on_tap: Any,
                 fraction: float = CORNER_FRACTION, **kwargs: Any) -> None:
        super().__init__(size_hint=(None, None), pos_hint={"x": 0, "y": 0}, **kwargs)
        self.technician = technician
        self._on_tap = on_tap
        self.fraction = fraction
        self._event: Any = None

    def _sync(self, *_: Any) -> None:
        parent = self.parent
        if parent is not None:
            side = parent.width * self.fraction
            self.size = (side, side)
            self.pos = parent.pos

    def on_parent(self, _widget: Any, parent: Any) -> None:
        """Follow the root's size."""
        if parent is not None:
            parent.bind(size=self._sync, pos=self._sync)
            self._sync()

    def on_touch_down(self, touch: Any) -> bool:
        """Start a hold in the corner (only between sessions)."""
        if not self.collide_point(*touch.pos) or not self.technician.corner_down():
            return False
        touch.grab(self)
        self._event = Clock.schedule_interval(self._poll, HOLD_POLL_SECONDS)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        """Sliding out of the corner cancels the press."""
        if touch.grab_current is self and not self.collide_point(*touch.pos):
            self._stop()
            self.technician.corner_cancel()
        return touch.grab_current is self

    def on_touch_up(self, touch: Any) -> bool:
        """A release before the hold time is an ordinary tap on the attract screen."""
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        held = self._event is not None
        self._stop()
        if held and self.technician.corner_up():
            self._on_tap()
        return True

    def _poll(self, _dt: float) -> None:
        if self.technician.corner_tick():
            self._stop()

    def _stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
