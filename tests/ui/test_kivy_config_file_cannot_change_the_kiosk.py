"""Kivy's own config file (config.ini under KIVY_HOME, writable, under var/) asks for a rotated
screen, 5 frames a second, exit on Escape, the inspector and keybinding modules, an extra input
provider: none of it takes effect, and nothing the kiosk does writes that file.

A fresh process prepares the window exactly as `kiosk run` does (kiosk.ui.window.prepare with
the kiosk's display settings), creates the real SDL window and reports what Kivy ended up with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from kiosk.boot.settings import ConfigError, load_settings

HOSTILE_INI = """\
[kivy]
exit_on_escape = 1
config_version = 24
[graphics]
rotation = 90
maxfps = 5
fullscreen = auto
[input]
evil = probesysfs
[modules]
inspector =
keybinding =
monitor =
"""

CHILD = """
import json, sys
from kiosk.boot.settings import load_settings
from kiosk.ui.window import prepare
settings = load_settings()
prepare(800, 600, rotation=settings.display.rotation, max_fps=settings.display.max_fps)
from kivy.base import EventLoop
EventLoop.ensure_window()
from kivy.clock import Clock
from kivy.config import Config
from kivy.core.window import Window
from kivy.modules import Modules
print(json.dumps({
    "rotation": Window.rotation,
    "maxfps": Clock._max_fps,
    "exit_on_escape": Config.getboolean("kivy", "exit_on_escape"),
    "modules": sorted(n for n, m in Modules.list().items() if m.get("activated")),
    "inputs": sorted(Config.options("input")),
    "fullscreen": Config.get("graphics", "fullscreen"),
    "written": Config.write(),
}))
"""


def _run_child(tmp_path: Path, env_extra: dict[str, str]) -> dict[str, object]:
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1", KIVY_HOME=str(tmp_path / "kivy-home"),
               PYTHONPATH=str(REPO_ROOT), KIOSK__PATHS__DATA_DIR=str(tmp_path / "data"),
               **env_extra)
    env.pop("DISPLAY", None)
    env.pop("KIVY_NO_CONFIG", None)
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_hostile_kivy_config_file_changes_nothing_and_is_not_rewritten(tmp_path: Path) -> None:
    home = tmp_path / "kivy-home"
    home.mkdir()
    ini = home / "config.ini"
    ini.write_text(HOSTILE_INI)
    got = _run_child(tmp_path, {"KCFG_GRAPHICS_ROTATION": "180"})
    assert got["rotation"] == 0
    assert got["maxfps"] == 60.0  # display.max_fps's default
    assert got["exit_on_escape"] is False
    assert got["modules"] == []
    assert got["inputs"] == ["%(name)s", "mouse"]  # Kivy's defaults; "evil" is gone
    assert got["fullscreen"] == "0"
    assert got["written"] is False  # Config.write() has no file to write to
    assert ini.read_text() == HOSTILE_INI


def test_rotation_and_frame_rate_come_from_the_kiosk_settings(tmp_path: Path) -> None:
    got = _run_child(tmp_path, {"KIOSK__DISPLAY__ROTATION": "270",
                                "KIOSK__DISPLAY__MAX_FPS": "30"})
    assert got["rotation"] == 270
    assert got["maxfps"] == 30.0
    assert not (tmp_path / "kivy-home" / "config.ini").exists()  # never created either


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("ROTATION", "45", "display.rotation"),
    ("MAX_FPS", "0", "display.max_fps"),
])
def test_a_bad_pinned_value_names_its_variable_and_key(key: str, value: str,
                                                       expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={f"KIOSK__DISPLAY__{key}": value})
    assert f"KIOSK__DISPLAY__{key}" in str(caught.value)
    assert expected in str(caught.value)
