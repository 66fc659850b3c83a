"""The face check's state machine, every transition, with frames from the camera simulator's
scenes (drivers/camera/synth.py) and the real sandbox for the verification call."""

from __future__ import annotations

import numpy as np
import pytest

from drivers.camera import synth
from drivers.camera.face import CapturedFace, FaceAnalyser, FaceGuidance
from kiosk.core.face_check import (
    FaceCheck,
    FaceOutcome,
    FaceResult,
    FaceStage,
    verify_face,
)
from kiosk.platform import PlatformClient
from kiosk.sandbox.seed import by_key
from tests.face.conftest import ManualClock


def _check(analyser: FaceAnalyser, clock: ManualClock, **kwargs: float) -> FaceCheck:
    check = FaceCheck(analyser, clock, **kwargs)  # type: ignore[arg-type]
    check.begin()
    return check


def _feed_scene(check: FaceCheck, clock: ManualClock, scene: str, frames: int = 12) -> None:
    for index in range(frames):
        check.feed(synth.scene_frame(scene, index=index))
        clock.advance(0.1)
        if check.stage is not FaceStage.CAPTURING:
            return


def test_begin_asks_for_consent_first(analyser: FaceAnalyser, clock: ManualClock) -> None:
    check = _check(analyser, clock)
    assert check.stage is FaceStage.CONSENT
    assert check.feed(synth.scene_frame("face")) is None  # no frame is used before consent
    assert check.stage is FaceStage.CONSENT


def test_decline_shows_the_other_ways_and_takes_no_frame(analyser: FaceAnalyser,
                                                         clock: ManualClock) -> None:
    check = _check(analyser, clock)
    check.decline()
    assert check.stage is FaceStage.ALTERNATIVE
    assert check.feed(synth.scene_frame("face")) is None
    assert not check.holds_image
    check.agree()  # a late 同意 tap after declining changes nothing
    assert check.stage is FaceStage.ALTERNATIVE


def test_agree_without_a_camera_says_so(analyser: FaceAnalyser, clock: ManualClock) -> None:
    check = _check(analyser, clock)
    check.agree(camera_usable=False)
    assert check.stage is FaceStage.NO_CAMERA
    assert check.can_retry


def test_a_frontal_face_is_captured_then_verifying(analyser: FaceAnalyser,
                                                   clock: ManualClock) -> None:
    check = _check(analyser, clock)
    check.agree()
    assert check.stage is FaceStage.CAPTURING and check.attempts == 1
    _feed_scene(check, clock, "face")
    assert check.stage is FaceStage.VERIFYING
    assert check.holds_image
    captured = check.take_capture()
    assert isinstance(captured, CapturedFace)
    assert not check.holds_image and check.take_capture() is None  # handed over once
    captured.discard()


@pytest.mark.parametrize(("scene", "guidance"), [
    ("dark", FaceGuidance.TOO_DARK), ("no_face", FaceGuidance.NO_FACE),
    ("far_face", FaceGuidance.TOO_FAR), ("near_face", FaceGuidance.TOO_CLOSE),
])
def test_guidance_then_time_out(analyser: FaceAnalyser, clock: ManualClock, scene: str,
                                guidance: FaceGuidance) -> None:
    check = _check(analyser, clock, limit_seconds=5.0)
    check.agree()
    _feed_scene(check, clock, scene, frames=10)
    assert check.stage is FaceStage.CAPTURING
    assert check.guidance is guidance
    assert 0 < check.seconds_left() <= 5.0
    clock.advance(5.0)
    assert check.check_time()
    assert check.stage is FaceStage.TIMED_OUT
    assert check.can_retry and not check.holds_image


def test_time_out_is_applied_by_feed_too(analyser: FaceAnalyser, clock: ManualClock) -> None:
    check = _check(analyser, clock, limit_seconds=3.0)
    check.agree()
    clock.advance(3.5)
    assert check.feed(synth.scene_frame("face")) is None
    assert check.stage is FaceStage.TIMED_OUT


def test_retry_until_attempts_run_out(analyser: FaceAnalyser, clock: ManualClock) -> None:
    check = _check(analyser, clock, limit_seconds=3.0, max_attempts=2)
    check.agree()
    clock.advance(4)
    check.check_time()
    check.retry()
    assert check.stage is FaceStage.CAPTURING and check.attempts == 2
    clock.advance(4)
    check.check_time()
    assert check.stage is FaceStage.TIMED_OUT and not check.can_retry
    check.retry()
    assert check.stage is FaceStage.TIMED_OUT


def test_camera_lost_mid_capture(analyser: FaceAnalyser, clock: ManualClock) -> None:
    check = _check(analyser, clock)
    check.agree()
    _feed_scene(check, clock, "no_face", frames=3)
    check.camera_lost()
    assert check.stage is FaceStage.NO_CAMERA
    check.retry(camera_usable=True)
    assert check.stage is FaceStage.CAPTURING


@pytest.mark.parametrize(("outcome", "stage"), [
    (FaceOutcome.MATCHED, FaceStage.MATCHED), (FaceOutcome.NOT_MATCHED, FaceStage.NOT_MATCHED),
    (FaceOutcome.UNAVAILABLE, FaceStage.UNAVAILABLE)])
def test_verified_outcomes(analyser: FaceAnalyser, clock: ManualClock, outcome: FaceOutcome,
                           stage: FaceStage) -> None:
    check = _check(analyser, clock)
    check.agree()
    _feed_scene(check, clock, "face")
    captured = check.take_capture()
    assert captured is not None
    captured.discard()
    check.verified(FaceResult(outcome, reason="x"))
    assert check.stage is stage
    check.verified(FaceResult(FaceOutcome.MATCHED))  # a second answer changes nothing
    assert check.stage is stage


def test_cancel_drops_a_held_capture(analyser: FaceAnalyser, clock: ManualClock) -> None:
    check = _check(analyser, clock)
    check.agree()
    _feed_scene(check, clock, "face")
    assert check.holds_image
    held = check._captured
    check.cancel()
    assert check.stage is FaceStage.IDLE and not check.holds_image
    assert held is not None and held.image.size == 0  # the pixels were wiped


def _captured_face(analyser: FaceAnalyser, clock: ManualClock) -> CapturedFace:
    check = _check(analyser, clock)
    check.agree()
    _feed_scene(check, clock, "face")
    captured = check.take_capture()
    assert captured is not None
    return captured


def test_verify_face_matches_a_registered_resident(client: PlatformClient,
                                                    analyser: FaceAnalyser,
                                                    clock: ManualClock) -> None:
    captured = _captured_face(analyser, clock)
    result = verify_face(client, by_key("worker").id_number, captured)
    assert result.outcome is FaceOutcome.MATCHED and result.token
    assert captured.image.size == 0  # discarded before the answer came back
    assert "token" not in repr(result) and result.token not in repr(result)


def test_verify_face_mismatch_and_no_registered_photo(client: PlatformClient,
                                                      analyser: FaceAnalyser,
                                                      clock: ManualClock) -> None:
    for key in ("face_mismatch", "graduate"):
        captured = _captured_face(analyser, clock)
        result = verify_face(client, by_key(key).id_number, captured)
        assert result.outcome is FaceOutcome.NOT_MATCHED and not result.token
        assert result.reason  # the platform's plain reason
        assert captured.image.size == 0


def test_verify_face_platform_down_is_unavailable(analyser: FaceAnalyser,
                                                  clock: ManualClock) -> None:
    captured = _captured_face(analyser, clock)
    with PlatformClient("http://127.0.0.1:9", terminal_id="T", timeout_seconds=0.5, retries=0,
                        sleep=lambda _s: None) as down:
        result = verify_face(down, by_key("worker").id_number, captured)
    assert result.outcome is FaceOutcome.UNAVAILABLE
    assert captured.image.size == 0


def test_verify_face_with_a_discarded_capture_asks_nothing(analyser: FaceAnalyser,
                                                           clock: ManualClock) -> None:
    class Refuses:
        calls = 0

        def verify_identity(self, method: str, **_: object) -> None:
            Refuses.calls += 1

    captured = CapturedFace(np.zeros((0, 0, 3), np.uint8), _captured_face(analyser,
                                                                          clock).analysis)
    assert verify_face(Refuses(), "x", captured).outcome is FaceOutcome.NOT_MATCHED
    assert Refuses.calls == 0
