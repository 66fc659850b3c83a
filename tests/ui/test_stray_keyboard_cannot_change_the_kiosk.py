"""A keyboard plugged into a terminal: F1, the other function keys, Escape, Alt+F4, Ctrl+E,
Ctrl+Q... reach no settings panel, inspector, rotation, screenshot or exit, in either profile.

The app is the one `kiosk run` builds (kiosk.boot.launcher.compose) and is started the way
App.run() starts it (UiDriver uses App._run_prepare, which installs Kivy's F1 binding); key
events are dispatched on the real Window exactly as Kivy's SDL loop does (on_key_down, then
on_keyboard unless on_key_down was handled). Before composing, Kivy's inspector and keybinding
modules are switched on through Kivy's own module registry, as a `[modules]` section in Kivy's
config file would do, so that F11, F12 and Ctrl+E have something to reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kivy.config import Config
from kivy.core.window import Window
from kivy.modules import Modules
from kivy.uix.settings import Settings as KivySettingsPanel

from kiosk.boot.launcher import ComposedKiosk, compose
from kiosk.boot.settings import load_settings
from kiosk.harness.ui_driver import UiDriver
from kiosk.trust.ca import demo_pki

KEY = {"escape": 27, "f1": 282, "f4": 285, "f11": 292, "f12": 293, "e": 101, "q": 113,
       "w": 119, "a": 97, "f16": 1073741931, "menu": 1073741942}
#: (what a person presses, key, modifiers)
COMMAND_PRESSES = [
    ("F1 (Kivy settings)", KEY["f1"], []),
    ("F1 twice (toggle)", KEY["f1"], []),
    ("Escape (exit)", KEY["escape"], []),
    ("F11 (rotate)", KEY["f11"], []),
    ("Shift+F11 (portrait)", KEY["f11"], ["shift"]),
    ("F12 (screenshot)", KEY["f12"], []),
    ("Ctrl+E (inspector)", KEY["e"], ["ctrl"]),
    ("Alt+F4 (close)", KEY["f4"], ["alt"]),
    ("Ctrl+Q (quit)", KEY["q"], ["ctrl"]),
    ("Meta+W (close)", KEY["w"], ["meta"]),
    ("F16", KEY["f16"], []),
    ("Menu key", KEY["menu"], []),
]
DEVICES_OFF = {f"KIOSK__DEVICES__{d}": "none" for d in (
    "IDCARD", "SMARTCARD", "CAMERA", "SCANNER", "RECEIPT_PRINTER", "DOCUMENT_PRINTER")}


def press(key: int, modifiers: list[str], codepoint: str | None = None) -> bool:
    """One key press as Kivy's SDL window dispatches it; True when some handler took it."""
    if Window.dispatch("on_key_down", key, 0, codepoint, modifiers):
        return True
    return bool(Window.dispatch("on_keyboard", key, 0, codepoint, modifiers))


def _switch_on_kivy_modules() -> list[str]:
    """What Kivy's `[modules]` config section does at window creation."""
    names = ["inspector", "keybinding"]
    for name in names:
        Config.set("modules", name, "")
    Modules.update()
    return names


@pytest.fixture(params=["demo", "site"])
def composed(request: pytest.FixtureRequest, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ComposedKiosk, UiDriver]]:
    """The production composition in either profile, with Kivy's modules switched on first."""
    monkeypatch.chdir(tmp_path)  # where Kivy's F12 would drop its screenshot
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp_path / "data"), "KIOSK__PROFILE": request.param,
           **DEVICES_OFF}
    if request.param == "site":  # nothing listens there; the kiosk starts all the same
        terminal = demo_pki(tmp_path / "pki", "HALL-01").terminal  # mutual TLS, as on site
        env.update({"KIOSK__TERMINAL_ID": "HALL-01",
                    "KIOSK__PLATFORM__BASE_URL": "https://127.0.0.1:9/api",
                    "KIOSK__PLATFORM__CA_FILE": str(terminal.ca_file),
                    "KIOSK__PLATFORM__CERT_FILE": str(terminal.cert_file),
                    "KIOSK__PLATFORM__KEY_FILE": str(terminal.key_file)})
    settings = load_settings(environ=env)
    modules = _switch_on_kivy_modules()
    kiosk = compose(settings, 1920, 1080, site_file=tmp_path / "site.toml")
    driver = UiDriver(kiosk.app)
    driver.wait_for(kiosk.started.is_set, what="first frame")
    for name in modules:
        assert not Modules.list()[name]["activated"], f"Kivy module {name} still active"
    yield kiosk, driver
    driver.close()
    kiosk.runner.shutdown()
    kiosk.parts.close()
    for name in modules:
        Config.remove_option("modules", name)


def test_command_keys_reach_no_settings_inspector_rotation_screenshot_or_exit(
        composed: tuple[ComposedKiosk, UiDriver], tmp_path: Path) -> None:
    kiosk, driver = composed
    app = kiosk.app
    rotation = Window.rotation
    before = set(Window.children)
    for what, key, modifiers in COMMAND_PRESSES:
        taken = press(key, list(modifiers))
        driver.pump(2)
        assert taken, f"{what}: nothing took the key, so Kivy's defaults could act on it"
        assert app._app_settings is None, f"{what} built Kivy's settings panel"
        assert not [w for w in Window.children if isinstance(w, KivySettingsPanel)], what
        assert set(Window.children) == before, f"{what} put something on the window"
        assert Window.rotation == rotation, f"{what} rotated the screen"
        assert not list(tmp_path.glob("screenshot*.png")), f"{what} wrote a screenshot"
        assert app.root in Window.children and app.manager.current in ("attract",
                                                                        "out_of_service")
    assert app.window_lock.swallowed == len(COMMAND_PRESSES)
    assert Config.getboolean("kivy", "exit_on_escape") is False


def test_closing_the_window_is_refused_and_the_app_keeps_running(
        composed: tuple[ComposedKiosk, UiDriver]) -> None:
    kiosk, driver = composed
    # what SDL sends for Alt+F4 from a window manager, or a click on a close button
    assert Window.dispatch("on_request_close") is True
    assert Window.dispatch("on_request_close", source="keyboard") is True
    driver.pump(2)
    assert kiosk.app.root in Window.children


def test_opening_the_settings_panel_directly_is_refused(
        composed: tuple[ComposedKiosk, UiDriver]) -> None:
    kiosk, driver = composed
    assert kiosk.app.open_settings() is False
    driver.pump(2)
    assert kiosk.app._app_settings is None


def test_a_rotation_set_by_anything_is_put_back(composed: tuple[ComposedKiosk, UiDriver]) -> None:
    kiosk, driver = composed
    pinned = Window.rotation
    Window.rotation = (pinned + 90) % 360
    driver.pump(2)
    assert Window.rotation == pinned == kiosk.app.window_lock.rotation


def test_plain_typing_still_reaches_the_app(composed: tuple[ComposedKiosk, UiDriver]) -> None:
    kiosk, _driver = composed
    swallowed = kiosk.app.window_lock.swallowed
    press(KEY["a"], [], "a")
    press(KEY["a"], ["shift"], "A")
    assert kiosk.app.window_lock.swallowed == swallowed  # letters are not commands
