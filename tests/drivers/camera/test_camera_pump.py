"""The frame pump plays the simulator's synthetic video through the real cv2.VideoCapture path:
frames arrive, the queue is bounded (oldest dropped), frame events are optional, scene switches
show up in the frames, and stop() leaves no thread behind."""

from __future__ import annotations

import threading

import pytest

from drivers.camera import Camera, open_camera
from drivers.camera.face import FaceAnalyser, FaceGuidance
from drivers.status import DeviceState
from tests.drivers.device_events import Events, wait_until


@pytest.fixture
def camera() -> Camera:
    cam = open_camera("sim://camera", width=320, height=240, scene="no_face", queue_size=3)
    yield cam
    cam.stop()
    assert cam.simulator is not None
    cam.simulator.close()


def test_frames_flow_and_status_ready(camera: Camera) -> None:
    events = Events()
    camera.start(events)
    first = camera.wait_newer(0, timeout_s=10)
    assert first is not None
    assert first.size == (320, 240)
    assert not first.image.flags.writeable  # shared with the preview: read-only
    events.wait_for(lambda e: e.kind == "status" and e.payload.state is DeviceState.READY)
    assert camera.status().usable
    assert camera.resolution == (320, 240)
    later = camera.wait_newer(first.seq, timeout_s=10)
    assert later is not None and later.seq > first.seq


def test_queue_drops_oldest(camera: Camera) -> None:
    camera.start(Events())
    wait_until(lambda: camera.stats().frames >= 10)
    stats = camera.stats()
    assert stats.dropped >= stats.frames - 3 - 1  # the queue holds 3; the rest were dropped
    got = [camera.get(timeout_s=1) for _ in range(3)]
    seqs = [f.seq for f in got if f is not None]
    assert seqs == sorted(seqs) and len(seqs) == 3  # oldest first


def test_frame_events_are_optional() -> None:
    cam = open_camera("sim://camera", width=320, height=240, emit_frames=True)
    events = Events()
    try:
        cam.start(events)
        frame_event = events.wait_for(lambda e: e.kind == "frame")
        assert frame_event.payload.image.shape == (240, 320, 3)
    finally:
        cam.stop()
        assert cam.simulator is not None
        cam.simulator.close()
    quiet = Events()
    cam2 = open_camera("sim://camera", width=320, height=240)
    try:
        cam2.start(quiet)
        wait_until(lambda: cam2.stats().frames >= 5)
        assert "frame" not in quiet.kinds()
    finally:
        cam2.stop()
        assert cam2.simulator is not None
        cam2.simulator.close()


def test_scene_switch_reaches_the_frames(camera: Camera) -> None:
    analyser = FaceAnalyser()
    camera.start(Events())
    frame = camera.wait_newer(0, timeout_s=10)
    assert frame is not None
    assert analyser.analyse(frame.image).guidance is FaceGuidance.NO_FACE
    assert camera.simulator is not None
    camera.simulator.set_scene("face")
    seen_face = False
    seq = frame.seq
    for _ in range(60):
        frame = camera.wait_newer(seq, timeout_s=5)
        assert frame is not None
        seq = frame.seq
        if analyser.analyse(frame.image).faces == 1:
            seen_face = True
            break
    assert seen_face


def test_stop_leaves_no_thread(camera: Camera) -> None:
    before = {t.name for t in threading.enumerate()}
    camera.start(Events())
    wait_until(lambda: camera.stats().frames >= 3)
    camera.stop()
    camera.stop()  # twice is fine
    after = {t.name for t in threading.enumerate()}
    assert after <= before
