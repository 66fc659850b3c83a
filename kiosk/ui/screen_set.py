"""The app's screens by name, each built the first time it is needed.

Building all 23 screens before the attract screen was drawn cost 230-280 ms of start-up; the
attract screen is built at once, the others on first use or one per frame in idle time after
the first frame (`fill_one`); after a wipe the screens that showed something are dropped (`drop`)
and built again the same way. ``screens["home"]`` always answers (it builds the screen if it
does not exist yet), and ``name in screens`` says whether a screen of that name can exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.screenmanager import ScreenManager

from kiosk.ui.screens.base import KioskScreen

#: Builds one screen.
Factory = Callable[[], KioskScreen]


class ScreenSet(dict[str, KioskScreen]):
    """Built screens (the dict) plus the factories of the ones not built yet."""

    def __init__(self, manager: ScreenManager) -> None:
        super().__init__()
        self.manager = manager
        self.factories: dict[str, Factory] = {}

    def __missing__(self, name: str) -> KioskScreen:
        factory = self.factories.get(name)
        if factory is None:
            raise KeyError(name)
        screen = factory()
        self[name] = screen
        self.manager.add_widget(screen)
        return screen

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in self.factories

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        """The screen ``name`` (built now if need be), or ``default`` if there is none."""
        return self[name] if name in self else default  # noqa: SIM401 - builds on demand

    def built(self, name: str) -> bool:
        """Whether ``name`` exists already (no building)."""
        return dict.__contains__(self, name)

    def reset(self, factories: dict[str, Factory]) -> None:
        """Drop every screen (off the manager) and start again from ``factories``."""
        for old in list(self.values()):
            self.manager.remove_widget(old)
        self.clear()
        self.factories = dict(factories)

    def rebuild(self, name: str) -> None:
        """Replace the built screen ``name`` with a fresh one (nothing if not built)."""
        old = dict.get(self, name)
        factory = self.factories.get(name)
        if old is None or factory is None:
            return
        fresh = factory()
        self.manager.remove_widget(old)
        self[name] = fresh
        self.manager.add_widget(fresh)

    def drop(self, name: str) -> None:
        """Forget the built screen ``name`` (taken off the manager; nothing is built now): it is
        built again by `fill_one` in idle time, or when it is next asked for."""
        old = dict.pop(self, name, None)
        if old is not None:
            self.manager.remove_widget(old)

    def fill_one(self) -> bool:
        """Build one screen not built yet; False when all are built."""
        for name in self.factories:
            if not self.built(name):
                self[name]  # __missing__ builds it
                return True
        return False
