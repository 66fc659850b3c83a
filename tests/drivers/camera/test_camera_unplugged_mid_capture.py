"""The camera is unplugged in the middle of a face capture: the driver reports no_device
(a value, no traceback), keeps retrying, and once the camera is back the capture completes."""

from __future__ import annotations

import threading

from drivers.camera import open_camera
from drivers.camera.face import FaceAnalyser, FaceCapture
from drivers.status import DeviceState
from tests.drivers.device_events import Events, wait_until


def test_unplug_mid_capture_then_reconnect() -> None:
    camera = open_camera("sim://camera", width=320, height=240, scene="far_face",
                         reconnect_delay_s=0.05)
    sim = camera.simulator
    assert sim is not None
    events = Events()
    capture = FaceCapture(FaceAnalyser())
    try:
        camera.start(events)
        frame = camera.wait_newer(0, timeout_s=10)
        assert frame is not None
        step = capture.feed(frame.image)
        assert step.captured is None  # too far: the capture is under way, not done
        threads_before = threading.active_count()

        sim.unplug()
        gone = events.wait_for(lambda e: e.kind == "status"
                               and e.payload.state is DeviceState.NO_DEVICE)
        assert not camera.status().usable
        assert "Traceback" not in gone.payload.reason
        stalled_at = camera.stats().frames
        assert camera.wait_newer(camera.latest().seq, timeout_s=0.3) is None  # no frames

        sim.set_scene("face")  # the resident steps closer while the camera is away
        sim.replug()
        back = len(events.items)
        events.wait_for(lambda e: e.kind == "status" and e.payload.state is DeviceState.READY,
                        start=back)
        assert camera.stats().reconnects >= 1
        assert camera.stats().frames > stalled_at
        assert threading.active_count() <= threads_before  # no thread left per reconnect

        seq = camera.latest().seq
        for _ in range(100):
            frame = camera.wait_newer(seq, timeout_s=5)
            assert frame is not None
            seq = frame.seq
            step = capture.feed(frame.image)
            if step.captured is not None:
                break
        assert step.captured is not None
        assert step.captured.to_jpeg()[:2] == b"\xff\xd8"
    finally:
        camera.stop()
        sim.close()


def test_repeated_unplugs_keep_one_pump_thread() -> None:
    camera = open_camera("sim://camera", width=160, height=120, reconnect_delay_s=0.02)
    sim = camera.simulator
    assert sim is not None
    try:
        camera.start(Events())
        wait_until(lambda: camera.stats().frames > 0)
        for _ in range(10):
            sim.unplug()
            wait_until(lambda: camera.status().state is DeviceState.NO_DEVICE)
            sim.replug()
            wait_until(lambda: camera.status().state is DeviceState.READY)
        names = [t.name for t in threading.enumerate()]
        assert names.count("camera-pump") == 1
        assert camera.stats().reconnects >= 10
    finally:
        camera.stop()
        sim.close()
