"""Window preparation, done before Kivy creates its window: size, borderless full screen,
no keyboard escape, cursor, and the bundled CJK font as Kivy's default.

Kivy's own configuration file (``config.ini`` under KIVY_HOME, writable, under ``var/``) is
neither read nor written: rotation, frame rate and everything else that shapes the window come
from the kiosk's configuration and are pinned here, and Kivy's optional modules (inspector,
keybinding, screen, monitor...) stay off (docs/adr/0430-window-lockdown.md).

Import this module (and call `prepare`) before anything imports `kivy.core.window`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

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
            kivy_home: Path | None = None, rotation: int = 0,
            max_fps: int = 60) -> tuple[int, int]:
    """Configure Kivy for a borderless full-screen kiosk window; return the size used.

    ``rotation`` and ``max_fps`` come from the kiosk's settings (display.rotation,
    display.max_fps); nothing in Kivy's writable config file can change them."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # Kivy's config.ini (and KCFG_* variables) must not shape a kiosk: never read, never written.
    os.environ["KIVY_NO_CONFIG"] = "1"
    os.environ["KIVY_NO_ENV_CONFIG"] = "1"
    # Kivy's own log mode redirects stderr into its logger: keep Python's logging and stderr.
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    home = Path(os.environ.setdefault("KIVY_HOME",
                                      str(kivy_home or REPO_ROOT / "var" / "kivy-home")))
    home.mkdir(parents=True, exist_ok=True)  # Kivy creates only the last level itself
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if not width or not height:
        width, height = display_size()
    from kivy.config import Config

    pin_kivy_config(Config, rotation, max_fps)
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
    return width, height


#: Kivy's graphics keys the kiosk decides itself, whatever Kivy's defaults say. No
#: multisampling: on software GL (Mesa llvmpipe) Kivy's default of 2 becomes 4x MSAA and every
#: frame costs two to three times as much; the UI is flat rectangles and text, and rounded
#: corners are antialiased by their own geometry (docs/adr/0810-cheap-frames-on-software-gl.md).
_PINNED_GRAPHICS = {"fullscreen": "0", "multisamples": "0",
                    "window_state": "visible", "always_on_top": "0"}
#: Kivy's own Linux defaults (the mouse without multitouch emulation; touchscreens found by
#: probesysfs), and nothing a config file adds.
_PINNED_INPUT = {"mouse": "mouse,disable_multitouch", "%(name)s": "probesysfs"}


def pin_kivy_config(config: Any, rotation: int, max_fps: int) -> None:
    """Pin every Kivy setting that changes the app, and detach ``config`` from any file.

    Even when Kivy was imported before `prepare` (and so may have read ``config.ini``), this
    leaves no module activated, no extra input provider, the kiosk's rotation and frame rate,
    no exit on Escape, and no file that `Config.write()` could change."""
    if rotation not in (0, 90, 180, 270):
        raise ValueError(f"rotation must be 0, 90, 180 or 270, got {rotation!r}")
    config.filename = None  # Config.write() now returns False: nothing survives a restart
    for section, pinned in (("modules", {}), ("input", _PINNED_INPUT)):
        for name, _value in list(config.items(section)):
            config.remove_option(section, name)
        for name, value in pinned.items():
            config.set(section, name, value)
    for name, value in _PINNED_GRAPHICS.items():
        config.set("graphics", name, value)
    config.set("graphics", "rotation", str(rotation))
    config.set("graphics", "maxfps", str(max_fps))
    config.set("kivy", "exit_on_escape", "0")
    config.set("kivy", "pause_on_minimize", "0")


def register_font(font_path: Path) -> None:
    """Make the bundled CJK font Kivy's default for every label (whose changes render into
    new textures: kiosk/ui/text_textures.py)."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    from kiosk.ui.text_textures import fresh_textures

    LabelBase.register(DEFAULT_FONT, str(font_path))
    fresh_textures()
