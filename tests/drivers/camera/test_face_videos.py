"""Synthetic videos with faces and without, read back with cv2.VideoCapture: the Haar cascade
really detects the drawn face (box where it was drawn) and finds none where there is none; the
guidance follows the scene."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera import synth
from drivers.camera.face import (
    FaceAnalyser,
    FaceGuidance,
    frontal_score,
    sharpness,
)


def _video_frames(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            frames.append(frame)
    finally:
        cap.release()
    return frames


@pytest.fixture(scope="module")
def analyser() -> FaceAnalyser:
    return FaceAnalyser()


@pytest.mark.parametrize(("scene", "guidance"), [
    ("face", FaceGuidance.OK),
    ("no_face", FaceGuidance.NO_FACE),
    ("document", FaceGuidance.NO_FACE),
    ("qr", FaceGuidance.NO_FACE),
    ("dark", FaceGuidance.TOO_DARK),
    ("far_face", FaceGuidance.TOO_FAR),
    ("near_face", FaceGuidance.TOO_CLOSE),
    ("turned_face", FaceGuidance.LOOK_AT_CAMERA),
])
def test_scene_video_guidance(tmp_path: Path, analyser: FaceAnalyser, scene: str,
                              guidance: FaceGuidance) -> None:
    frames = _video_frames(synth.write_scene(tmp_path, scene))
    assert len(frames) == synth.VideoSpec().frames
    results = [analyser.analyse(f).guidance for f in frames]
    # the video passed through a lossy codec: most frames, not necessarily all, agree
    assert results.count(guidance) >= len(frames) * 0.7, results


def test_haar_box_is_where_the_face_was_drawn(tmp_path: Path, analyser: FaceAnalyser) -> None:
    frame = _video_frames(synth.write_scene(tmp_path, "face"))[0]
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    boxes = analyser.detect(gray)
    assert len(boxes) == 1
    x, y, w, h = boxes[0]
    cx, cy = x + w / 2, y + h / 2
    assert abs(cx - 320) < 25 and abs(cy - 240) < 25  # drawn at the frame centre
    assert 0.3 * 480 < h < 0.5 * 480  # drawn 0.42 of the frame height


def test_face_off_centre(analyser: FaceAnalyser) -> None:
    frame = synth.face_frame(offset=(0.3, 0.0))
    assert analyser.analyse(frame).guidance is FaceGuidance.OFF_CENTRE


def test_two_faces(analyser: FaceAnalyser) -> None:
    frame = synth.face_frame(offset=(-0.22, 0.0), scale=0.35)
    second = synth.face_frame(offset=(0.22, 0.0), scale=0.35)
    frame[:, 320:] = second[:, 320:]
    result = analyser.analyse(frame)
    assert result.faces == 2
    assert result.guidance is FaceGuidance.MULTIPLE_FACES


def test_blur_lowers_sharpness_and_asks_to_hold_still(analyser: FaceAnalyser) -> None:
    frame = synth.face_frame()
    blurred = cv2.GaussianBlur(frame, (0, 0), 2.5)
    sharp_face = analyser.analyse(frame)
    result = analyser.analyse(blurred)
    assert result.sharpness < sharp_face.sharpness / 2  # measured on the face, scale-free
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    assert sharpness(gray) > sharpness(cv2.GaussianBlur(gray, (0, 0), 2.5))
    assert result.guidance in (FaceGuidance.HOLD_STILL, FaceGuidance.LOOK_AT_CAMERA)


def test_motion_asks_to_hold_still(analyser: FaceAnalyser) -> None:
    first = analyser.analyse(synth.face_frame())
    moved = analyser.analyse(synth.face_frame(offset=(0.06, 0.0)), previous_box=first.box)
    assert first.guidance is FaceGuidance.OK
    assert moved.guidance is FaceGuidance.HOLD_STILL


def test_frontal_score_orders_turns() -> None:
    scores = []
    for turn in (0.0, 0.4, 0.9):
        frame = cv2.cvtColor(synth.face_frame(turn=turn), cv2.COLOR_BGR2GRAY)
        x, y, w, h = FaceAnalyser().detect(frame)[0]
        scores.append(frontal_score(frame[y:y + h, x:x + w]))
    assert scores[0] > scores[1] > scores[2]


def test_light_from_one_side_is_not_a_turned_head(analyser: FaceAnalyser) -> None:
    frame = synth.face_frame()
    ramp = np.linspace(0.45, 1.15, frame.shape[1], dtype=np.float32)[None, :, None]
    side_lit = (frame * ramp).clip(0, 255).astype(np.uint8)
    assert analyser.analyse(side_lit).guidance is FaceGuidance.OK


def test_every_guidance_has_resident_text_in_both_languages() -> None:
    from kiosk.core.face_check import GUIDANCE_TEXT
    from kiosk.i18n import translate

    assert set(GUIDANCE_TEXT) == set(FaceGuidance)
    for msgid in GUIDANCE_TEXT.values():
        english = translate(msgid, "en")
        assert english != msgid and english.isascii()
