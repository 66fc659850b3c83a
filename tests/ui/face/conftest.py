"""A face-check kiosk for the UI tests: the real kiosk (sandbox, simulators) with the camera
simulator switched on, the face check required, and a short capture limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.boot.composition import compose
from kiosk.boot.logs import configure_logging
from kiosk.boot.settings import load_settings
from kiosk.harness.ui_driver import UiDriver
from tests.ui.conftest import UI_DEVICES, RunningKiosk, stop_kiosk

#: The capture limit in these tests (seconds): long enough for a face, short for a time-out.
TEST_CAPTURE_SECONDS = "4"
FACE_ENV = {"KIOSK__DEVICES__CAMERA": "sim://camera", "KIOSK__IDENTITY__FACE_CHECK": "true",
            "KIOSK__IDENTITY__FACE_CAPTURE_SECONDS": TEST_CAPTURE_SECONDS}


def start_face_kiosk(tmp: Path) -> RunningKiosk:
    """The demo kiosk with the face check on (the composition attaches the face flow)."""
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp / "data"), **UI_DEVICES, **FACE_ENV}
    settings = load_settings(environ=env)
    log_file = configure_logging(tmp / "log", "DEBUG")
    composed = compose(settings)
    assert composed.parts.controller.face is not None
    composed.start_devices()
    driver = UiDriver(composed.app)
    return RunningKiosk(composed, driver, tmp / "data", log_file)


@pytest.fixture
def face_kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningKiosk]:
    """One face-check kiosk per module; each test begins at attract with a face in view."""
    running = start_face_kiosk(tmp_path_factory.mktemp("face-kiosk"))
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
