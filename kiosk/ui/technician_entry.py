"""Entering technician mode: a hidden long press in the bottom-left corner of the attract (or
out-of-service) screen, then the PIN page. A short tap in the corner is an ordinary tap.

`install_technician(app, services)` adds the technician screen and the corner to a built
`KioskApp`; the app (or a test) calls it once after ``build()``.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.core.events import log_event
from kiosk.core.session import Phase
from kiosk.technician.services import TechnicianServices
from kiosk.ui.screens.technician import TechnicianScreen, technician_screen_class

log = logging.getLogger(__name__)

#: Hold this long in the corner to open technician mode (long enough not to happen by chance).
HOLD_SECONDS = 3.0
#: The corner is this fraction of the window's width, square, at the bottom left.
CORNER_FRACTION = 0.08
ENTRY_PHASES = frozenset({Phase.ATTRACT, Phase.OUT_OF_SERVICE})


class TechnicianCorner(Widget):
    """An invisible square over the bottom-left corner that watches for the long press."""

    def __init__(self, app: Any, hold_seconds: float = HOLD_SECONDS,
                 fraction: float = CORNER_FRACTION, **kwargs: Any) -> None:
        super().__init__(size_hint=(None, None), pos_hint={"x": 0, "y": 0}, **kwargs)
        self.app = app
        self.hold_seconds = hold_seconds
        self.fraction = fraction
        self._event: Any = None
        self._fired = False

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

    def _armed(self) -> bool:
        return self.app.controller.lifecycle.phase in ENTRY_PHASES

    def on_touch_down(self, touch: Any) -> bool:
        """Start timing a press in the corner (only between sessions)."""
        if not self.collide_point(*touch.pos) or not self._armed():
            return False
        touch.grab(self)
        self._fired = False
        self._event = Clock.schedule_once(self._fire, self.hold_seconds)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        """Sliding out of the corner cancels the press."""
        if touch.grab_current is self and not self.collide_point(*touch.pos):
            self._cancel()
        return touch.grab_current is self

    def on_touch_up(self, touch: Any) -> bool:
        """A release before the hold time is an ordinary tap on the attract screen."""
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        pending = self._event is not None
        self._cancel()
        if pending and not self._fired:
            self.app.controller.tap_attract()
        return True

    def _cancel(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _fire(self, _dt: float) -> None:
        self._event = None
        if not self._armed():
            return
        self._fired = True
        log_event(log, "technician_gesture")
        self.app.controller.lifecycle.enter_technician()


def install_technician(app: Any, services: TechnicianServices,
                       hold_seconds: float = HOLD_SECONDS) -> TechnicianScreen:
    """Add the technician screen and the entry corner to a built `KioskApp`.

    The app rebuilds its screens after every wipe and on a mode change (`_build_screens`); the
    technician screen is added again after each rebuild. (Once the app builds it itself from
    its own screen list, only the corner remains to install here.)
    """
    cls = technician_screen_class(services)

    def add_screen() -> TechnicianScreen:
        screen = cls(app.ctx)
        old = app.screens.get(screen.name)
        if old is not None:
            app.manager.remove_widget(old)
        app.screens[screen.name] = screen
        app.manager.add_widget(screen)
        return screen

    build = getattr(app, "_build_screens", None)
    if build is not None and not getattr(build, "_with_technician", False):
        def build_with_technician() -> None:
            build()
            add_screen()
        build_with_technician._with_technician = True  # type: ignore[attr-defined]
        app._build_screens = build_with_technician
    screen = add_screen()
    corner = TechnicianCorner(app, hold_seconds)
    app.root_widget.add_widget(corner)
    app.technician_corner = corner
    return screen
