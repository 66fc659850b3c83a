"""Technician UI tests: the kiosk exactly as `kiosk run` composes it
(kiosk.boot.composition.compose:
sandbox, simulators, technician mode) in a real Kivy window rendered offscreen, driven by
touches. The tests change only the composition's parameters: a clock they can move (the corner
hold, PIN lockouts), the data folder, a site file and serial-port folder of their own."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
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

from kivy.tests.common import UnitTestTouch  # noqa: E402

from kiosk.boot.composition import (  # noqa: E402
    ComposedKiosk,
    KioskParts,
    TechnicianSetup,
    compose,
)
from kiosk.boot.settings import load_settings  # noqa: E402
from kiosk.core.session import Phase  # noqa: E402
from kiosk.harness.ui_driver import UiDriver, find_button  # noqa: E402  # noqa: E402
from kiosk.technician.controller import (  # noqa: E402
    DeviceEdit,
    TechnicianController,
    TechnicianState,
)
from kiosk.technician.device_tests import TestOptions  # noqa: E402
from kiosk.technician.services import TechnicianServices  # noqa: E402
from kiosk.ui.screens.technician import TechnicianScreen  # noqa: E402

#: Only what the technician tests touch, to keep start-up short.
DEVICES = {"KIOSK__DEVICES__SMARTCARD": "none", "KIOSK__DEVICES__CAMERA": "none",
           "KIOSK__DEVICES__DOCUMENT_PRINTER": "none"}
PIN = "24681357"
WAIT_SECONDS = 60.0


class MovableClock:
    """A clock (monotonic or wall) that a test can move forward: the composition's ``clock``
    (sessions, the corner hold) and ``wall_clock`` (PIN lockouts) parameters."""

    def __init__(self, base: Callable[[], float]) -> None:
        self.base = base
        self.offset = 0.0

    def __call__(self) -> float:
        return self.base() + self.offset


class TechnicianKiosk:
    """A kiosk as `kiosk run` composes it, driven into technician mode by touches."""

    def __init__(self, composed: ComposedKiosk, driver: UiDriver, root: Path,
                 clock: MovableClock, wall_clock: MovableClock) -> None:
        self.composed = composed
        self.parts: KioskParts = composed.parts
        self.driver = driver
        self.root = root
        self.clock = clock
        self.wall_clock = wall_clock

    @property
    def technician(self) -> TechnicianController:
        """The technician controller of the composed kiosk."""
        assert self.parts.technician is not None
        return self.parts.technician

    @property
    def services(self) -> TechnicianServices:
        """The technician's services (site file, PINs, device tests)."""
        return self.technician.services

    @property
    def state(self) -> TechnicianState:
        """The technician controller's current state."""
        return self.technician.state

    @property
    def device(self) -> DeviceEdit:
        """The device page's state (only while it shows)."""
        edit = self.technician.state.device
        assert edit is not None, "the device page is not showing"
        return edit

    @property
    def screen(self) -> TechnicianScreen:
        """The technician screen now mounted (rebuilt after every wipe)."""
        return self.driver.app.screens["technician"]  # type: ignore[return-value]

    def tap(self, label: str) -> None:
        """Tap the visible button whose label starts with ``label``."""
        self.driver.tap(find_button(self.driver.app.root_widget, label))

    def wait(self, predicate: Callable[[], bool], what: str,
             timeout: float = WAIT_SECONDS) -> None:
        """Pump the UI until ``predicate()``."""
        self.driver.wait_for(predicate, timeout, what)

    def hold_corner(self) -> None:
        """The hidden gesture: a finger down in the bottom-left corner of attract, held for
        the hold time on the kiosk's clock, then lifted."""
        touch = UnitTestTouch(8, 8)
        touch.touch_down()
        self.driver.pump(2)
        self.clock.offset += self.technician.hold_seconds
        self.wait(lambda: self.parts.lifecycle.phase is Phase.TECHNICIAN, "the hold fires")
        touch.touch_up()
        self.driver.pump(2)

    def enter(self) -> None:
        """From attract: the corner hold, then the PIN page."""
        self.hold_corner()
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
        if self.parts.lifecycle.phase.value != "attract":
            self.parts.lifecycle.end("test")
        self.wait(lambda: self.driver.app.manager.current == "attract", "attract")


def start_technician_kiosk(root: Path, extra_env: dict[str, str] | None = None,
                           ) -> TechnicianKiosk:
    """The kiosk from the composition root, its site file and serial ports in ``root``."""
    env = {"KIOSK__PATHS__DATA_DIR": str(root / "data"), **DEVICES, **(extra_env or {})}
    settings = load_settings(environ=env)
    clock, wall_clock = MovableClock(time.monotonic), MovableClock(time.time)
    (root / "ports").mkdir(exist_ok=True)
    composed = compose(settings, clock=clock, wall_clock=wall_clock,
                       site_file=root / "site.toml",
                       technician=TechnicianSetup(
                           serial_globs=(str(root / "ports" / "tty*"),), probe_ipp=False,
                           test_options=TestOptions(present_timeout_seconds=10,
                                                    open_timeout_seconds=10)))
    assert composed.parts.technician is not None
    pins = composed.parts.technician.services.pins
    assert pins is not None
    pins.set_pin(PIN)
    composed.start_devices()
    driver = UiDriver(composed.app)
    kiosk = TechnicianKiosk(composed, driver, root, clock, wall_clock)
    kiosk.wait(lambda: composed.parts.hub.usable("idcard"), "idcard ready")
    return kiosk


@pytest.fixture(scope="module")
def tech(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TechnicianKiosk]:
    """One kiosk per module, with a PIN set and a site file in a temp folder."""
    kiosk = start_technician_kiosk(tmp_path_factory.mktemp("technician-ui"))
    yield kiosk
    kiosk.driver.close()
    kiosk.composed.close()


@pytest.fixture(autouse=True)
def _at_attract(request: pytest.FixtureRequest) -> Iterator[None]:
    if "tech" in request.fixturenames:
        request.getfixturevalue("tech").leave()
    yield
