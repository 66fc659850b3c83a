"""The face check (人证比对) as a pure state machine with an injected clock (no Kivy, no I/O).

    CONSENT --decline--> ALTERNATIVE (window, personal code; never a dead end: GB/T 41819)
       |agree (camera usable)        \\agree (no camera) --> NO_CAMERA
       v
    CAPTURING --time limit--> TIMED_OUT --retry--> CAPTURING (while attempts remain)
       |  \\--camera lost--> NO_CAMERA
       |a sharp frontal frame chosen (drivers.camera.face.FaceCapture)
       v
    VERIFYING --platform--> MATCHED | NOT_MATCHED (retry while attempts remain) | UNAVAILABLE

Frames are fed in by the caller (`feed`); the chosen frame is handed over once with
`take_capture()` to the verification call (`verify_face`, on the worker), which encodes the
JPEG, discards the pixels, makes the call and drops the JPEG. The check itself never holds the
JPEG, and nothing personal reaches a log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from drivers.camera.face import (
    Box,
    CapturedFace,
    FaceAnalyser,
    FaceAnalysis,
    FaceCapture,
    FaceGuidance,
)
from kiosk.core.events import log_event
from kiosk.i18n import DEFAULT_LOCALE, N_, current_locale
from kiosk.platform.errors import ErrorKind, PlatformError

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

#: Longest a capture may take before the resident is told it failed (an attempt ends).
CAPTURE_LIMIT_SECONDS = 20.0
#: Captures a resident may try in one face check (time-outs and mismatches both count).
MAX_ATTEMPTS = 3


class FaceStage(StrEnum):
    """Where the face check is (closed set)."""

    IDLE = "idle"
    CONSENT = "consent"
    ALTERNATIVE = "alternative"
    CAPTURING = "capturing"
    TIMED_OUT = "timed_out"
    NO_CAMERA = "no_camera"
    VERIFYING = "verifying"
    MATCHED = "matched"
    NOT_MATCHED = "not_matched"
    UNAVAILABLE = "unavailable"


#: Stages that end an attempt; the resident chooses what to do next.
OUTCOME_STAGES = frozenset({FaceStage.ALTERNATIVE, FaceStage.TIMED_OUT, FaceStage.NO_CAMERA,
                            FaceStage.MATCHED, FaceStage.NOT_MATCHED, FaceStage.UNAVAILABLE})

#: The on-screen hint for each guidance the camera driver reports (msgids; the driver itself
#: produces no resident text).
GUIDANCE_TEXT: dict[FaceGuidance, str] = {
    FaceGuidance.TOO_DARK: N_("光线太暗，请靠近一些或调整位置"),
    FaceGuidance.NO_FACE: N_("请将面部对准摄像头"),
    FaceGuidance.MULTIPLE_FACES: N_("请保持画面中只有一人"),
    FaceGuidance.TOO_FAR: N_("请靠近一些"),
    FaceGuidance.TOO_CLOSE: N_("请稍微后退"),
    FaceGuidance.OFF_CENTRE: N_("请将面部移到框内"),
    FaceGuidance.LOOK_AT_CAMERA: N_("请正视摄像头"),
    FaceGuidance.HOLD_STILL: N_("请保持不动"),
    FaceGuidance.OK: N_("很好，请保持"),
}

#: Resident-facing outcome texts (msgids).
TEXT_TIMED_OUT = N_("未能拍到清晰的正面照片")
TEXT_NOT_MATCHED = N_("比对未通过，请到人工窗口办理")
TEXT_ALTERNATIVE = N_("请到人工窗口核验身份")
TEXT_NO_CAMERA = N_("摄像头暂时无法使用")
TEXT_UNAVAILABLE = N_("人脸核验服务暂时无法使用")
TEXT_MATCHED = N_("人证比对通过")


class FaceOutcome(StrEnum):
    """What the platform's verification call came to."""

    MATCHED = "matched"
    NOT_MATCHED = "not_matched"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class FaceResult:
    """The verification's outcome; ``token`` and ``display_name`` only when matched;
    ``reason`` is the platform's plain Chinese reason when it gave one."""

    outcome: FaceOutcome
    token: str = ""
    display_name: str = ""
    reason: str = ""

    def __repr__(self) -> str:  # never the token
        return f"FaceResult({self.outcome.value})"


class FaceVerifier(Protocol):
    """The platform's face verification (blocking; runs on the worker)."""

    def verify_identity(self, method: str, *, id_number: str = "",
                        face_jpeg: bytes | None = None) -> Any:
        """kiosk.platform.client.PlatformClient.verify_identity."""


def verify_face(client: FaceVerifier, id_number: str, captured: CapturedFace) -> FaceResult:
    """Encode the captured face, discard its pixels, ask the platform, drop the JPEG.

    Expected failures are values: a platform outage is UNAVAILABLE, a refusal NOT_MATCHED.
    """
    try:
        jpeg: bytes | None = captured.to_jpeg()
    except ValueError:
        jpeg = None
    finally:
        captured.discard()
    if jpeg is None:
        return FaceResult(FaceOutcome.NOT_MATCHED)
    try:
        answer = client.verify_identity("face", id_number=id_number, face_jpeg=jpeg)
    except PlatformError as exc:
        log_event(log, "face_verification_failed", logging.WARNING, kind=exc.kind.value)
        if exc.kind in (ErrorKind.UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.SERVER_ERROR):
            return FaceResult(FaceOutcome.UNAVAILABLE)
        return FaceResult(FaceOutcome.NOT_MATCHED, reason=exc.resident_text(current_locale()))
    finally:
        jpeg = None  # the only reference: the bytes are freed with it
    if getattr(answer, "verified", False) and getattr(answer, "resident_token", ""):
        return FaceResult(FaceOutcome.MATCHED, str(answer.resident_token),
                          str(getattr(answer, "display_name", "")))
    # the platform's own (Chinese) words are a detail under our title; in another language
    # the title alone is shown
    words = str(getattr(answer, "reason", "") or "")
    return FaceResult(FaceOutcome.NOT_MATCHED,
                      reason=words if current_locale() == DEFAULT_LOCALE else "")


class FaceCheck:
    """One resident's face check; every transition is a method, time comes from ``clock``."""

    def __init__(self, analyser: FaceAnalyser, clock: Callable[[], float],
                 limit_seconds: float = CAPTURE_LIMIT_SECONDS,
                 max_attempts: int = MAX_ATTEMPTS) -> None:
        self._capture = FaceCapture(analyser)
        self._clock = clock
        self.limit_seconds = limit_seconds
        self.max_attempts = max_attempts
        self.stage = FaceStage.IDLE
        self.attempts = 0
        self.guidance: FaceGuidance | None = None
        self.box: Box | None = None
        self.frame_size: tuple[int, int] | None = None
        self.reason = ""
        self._started_at = 0.0
        self._captured: CapturedFace | None = None

    # -- transitions -----------------------------------------------------------------------
    def begin(self) -> None:
        """Ask for consent (a new check: attempts start again)."""
        self._drop_capture()
        self.attempts = 0
        self.reason = ""
        self.stage = FaceStage.CONSENT

    def decline(self) -> None:
        """The resident does not agree: show the other ways (never a dead end)."""
        if self.stage is FaceStage.CONSENT:
            self._drop_capture()
            self.stage = FaceStage.ALTERNATIVE

    def agree(self, camera_usable: bool = True) -> None:
        """The resident agrees: start capturing (or say the camera is unusable)."""
        if self.stage is FaceStage.CONSENT:
            self._start_capture(camera_usable)

    def retry(self, camera_usable: bool = True) -> None:
        """Try again after a time-out, a mismatch or a lost camera, while attempts remain."""
        if self.can_retry:
            self._start_capture(camera_usable)

    def give_up(self) -> None:
        """改用其他方式: from capturing or an outcome, show the other ways."""
        if self.stage in (FaceStage.CAPTURING, FaceStage.TIMED_OUT, FaceStage.NO_CAMERA,
                          FaceStage.NOT_MATCHED, FaceStage.UNAVAILABLE):
            self._drop_capture()
            self._capture.reset()
            self.stage = FaceStage.ALTERNATIVE

    def feed(self, image: np.ndarray) -> FaceAnalysis | None:
        """One camera frame while capturing; returns its analysis (None in other stages)."""
        if self.stage is not FaceStage.CAPTURING:
            return None
        if self.check_time():
            return None
        step = self._capture.feed(image)
        self.guidance = step.guidance
        self.box = step.analysis.box
        self.frame_size = (int(image.shape[1]), int(image.shape[0]))
        if step.captured is not None:
            self._captured = step.captured
            self.stage = FaceStage.VERIFYING
        return step.analysis

    def check_time(self) -> bool:
        """Apply the capture's time limit; True when it just ran out."""
        if self.stage is FaceStage.CAPTURING and self.seconds_left() <= 0:
            self._capture.reset()
            self.stage = FaceStage.TIMED_OUT
            return True
        return False

    def camera_lost(self) -> None:
        """The camera went away (or stopped delivering) mid-capture."""
        if self.stage is FaceStage.CAPTURING:
            self._capture.reset()
            self.stage = FaceStage.NO_CAMERA

    def take_capture(self) -> CapturedFace | None:
        """Hand the chosen frame to the verification call; the check keeps no reference."""
        captured, self._captured = self._captured, None
        return captured if self.stage is FaceStage.VERIFYING else None

    def verified(self, result: FaceResult) -> None:
        """The platform answered."""
        if self.stage is not FaceStage.VERIFYING:
            return
        self._drop_capture()
        self.reason = result.reason
        self.stage = {FaceOutcome.MATCHED: FaceStage.MATCHED,
                      FaceOutcome.NOT_MATCHED: FaceStage.NOT_MATCHED,
                      FaceOutcome.UNAVAILABLE: FaceStage.UNAVAILABLE}[result.outcome]

    def cancel(self) -> None:
        """Leave the check (home, wipe): drop everything held."""
        self._drop_capture()
        self._capture.reset()
        self.guidance = None
        self.box = None
        self.reason = ""
        self.stage = FaceStage.IDLE

    # -- queries ---------------------------------------------------------------------------
    @property
    def can_retry(self) -> bool:
        """True when another capture may be tried from this stage."""
        return (self.stage in (FaceStage.TIMED_OUT, FaceStage.NOT_MATCHED, FaceStage.NO_CAMERA,
                               FaceStage.UNAVAILABLE)
                and self.attempts < self.max_attempts)

    def seconds_left(self) -> float:
        """Seconds left for this capture (0 outside capturing)."""
        if self.stage is not FaceStage.CAPTURING:
            return 0.0
        return max(0.0, self._started_at + self.limit_seconds - self._clock())

    @property
    def holds_image(self) -> bool:
        """True while a captured frame is held (only between capture and take_capture)."""
        return self._captured is not None

    # -- internals -------------------------------------------------------------------------
    def _start_capture(self, camera_usable: bool) -> None:
        self._drop_capture()
        self._capture.reset()
        self.guidance = None
        self.box = None
        self.reason = ""
        if not camera_usable:
            self.stage = FaceStage.NO_CAMERA
            return
        self.attempts += 1
        self._started_at = self._clock()
        self.stage = FaceStage.CAPTURING

    def _drop_capture(self) -> None:
        captured, self._captured = self._captured, None
        if captured is not None:
            captured.discard()
