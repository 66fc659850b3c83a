"""A configured camera that is not there at start-up is a status, not a crash; when it
appears, frames start. A video file source plays through cv2.VideoCapture and loops."""

from __future__ import annotations

import shutil
from pathlib import Path

from drivers.camera import open_camera, synth
from drivers.status import DeviceState
from tests.drivers.device_events import Events, wait_until


def test_missing_then_present(tmp_path: Path) -> None:
    video = tmp_path / "later.avi"
    camera = open_camera(f"opencv+file://{video}", reconnect_delay_s=0.05, pace_fps=200)
    events = Events()
    try:
        camera.start(events)
        missing = events.wait_for(lambda e: e.kind == "status")
        assert missing.payload.state is DeviceState.NO_DEVICE
        assert "later.avi" in missing.payload.reason
        written = synth.write_scene(tmp_path, "document", (320, 240))
        shutil.move(written, video)
        events.wait_for(lambda e: e.kind == "status" and e.payload.state is DeviceState.READY)
        # ten frames in the file; looping carries the pump well past them
        wait_until(lambda: camera.stats().frames > 30)
        assert camera.latest() is not None and camera.latest().size == (320, 240)
    finally:
        camera.stop()


def test_missing_device_path_is_no_device() -> None:
    camera = open_camera("opencv:///dev/video-kiosk-test-absent", reconnect_delay_s=0.05)
    try:
        camera.start(Events())
        wait_until(lambda: camera.status().state is DeviceState.NO_DEVICE
                   and "no camera" in camera.status().reason)
        assert camera.latest() is None
    finally:
        camera.stop()


def test_missing_camera_index_is_no_device() -> None:
    camera = open_camera("opencv://97", reconnect_delay_s=0.05)
    try:
        camera.start(Events())
        wait_until(lambda: "index 97" in camera.status().reason)
        assert camera.status().state is DeviceState.NO_DEVICE
    finally:
        camera.stop()
