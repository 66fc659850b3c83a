"""The window cannot be changed from a keyboard: a stray or hostile keyboard plugged into a
terminal reaches no settings panel, inspector, rotation, screenshot or exit, in any profile.

Kivy binds such keys in three places: the App (F1 opens the settings panel, Escape closes it),
the window itself (Escape and Cmd+Q/W close it) and its optional modules (keybinding: F11
rotates, F12 writes a screenshot; inspector and console: Ctrl+E). `lock_window` turns off the
modules and puts a guard first in line on the window's key events that swallows every function
key, Escape, and any key pressed with Ctrl, Alt or the system key, so none of those handlers sees
them. Plain keys still reach a focused text field. Closing the window is refused whatever asks
(keyboard or window manager); SIGTERM and SIGINT stop the kiosk (kiosk.ui.stopping).

The rotation is pinned: if anything sets another one, it is put back at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kiosk.core.events import log_event

log = logging.getLogger(__name__)

ESCAPE = 27
#: Kivy's key codes of F1..F15 (SDL function keys as Kivy numbers them).
FUNCTION_KEYS = range(282, 297)
#: Other keys that belong to the system rather than to typing.
SYSTEM_KEYS = frozenset({ESCAPE, 19, 144, 145})  # escape, pause, print, screenlock
#: SDL passes keys Kivy has no number for (F16-F24, menu, volume, app keys) as SDL key codes,
#: which all have this bit set; none of them types a character.
SDL_SCANCODE_BIT = 1 << 30
#: Modifiers that turn any key into a command.
COMMAND_MODIFIERS = frozenset({"ctrl", "alt", "meta"})


def is_command_key(key: int, modifiers: Sequence[str] | None) -> bool:
    """True for keys that would command the app rather than type a character."""
    if key in FUNCTION_KEYS or key in SYSTEM_KEYS or key & SDL_SCANCODE_BIT:
        return True
    return bool(COMMAND_MODIFIERS.intersection(modifiers or ()))


@dataclass
class WindowLock:
    """What `lock_window` bound, so a test harness can take it off again."""

    window: Any
    rotation: int
    swallowed: int = 0

    def on_key(self, _window: Any, key: int, _scancode: Any = None, _codepoint: Any = None,
               modifiers: Sequence[str] | None = None, *_args: Any) -> bool:
        """Swallow command keys before any other handler sees them."""
        if is_command_key(key, modifiers):
            self.swallowed += 1
            log_event(log, "command_key_ignored", key=key)
            return True
        return False

    def on_request_close(self, *_args: Any, **_kwargs: Any) -> bool:
        """Refuse: the kiosk window is closed only by stopping the process."""
        log_event(log, "window_close_refused")
        return True

    def on_rotation(self, *_args: Any) -> None:
        """Put the pinned rotation back."""
        if self.window.rotation != self.rotation:
            log_event(log, "rotation_restored", logging.WARNING, rotation=self.rotation)
            self.window.rotation = self.rotation

    def unlock(self) -> None:
        """Remove the guard (test harnesses that reuse one window for several apps)."""
        self.window.unbind(on_key_down=self.on_key, on_keyboard=self.on_key,
                           on_request_close=self.on_request_close, rotation=self.on_rotation)


def lock_window(window: Any, rotation: int) -> WindowLock:
    """Turn off Kivy's modules on ``window`` and guard its keys, closing and rotation."""
    from kivy.modules import Modules

    for name, module in list(Modules.list().items()):
        if module.get("activated"):
            Modules.deactivate_module(name, window)
            log_event(log, "kivy_module_disabled", logging.WARNING, module=name)
    lock = WindowLock(window, rotation)
    if window.rotation != rotation:
        window.rotation = rotation
    # bound last, so called first: Kivy calls a window's handlers newest first
    window.bind(on_key_down=lock.on_key, on_keyboard=lock.on_key,
                on_request_close=lock.on_request_close, rotation=lock.on_rotation)
    return lock
