"""Fixtures for accessibility tests: the real pinyin lexicon (cached in a temp dir), a voice
guide writing into a temp cache, and a real Kivy window (SDL offscreen) with a tap helper.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Kivy reads these on import: keep its home out of ~ and render offscreen without a display.
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

WINDOW_SIZE = (1920, 1080)  # the same as tests/ui: one Kivy window per process


@pytest.fixture(scope="session")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The pinyin lexicon built from Pinyin2Hanzi's data (once per test session)."""
    from kiosk.input.dictionary import load_lexicon

    return load_lexicon(tmp_path_factory.mktemp("pinyin-cache"))


@pytest.fixture(scope="session")
def kivy_window() -> Any:
    """Kivy's window, created once, with the bundled CJK font as the default."""
    from kiosk.boot.resources import FONT_PATH
    from kiosk.ui.window import prepare, register_font

    prepare(*WINDOW_SIZE)
    from kivy.base import EventLoop

    register_font(FONT_PATH)
    EventLoop.ensure_window()
    return EventLoop.window


def pump(frames: int = 1) -> None:
    """Run the Kivy loop ``frames`` times (clock, input, drawing)."""
    from kivy.base import EventLoop

    for _ in range(frames):
        EventLoop.idle()


def tap(widget: Any) -> None:
    """Touch the centre of ``widget`` like a finger: down, a frame, up."""
    from kivy.tests.common import UnitTestTouch

    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    pump(1)
    touch.touch_up()
    pump(2)


@pytest.fixture
def show(kivy_window: Any) -> Iterator[Callable[[Any], Any]]:
    """Put a widget on the window (filling it) for the test; removed afterwards."""
    from kivy.uix.boxlayout import BoxLayout

    shown: list[Any] = []

    def _show(widget: Any) -> Any:
        root = BoxLayout(orientation="vertical")
        root.add_widget(widget)
        kivy_window.add_widget(root)
        shown.append(root)
        pump(3)
        return widget

    yield _show
    for root in shown:
        kivy_window.remove_widget(root)
    pump(1)


@pytest.fixture
def voice_cache(tmp_path: Path) -> Path:
    """A fresh folder for synthesised prompts."""
    return tmp_path / "voice"
