"""The face check as a controller add-on (pure: no Kivy): which screen shows, frames from the
camera into `kiosk.face_check.FaceCheck`, the platform call on the worker, stale results
dropped by session and attempt.

Attached with ``FaceFlow.attach(controller, client, hub, settings)`` (sets ``controller.face``).
After a card is verified, the controller calls ``face.begin(identity, proceed)`` when
``required_for(method)``; ``proceed(token, display_name)`` is called once the face matched.
A resident who declines or fails is shown the other ways (personal code, the window) and
may go on without identity.

The capture screen calls `poll()` from its preview's clock (15 times a second): the newest
frame is analysed on the UI thread (~5 ms at 640x480), only when it is new and at most every
ANALYSE_INTERVAL_SECONDS.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.camera.face import Box, FaceAnalyser, FaceGuidance
from kiosk.face_check import (
    CAPTURE_LIMIT_SECONDS,
    GUIDANCE_TEXT,
    MAX_ATTEMPTS,
    OUTCOME_STAGES,
    TEXT_ALTERNATIVE,
    TEXT_MATCHED,
    TEXT_NO_CAMERA,
    TEXT_NOT_MATCHED,
    TEXT_TIMED_OUT,
    TEXT_UNAVAILABLE,
    FaceCheck,
    FaceOutcome,
    FaceResult,
    FaceStage,
    FaceVerifier,
    verify_face,
)
from kiosk.i18n import _
from kiosk.logs import log_event
from kiosk.tasks import TaskRunner

log = logging.getLogger(__name__)

#: Screen names (kiosk.ui.screens.face) per stage.
SCREEN_FOR_STAGE: dict[FaceStage, str] = {
    FaceStage.CONSENT: "face_consent",
    FaceStage.CAPTURING: "face_capture",
    FaceStage.VERIFYING: "face_verifying",
    FaceStage.ALTERNATIVE: "face_outcome",
    FaceStage.TIMED_OUT: "face_outcome",
    FaceStage.NO_CAMERA: "face_outcome",
    FaceStage.MATCHED: "face_outcome",
    FaceStage.NOT_MATCHED: "face_outcome",
    FaceStage.UNAVAILABLE: "face_outcome",
}
FACE_SCREEN_NAMES = frozenset(SCREEN_FOR_STAGE.values())
#: Card methods whose holder is checked against the card's photo record.
CARD_METHODS = frozenset({"idcard", "smartcard"})
#: No new frame for this long while capturing counts as a lost camera.
FRAME_STALL_SECONDS = 3.0
#: Frames are analysed at most this often (the preview itself runs faster).
ANALYSE_INTERVAL_SECONDS = 0.08


@dataclass(frozen=True, slots=True)
class FaceView:
    """What the face screens show (already in the UI's language)."""

    stage: FaceStage
    title: str = ""
    message: str = ""
    detail: str = ""
    guidance: FaceGuidance | None = None
    guidance_text: str = ""
    box: Box | None = None
    frame_size: tuple[int, int] | None = None
    seconds_left: int = 0
    can_retry: bool = False


class FaceFlow:
    """The face check's screens and work, driven by the controller and the face screens."""

    def __init__(self, *, verifier: FaceVerifier, runner: TaskRunner, lifecycle: Any,
                 publish: Callable[..., None], camera: Callable[[], Any],
                 camera_usable: Callable[[], bool], required: bool,
                 clock: Callable[[], float] = time.monotonic,
                 limit_seconds: float = CAPTURE_LIMIT_SECONDS,
                 max_attempts: int = MAX_ATTEMPTS,
                 analyser_factory: Callable[[], FaceAnalyser] = FaceAnalyser) -> None:
        self._verifier = verifier
        self._runner = runner
        self._lifecycle = lifecycle
        self._publish = publish
        self._camera = camera
        self._camera_usable = camera_usable
        self.required = required
        self._clock = clock
        self._limit_seconds = limit_seconds
        self._max_attempts = max_attempts
        self._analyser_factory = analyser_factory
        self._check: FaceCheck | None = None
        self._identity: Any = None
        self._proceed: Callable[[str, str], None] | None = None
        self._session_id = ""
        self._generation = 0
        self._last_seq = -1
        self._last_frame_at = 0.0
        self._last_analysed_at = -1.0
        self._matched: tuple[str, str] = ("", "")
        lifecycle.on_wipe(self.cancel)

    @classmethod
    def attach(cls, controller: Any, client: FaceVerifier, hub: Any, settings: Any) -> FaceFlow:
        """Build the flow for a kiosk and attach it as ``controller.face``."""
        identity = getattr(settings, "identity", None)
        flow = cls(verifier=client, runner=controller.runner, lifecycle=controller.lifecycle,
                   publish=controller._publish, camera=lambda: hub.get("camera"),
                   camera_usable=lambda: hub.usable("camera"),
                   required=bool(getattr(identity, "face_check", False)),
                   limit_seconds=float(getattr(identity, "face_capture_seconds",
                                               CAPTURE_LIMIT_SECONDS)),
                   max_attempts=int(getattr(identity, "face_attempts", MAX_ATTEMPTS)))
        controller.face = flow
        controller.subscribe(flow.on_controller_state)
        return flow

    # -- the controller's side --------------------------------------------------------------
    def required_for(self, method: str) -> bool:
        """True when a resident identified by ``method`` must pass the face check."""
        return self.required and method in CARD_METHODS

    def begin(self, identity: Any, proceed: Callable[[str, str], None]) -> None:
        """Start the check for the card holder ``identity``: the consent screen."""
        session = self._lifecycle.session
        if session is None:
            return
        self._generation += 1
        self._identity = identity
        self._proceed = proceed
        self._session_id = session.session_id
        if self._check is None:
            self._check = FaceCheck(self._analyser_factory(), self._clock, self._limit_seconds,
                                    self._max_attempts)
        self._check.begin()
        log_event(log, "face_check_started")
        self._show()

    def camera(self) -> Any:
        """The camera device (for the preview), or None when it is not open."""
        return self._camera()

    @property
    def active(self) -> bool:
        """True while a check is under way (a face screen is showing)."""
        return self._check is not None and self._check.stage is not FaceStage.IDLE

    @property
    def stage(self) -> FaceStage:
        """The check's stage (IDLE when none)."""
        return self._check.stage if self._check is not None else FaceStage.IDLE

    def on_controller_state(self, state: Any) -> None:
        """The controller moved on (首页, a personal code, the attract screen): end the check."""
        if self.active and getattr(state, "screen", "") not in FACE_SCREEN_NAMES:
            self._end(verified=False)

    # -- the resident's side (face screens) -------------------------------------------------
    def agree(self) -> None:
        """同意."""
        if self._check is not None and self._check.stage is FaceStage.CONSENT:
            self._lifecycle.touch()
            self._check.agree(self._camera_usable())
            self._started_capture()

    def decline(self) -> None:
        """不同意: show the other ways."""
        if self._check is not None and self._check.stage is FaceStage.CONSENT:
            self._lifecycle.touch()
            self._check.decline()
            log_event(log, "face_check_declined")
            self._show()

    def retry(self) -> None:
        """重新拍摄."""
        if self._check is not None and self._check.can_retry:
            self._lifecycle.touch()
            self._check.retry(self._camera_usable())
            self._started_capture()

    def other_ways(self) -> None:
        """改用其他方式 (while capturing or after a failed attempt)."""
        if self._check is not None and self._check.stage is not FaceStage.MATCHED:
            self._lifecycle.touch()
            self._check.give_up()
            self._show()

    def proceed(self) -> None:
        """继续 after a match: the controller carries on with the identified resident."""
        check = self._check
        if check is None or check.stage is not FaceStage.MATCHED:
            return
        token, name = self._matched
        proceed, identity = self._proceed, self._identity
        session = self._lifecycle.session
        if session is not None and session.session_id == self._session_id:
            session.resident = identity  # the card holder, now matched to the face
        self._end(verified=True)
        if proceed is not None:
            proceed(token, name)

    def poll(self) -> None:
        """From the capture screen's clock: feed the newest frame, apply the time limit, notice
        a lost camera (unusable, or no new frame for FRAME_STALL_SECONDS)."""
        check = self._check
        if check is None or check.stage is not FaceStage.CAPTURING:
            return
        now = self._clock()
        if check.check_time():
            log_event(log, "face_capture_timed_out", attempt=check.attempts)
            self._show()
            return
        camera = self._camera()
        frame = camera.latest() if camera is not None else None
        fresh = frame is not None and frame.seq != self._last_seq
        if fresh:
            self._last_frame_at = now
        if camera is None or not self._camera_usable() or (
                not fresh and now - self._last_frame_at > FRAME_STALL_SECONDS):
            check.camera_lost()
            log_event(log, "face_camera_lost", logging.WARNING)
            self._show()
            return
        if not fresh or now - self._last_analysed_at < ANALYSE_INTERVAL_SECONDS:
            return
        assert frame is not None
        self._last_seq = frame.seq
        self._last_analysed_at = now
        check.feed(frame.image)
        if check.guidance not in (None, FaceGuidance.NO_FACE):
            self._lifecycle.touch()  # someone is in front of the camera: not idle
        if check.stage is FaceStage.VERIFYING:
            self._verify()

    def view(self) -> FaceView:
        """What the face screens show now."""
        check = self._check
        if check is None:
            return FaceView(FaceStage.IDLE)
        stage = check.stage
        if stage is FaceStage.CAPTURING:
            guidance = check.guidance
            text = _(GUIDANCE_TEXT[guidance]) if guidance is not None else _("请正对摄像头")
            return FaceView(stage, _("请正对摄像头"), guidance=guidance, guidance_text=text,
                            box=check.box, frame_size=check.frame_size,
                            seconds_left=int(check.seconds_left() + 0.999))
        texts = _stage_texts(stage, check.reason)
        return FaceView(stage, *texts, can_retry=check.can_retry)

    def cancel(self) -> None:
        """The session was wiped: drop everything (any answer still on its way is dropped)."""
        self._generation += 1
        if self._check is not None:
            self._check.cancel()
        self._identity = None
        self._proceed = None
        self._matched = ("", "")
        self._session_id = ""

    # -- internals -------------------------------------------------------------------------
    def _started_capture(self) -> None:
        check = self._check
        if check is None:
            return
        camera = self._camera()
        latest = camera.latest() if camera is not None else None
        self._last_seq = latest.seq if latest is not None else -1
        self._last_frame_at = self._clock()
        self._last_analysed_at = -1.0
        if check.stage is FaceStage.CAPTURING:
            log_event(log, "face_capture_started", attempt=check.attempts)
        self._show()

    def _verify(self) -> None:
        check = self._check
        captured = check.take_capture() if check is not None else None
        if captured is None:
            return
        id_number = str(getattr(self._identity, "id_number", ""))
        generation, session_id = self._generation, self._session_id
        verifier = self._verifier
        self._show()

        def done(result: Any) -> None:
            session = self._lifecycle.session
            if (generation != self._generation or session is None
                    or session.session_id != session_id or self._check is None):
                return  # the resident left or the session ended: drop the stale answer
            if not isinstance(result, FaceResult):
                result = FaceResult(FaceOutcome.UNAVAILABLE)
            log_event(log, "face_verified", outcome=result.outcome.value)
            self._matched = (result.token, result.display_name)
            self._check.verified(result)
            self._show()

        self._runner.submit(lambda: verify_face(verifier, id_number, captured), done)

    def _forget_card(self) -> None:
        """Without a match, the card holder is not taken as identified."""
        session = self._lifecycle.session
        if session is not None and session.session_id == self._session_id \
                and not session.resident_token:
            session.resident = None

    def _end(self, verified: bool) -> None:
        if not verified:
            self._forget_card()
            log_event(log, "face_check_left", stage=self.stage.value)
        self.cancel()

    def _show(self) -> None:
        check = self._check
        if check is None:
            return
        if check.stage in OUTCOME_STAGES and check.stage is not FaceStage.MATCHED:
            self._forget_card()  # without a match the card holder is not taken as identified
        screen = SCREEN_FOR_STAGE.get(check.stage)
        if screen is not None:
            self._publish(screen=screen, view=None, busy=False, notice="")


def _other_ways() -> str:
    return _("您可以：在扫码口出示个人码核验身份；或到人工窗口办理。"
             "不核验身份也可以查看办事指南。")


def _stage_texts(stage: FaceStage, reason: str) -> tuple[str, str, str]:
    """(title, message, detail) of a stage, in the UI's language."""
    if stage is FaceStage.CONSENT:
        return (_("人脸核验"), _("需要拍摄您的面部照片，与身份证登记照片比对，确认是本人办理"),
                _("照片只用于本次比对，比对后立即删除，不保存、不用于其他用途。"
                  "不同意也可以出示个人码或到人工窗口核验身份。"))
    if stage is FaceStage.VERIFYING:
        return _("正在比对，请稍候"), _("照片比对后立即删除"), ""
    if stage is FaceStage.MATCHED:
        return _(TEXT_MATCHED), _("身份核验完成，可以继续办理"), ""
    if stage is FaceStage.NOT_MATCHED:
        return _(TEXT_NOT_MATCHED), reason, _other_ways()
    if stage is FaceStage.TIMED_OUT:
        return (_(TEXT_TIMED_OUT), _("请摘下帽子或口罩，正对摄像头，保持光线充足"),
                _other_ways())
    if stage is FaceStage.NO_CAMERA:
        return _(TEXT_NO_CAMERA), _("本机暂时无法进行人脸核验"), _other_ways()
    if stage is FaceStage.UNAVAILABLE:
        return _(TEXT_UNAVAILABLE), _("请稍后再试"), _other_ways()
    if stage is FaceStage.ALTERNATIVE:
        return (_(TEXT_ALTERNATIVE), _("您没有同意人脸核验，本机不会拍摄您的照片"),
                _other_ways())
    return "", "", ""
