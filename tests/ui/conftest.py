"""UI tests: the real kiosk (sandbox over HTTP, simulators behind ptys/sockets/daemons, SQLite)
in a real Kivy window rendered with SDL offscreen, driven by touches.

One kiosk per test module (starting devices takes seconds); every test starts at attract and
the session wipe between tests is itself part of what is tested.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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

from kiosk.boot.composition import ComposedKiosk, compose  # noqa: E402
from kiosk.boot.logs import configure_logging  # noqa: E402
from kiosk.boot.settings import load_settings  # noqa: E402
from kiosk.harness.ui_driver import UiDriver  # noqa: E402
from kiosk.ui.app import KioskApp  # noqa: E402  # noqa: E402

#: Devices a UI test module does not need are switched off to keep start-up short.
UI_DEVICES = {"KIOSK__DEVICES__SMARTCARD": "none", "KIOSK__DEVICES__CAMERA": "none"}
DEVICE_READY_SECONDS = 60.0


class RunningKiosk:
    """A kiosk under test (built by the composition root): its parts, the UI driver and its
    data folder."""

    def __init__(self, composed: ComposedKiosk, driver: UiDriver, data_dir: Path,
                 log_file: Path):
        self.composed = composed
        self.parts = composed.parts
        self.driver = driver
        self.data_dir = data_dir
        self.log_file = log_file

    @property
    def app(self) -> KioskApp:
        """The Kivy app."""
        return self.driver.app

    def sim(self, device: str) -> Any:
        """The simulator behind a device."""
        simulator = self.parts.hub.simulator(device)
        assert simulator is not None, f"{device} is not simulated"
        return simulator

    def wait_devices_ready(self, *names: str) -> None:
        """Pump the UI until every named device is usable."""
        self.driver.wait_for(lambda: all(self.parts.hub.usable(n) for n in names),
                             DEVICE_READY_SECONDS, f"devices {names} ready")

    def present_id_card(self, key: str = "worker") -> None:
        """Place a sandbox resident's ID card until identified, then take it away
        (kiosk.harness.ui_journeys.present_id_card)."""
        from kiosk.harness.ui_journeys import present_id_card

        present_id_card(self.driver, self.parts.hub, key)

    def back_to_attract(self) -> None:
        """End any session (as 退出 does) and wait for the attract screen."""
        self.parts.controller.finish()
        self.driver.wait_for_screen("attract")


def start_kiosk(tmp: Path, extra_env: dict[str, str] | None = None,
                clock: Callable[[], float] = time.monotonic) -> RunningKiosk:
    """Build (kiosk.boot.composition.compose) and start a demo kiosk with its data in ``tmp``;
    ``clock`` times its sessions (a test that must not race a countdown passes its own)."""
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp / "data"), **UI_DEVICES, **(extra_env or {})}
    settings = load_settings(environ=env)
    log_file = configure_logging(tmp / "log", "DEBUG")
    composed = compose(settings, clock=clock)
    composed.start_devices()
    driver = UiDriver(composed.app)
    return RunningKiosk(composed, driver, tmp / "data", log_file)


def stop_kiosk(kiosk: RunningKiosk) -> None:
    """Stop everything the kiosk started."""
    kiosk.driver.close()
    kiosk.composed.close()


@pytest.fixture(scope="module")
def kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningKiosk]:
    """One running kiosk for the module; each test begins at attract."""
    running = start_kiosk(tmp_path_factory.mktemp("kiosk"))
    running.wait_devices_ready("idcard", "document_printer", "receipt_printer")
    yield running
    stop_kiosk(running)


@pytest.fixture(autouse=True)
def _begin_at_attract(request: pytest.FixtureRequest) -> Iterator[None]:
    if "kiosk" in request.fixturenames:
        running: RunningKiosk = request.getfixturevalue("kiosk")
        if running.app.manager.current != "attract":
            running.back_to_attract()
    yield
