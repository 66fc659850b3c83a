"""Face capture over a window of frames: the best acceptable frame is chosen, encoded to a JPEG
that still shows a detectable face, and discarded afterwards; a video without a face never
yields a capture."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.camera import open_camera, synth
from drivers.camera.face import (
    CapturedFace,
    FaceAnalyser,
    FaceCapture,
    FaceGuidance,
    encode_face_jpeg,
)


@pytest.fixture(scope="module")
def analyser() -> FaceAnalyser:
    return FaceAnalyser()


def test_best_frame_of_the_window(analyser: FaceAnalyser) -> None:
    capture = FaceCapture(analyser, window_frames=6, required_ok=3)
    sharp = synth.face_frame(seed=1)
    soft = cv2.GaussianBlur(sharp, (0, 0), 0.9)  # still OK, but less sharp
    steps = [capture.feed(img) for img in (soft, sharp, soft)]
    assert [s.guidance for s in steps] == [FaceGuidance.OK] * 3
    captured = steps[-1].captured
    assert captured is not None
    assert np.array_equal(captured.image, sharp)  # the sharpest of the three
    assert capture.done
    assert capture.feed(sharp).captured is None  # one capture until reset
    capture.reset()
    assert not capture.done


def test_bad_frames_do_not_count(analyser: FaceAnalyser) -> None:
    capture = FaceCapture(analyser, window_frames=4, required_ok=3)
    for scene in ("far_face", "face", "dark", "face", "no_face", "face"):
        assert capture.feed(synth.scene_frame(scene)).captured is None


def test_jpeg_keeps_a_detectable_face_and_fits(analyser: FaceAnalyser) -> None:
    frame = synth.face_frame()
    analysis = analyser.analyse(frame)
    captured = CapturedFace(frame.copy(), analysis)
    jpeg = captured.to_jpeg(max_bytes=60_000)
    assert jpeg[:2] == b"\xff\xd8" and len(jpeg) <= 60_000
    decoded = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert analyser.detect(cv2.cvtColor(decoded, cv2.COLOR_BGR2GRAY))
    captured.discard()
    assert captured.image.size == 0
    with pytest.raises(ValueError):
        captured.to_jpeg()


def test_jpeg_size_limit_is_enforced() -> None:
    noise = np.random.default_rng(0).integers(0, 255, (480, 640, 3), np.uint8)
    small = encode_face_jpeg(noise, None, max_bytes=80_000)
    assert len(small) <= 80_000
    with pytest.raises(ValueError):
        encode_face_jpeg(noise, None, max_bytes=500)


def test_capture_from_the_simulated_camera(analyser: FaceAnalyser) -> None:
    camera = open_camera("sim://camera", scene="no_face")
    assert camera.simulator is not None
    capture = FaceCapture(analyser)
    try:
        camera.start(lambda event: None)
        seq = 0
        for _ in range(15):  # no face: never a capture
            frame = camera.wait_newer(seq, timeout_s=5)
            assert frame is not None
            seq = frame.seq
            assert capture.feed(frame.image).captured is None
        camera.simulator.set_scene("face")
        captured = None
        for _ in range(100):
            frame = camera.wait_newer(seq, timeout_s=5)
            assert frame is not None
            seq = frame.seq
            captured = capture.feed(frame.image).captured
            if captured is not None:
                break
        assert captured is not None
        assert captured.analysis.guidance is FaceGuidance.OK
        assert captured.image.flags.writeable  # a private copy, so discard() can wipe it
        captured.discard()
    finally:
        camera.stop()
        camera.simulator.close()
