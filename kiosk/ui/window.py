"""Window preparation, done before Kivy creates its window: size, borderless full screen,
no keyboard escape, cursor, and the bundled CJK font as Kivy's default.

Import this module (and call `prepare`) before anything imports `kivy.core.window`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from kiosk import REPO_ROOT

FALLBACK_SIZE = (1920, 1080)


def display_size() -> tuple[int, int]:
    """The X display's size via xdpyinfo, or 1920x1080 when it cannot be asked."""
    if os.environ.get("DISPLAY") and shutil.which("xdpyinfo"):
        try:
            out = subprocess.run(["xdpyinfo"], capture_output=True, text=True, timeout=5).stdout
            match = re.search(r"dimensions:\s+(\d+)x(\d+)", out)
            if match:
                return int(match.group(1)), int(match.group(2))
        except (OSError, subprocess.SubprocessError):
            pass
    return FALLBACK_SIZE


def prepare(width: int = 0, height: int = 0, hide_cursor: bool = False,
            kivy_home: Path | None = None) -> tuple[int, int]:
    """Configure Kivy for a borderless full-screen kiosk window; return the size used."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # Kivy's own log mode redirects stderr into its logger: keep Python's logging and stderr.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_HOME", str(kivy_home or REPO_ROOT / "var" / "kivy-home"))
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if not width or not height:
        width, height = display_size()
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "borderless", "1")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "position", "custom")
    Config.set("graphics", "left", "0")
    Config.set("graphics", "top", "0")
    Config.set("graphics", "show_cursor", "0" if hide_cursor else "1")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    return width, height


def register_font(font_path: Path) -> None:
    """Make the bundled CJK font Kivy's default for every label."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(DEFAULT_FONT, str(font_path))
