"""A face-check kiosk for the UI tests: the real kiosk (sandbox, simulators) with the camera
simulator switched on and the face check required.

The capture's time limit is long and its clock is `FaceClock` (real time plus what a test
adds): a test that wants the time-out moves the clock past the limit once it has seen what it
checks. With a short limit on the wall clock, a loaded machine could run it out before the test
saw the guidance (the old flake of test_dark_shows_guidance_then_times_out)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.boot.composition import compose
from kiosk.boot.logs import configure_logging
from kiosk.boot.settings import load_settings
from kiosk.harness.ui_driver import UiDriver
from tests.ui.conftest import UI_DEVICES, RunningKiosk, stop_kiosk

#: The capture limit in these tests (seconds; the setting's largest): never reached by waiting.
TEST_CAPTURE_SECONDS = "120"
FACE_ENV = {"KIOSK__DEVICES__CAMERA": "sim://camera", "KIOSK__IDENTITY__FACE_CHECK": "true",
            "KIOSK__IDENTITY__FACE_CAPTURE_SECONDS": TEST_CAPTURE_SECONDS}


class FaceClock:
    """The face check's clock: real time (frames are analysed, a stalled camera noticed) plus
    what a test adds with `run_out`."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def run_out(self) -> None:
        """Move past the capture limit: the capture now running times out at its next poll."""
        self.offset += float(TEST_CAPTURE_SECONDS) + 1


def start_face_kiosk(tmp: Path, clock: FaceClock | None = None) -> RunningKiosk:
    """The demo kiosk with the face check on (the composition attaches the face flow), its
    capture timed by ``clock`` when given."""
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp / "data"), **UI_DEVICES, **FACE_ENV}
    settings = load_settings(environ=env)
    log_file = configure_logging(tmp / "log", "DEBUG")
    composed = compose(settings)
    assert composed.parts.controller.face is not None
    if clock is not None:  # before the first check, which keeps the flow's clock
        composed.parts.controller.face._clock = clock
    composed.start_devices()
    driver = UiDriver(composed.app)
    return RunningKiosk(composed, driver, tmp / "data", log_file)


@pytest.fixture(scope="module")
def face_clock() -> FaceClock:
    """The clock of this module's face checks."""
    return FaceClock()


@pytest.fixture(scope="module")
def face_kiosk(tmp_path_factory: pytest.TempPathFactory,
               face_clock: FaceClock) -> Iterator[RunningKiosk]:
    """One face-check kiosk per module; each test begins at attract with a face in view."""
    running = start_face_kiosk(tmp_path_factory.mktemp("face-kiosk"), face_clock)
    running.wait_devices_ready("idcard", "camera")
    yield running
    stop_kiosk(running)


@pytest.fixture(autouse=True)
def _face_begins_at_attract(request: pytest.FixtureRequest) -> Iterator[None]:
    if "face_kiosk" in request.fixturenames:
        running: RunningKiosk = request.getfixturevalue("face_kiosk")
        if running.app.manager.current != "attract":
            running.back_to_attract()
        camera = running.sim("camera")
        camera.replug()
        camera.set_scene("face")
        running.wait_devices_ready("camera")
    yield
