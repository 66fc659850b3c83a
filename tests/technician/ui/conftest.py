"""Technician UI tests: the real kiosk (sandbox, simulators) in a real Kivy window rendered
offscreen, the technician screen mounted as the app will mount it, driven by touches."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["SDL_VIDEODRIVER"] = "offscreen"
os.environ.pop("DISPLAY", None)
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))

from kiosk.boot.resources import FONT_PATH
from kiosk.ui.window import prepare, register_font

prepare(1920, 1080)
register_font(FONT_PATH)

from kiosk.boot.composition import KioskParts, build_kiosk  # noqa: E402
from kiosk.boot.settings import load_settings  # noqa: E402
from kiosk.core.tasks import ThreadRunner  # noqa: E402
from kiosk.harness.ui_driver import UiDriver, find_button  # noqa: E402
from kiosk.technician.device_tests import TestOptions  # noqa: E402
from kiosk.technician.pin import PinStore  # noqa: E402
from kiosk.technician.services import TechnicianServices  # noqa: E402
from kiosk.ui.app import KioskApp, dispatch_to_ui  # noqa: E402
from kiosk.ui.screens.technician import TechnicianScreen  # noqa: E402
from kiosk.ui.technician_entry import install_technician  # noqa: E402

#: Only what the technician tests touch, to keep start-up short.
DEVICES = {"KIOSK__DEVICES__SMARTCARD": "none", "KIOSK__DEVICES__CAMERA": "none",
           "KIOSK__DEVICES__DOCUMENT_PRINTER": "none"}
PIN = "24681357"
#: The hidden long press, shortened for the tests (the kiosk uses 3 s).
TEST_HOLD_SECONDS = 0.4
WAIT_SECONDS = 60.0


class Clock:
    """Wall clock for the PIN store that a test can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        import time

        return time.time() + self.offset


class TechnicianKiosk:
    """A kiosk under test with the technician screen installed."""

    def __init__(self, parts: KioskParts, driver: UiDriver, services: TechnicianServices,
                 runner: ThreadRunner, root: Path, clock: Clock) -> None:
        self.parts = parts
        self.driver = driver
        self.services = services
        self.runner = runner
        self.root = root
        self.clock = clock

    @property
    def screen(self) -> TechnicianScreen:
        """The technician screen now mounted (rebuilt after every wipe)."""
        return self.driver.app.screens["technician"]  # type: ignore[return-value]

    def tap(self, label: str) -> None:
        """Tap the visible button whose label starts with ``label``."""
        self.driver.tap(find_button(self.driver.app.root_widget, label))

    def wait(self, predicate, what: str, timeout: float = WAIT_SECONDS) -> None:
        """Pump the UI until ``predicate()``."""
        self.driver.wait_for(predicate, timeout, what)

    def enter(self) -> None:
        """From attract: the technician mode (by lifecycle, as the gesture does)."""
        self.parts.controller.lifecycle.enter_technician()
        self.wait(lambda: self.driver.app.manager.current == "technician"
                  and self.screen.page == "pin", "technician PIN page")

    def type_pin(self, digits: str) -> None:
        """Tap the digits on the PIN pad, then 确定."""
        keys = {getattr(k, "key", None): k for k in self.screen.keyboard.children}
        for digit in digits:
            self.driver.tap(keys[digit])
        self.tap("确定")

    def log_in(self) -> None:
        """Enter technician mode and type the right PIN."""
        self.enter()
        self.type_pin(PIN)
        self.wait(lambda: self.screen.page == "home", "technician home")

    def leave(self) -> None:
        """Back to attract whatever the state."""
        if self.parts.controller.lifecycle.phase.value != "attract":
            self.parts.controller.lifecycle.end("test")
        self.wait(lambda: self.driver.app.manager.current == "attract", "attract")


@pytest.fixture(scope="module")
def tech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TechnicianKiosk]:
    """One kiosk per module, with a PIN set and a site file in a temp folder."""
    root = tmp_path_factory.mktemp("technician-ui")
    env = {"KIOSK__PATHS__DATA_DIR": str(root / "data"), **DEVICES}
    settings = load_settings(environ=env)
    runner = ThreadRunner(dispatch_to_ui)
    parts = build_kiosk(settings, runner)
    parts.start_devices()
    clock = Clock()
    pins = PinStore(root / "data" / "technician" / "pin.json", clock)
    pins.set_pin(PIN)
    services = TechnicianServices(
        settings, parts.hub, site_file=root / "site.toml", pins=pins, client=parts.client,
        serial_globs=[str(root / "ports" / "tty*")], probe_ipp=False,
        test_options=TestOptions(present_timeout_seconds=10, open_timeout_seconds=10))
    (root / "ports").mkdir()
    app = KioskApp(parts.controller, settings.site_name, prefs=parts.prefs, voice=parts.voice)
    driver = UiDriver(app)
    install_technician(app, services, hold_seconds=TEST_HOLD_SECONDS)
    driver.pump(2)
    kiosk = TechnicianKiosk(parts, driver, services, runner, root, clock)
    kiosk.wait(lambda: parts.hub.usable("idcard"), "idcard ready")
    yield kiosk
    driver.close()
    runner.shutdown()
    parts.close()


@pytest.fixture(autouse=True)
def _at_attract(request: pytest.FixtureRequest) -> Iterator[None]:
    if "tech" in request.fixturenames:
        request.getfixturevalue("tech").leave()
    yield
