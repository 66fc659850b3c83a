"""A module imported on first use: OpenCV and numpy stay out of the kiosk's start-up.

``cv2 = lazy_module("cv2")`` at the top of a camera module keeps its names importable (the
screens and the face check import guidance enums and types from them) while OpenCV itself
(~0.5 s of imports and ~32 MB) loads at the first attribute a frame needs. Type checkers see the
real import under ``TYPE_CHECKING`` (docs/adr/0785-attract-frame-first.md).
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any

_lock = threading.Lock()


class LazyModule:
    """Stands for a module until an attribute is asked for, then forwards to the real one."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        module = self._module
        if module is None:
            with _lock:  # a camera thread and the UI thread may both ask first
                if self._module is None:
                    self._module = importlib.import_module(self._name)
                module = self._module
        return module

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """A stand-in for ``import name`` that imports it at the first attribute access."""
    return LazyModule(name)
