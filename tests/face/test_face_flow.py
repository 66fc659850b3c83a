"""The face check as a controller add-on, without Kivy: the real camera simulator (frames through
OpenCV), the real sandbox, the real session lifecycle and task runner; the clock is manual."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.camera import Camera, open_camera
from drivers.camera.face import FaceAnalyser
from kiosk.core.face_check import FaceStage
from kiosk.core.face_flow import FaceFlow
from kiosk.core.session import SessionLifecycle, SessionTiming
from kiosk.core.tasks import ThreadRunner
from kiosk.platform import PlatformClient
from kiosk.sandbox.seed import by_key
from tests.face.conftest import ManualClock


class Identity:
    """What the flow needs of a card identity (the ID number)."""

    def __init__(self, key: str) -> None:
        self.id_number = by_key(key).id_number


class UiQueue:
    """The 'UI thread': callbacks hopped by the real ThreadRunner, run when the test says."""

    def __init__(self) -> None:
        self.pending: list[Callable[[], None]] = []
        self.ready = threading.Event()

    def dispatch(self, fn: Callable[[], None]) -> None:
        self.pending.append(fn)
        self.ready.set()

    def run(self, timeout: float = 20.0) -> None:
        """Wait for the worker's result and run it on this (the test's) thread."""
        assert self.ready.wait(timeout), "no result from the worker"
        self.ready.clear()
        while self.pending:
            self.pending.pop(0)()


@pytest.fixture
def camera() -> Iterator[Camera]:
    cam = open_camera("sim://camera", scene="face")
    cam.start(lambda _event: None)
    assert cam.wait_newer(-1, 10.0) is not None
    yield cam
    cam.stop()
    assert cam.simulator is not None
    cam.simulator.close()


@pytest.fixture
def parts(tmp_path: Path, client: PlatformClient, camera: Camera, clock: ManualClock,
          analyser: FaceAnalyser) -> Iterator[dict[str, Any]]:
    ui = UiQueue()
    runner = ThreadRunner(ui.dispatch)
    lifecycle = SessionLifecycle(SessionTiming(), clock, tmp_path / "sessions")
    published: list[dict[str, Any]] = []
    usable = {"camera": True}
    flow = FaceFlow(verifier=client, runner=runner, lifecycle=lifecycle,
                    publish=lambda **kw: published.append(kw), camera=lambda: camera,
                    camera_usable=lambda: usable["camera"], required=True, clock=clock,
                    limit_seconds=10.0, max_attempts=2, analyser_factory=lambda: analyser)
    yield {"flow": flow, "ui": ui, "lifecycle": lifecycle, "published": published,
           "usable": usable, "camera": camera, "clock": clock}
    runner.shutdown()


def _capture(p: dict[str, Any], frames: int = 40) -> None:
    flow, camera, clock = p["flow"], p["camera"], p["clock"]
    seq = -1
    for _ in range(frames):
        frame = camera.wait_newer(seq, 5.0)
        assert frame is not None
        seq = frame.seq
        clock.advance(0.1)
        flow.poll()
        if flow.stage is not FaceStage.CAPTURING:
            return


def _begin(p: dict[str, Any], key: str = "worker") -> list[tuple[str, str]]:
    lifecycle = p["lifecycle"]
    session = lifecycle.start("idcard")
    identity = Identity(key)
    session.resident = identity
    proceeded: list[tuple[str, str]] = []
    p["flow"].begin(identity, lambda token, name: proceeded.append((token, name)))
    return proceeded


def test_only_card_methods_need_the_face(parts: dict[str, Any]) -> None:
    flow = parts["flow"]
    assert flow.required_for("idcard") and flow.required_for("smartcard")
    assert not flow.required_for("qrcode")
    flow.required = False
    assert not flow.required_for("idcard")


def test_match_publishes_each_screen_and_proceeds_with_the_face_token(
        parts: dict[str, Any]) -> None:
    flow, ui, published = parts["flow"], parts["ui"], parts["published"]
    proceeded = _begin(parts)
    assert published[-1]["screen"] == "face_consent"
    flow.agree()
    assert published[-1]["screen"] == "face_capture"
    _capture(parts)
    assert flow.stage is FaceStage.VERIFYING and published[-1]["screen"] == "face_verifying"
    ui.run()
    assert flow.stage is FaceStage.MATCHED and published[-1]["screen"] == "face_outcome"
    assert not proceeded  # shown first; 继续 (or the screen's timer) goes on
    flow.proceed()
    assert len(proceeded) == 1 and proceeded[0][0]
    assert flow.stage is FaceStage.IDLE
    assert parts["lifecycle"].session.resident is not None


def test_not_matched_forgets_the_card_holder(parts: dict[str, Any]) -> None:
    flow, ui = parts["flow"], parts["ui"]
    proceeded = _begin(parts, "face_mismatch")
    flow.agree()
    _capture(parts)
    ui.run()
    assert flow.stage is FaceStage.NOT_MATCHED
    assert flow.view().title == "比对未通过，请到人工窗口办理"
    assert parts["lifecycle"].session.resident is None and not proceeded
    flow.proceed()  # no effect without a match
    assert not proceeded


def test_an_answer_after_the_wipe_is_dropped(parts: dict[str, Any]) -> None:
    flow, ui, lifecycle = parts["flow"], parts["ui"], parts["lifecycle"]
    proceeded = _begin(parts)
    flow.agree()
    _capture(parts)
    assert flow.stage is FaceStage.VERIFYING
    lifecycle.end("finished")  # the resident walked away during the call
    assert flow.stage is FaceStage.IDLE
    ui.run()
    assert flow.stage is FaceStage.IDLE and not proceeded


def test_an_answer_after_leaving_is_dropped(parts: dict[str, Any]) -> None:
    flow, ui = parts["flow"], parts["ui"]
    _begin(parts)
    flow.agree()
    _capture(parts)
    flow.on_controller_state(type("S", (), {"screen": "home"})())  # 首页 meanwhile
    assert flow.stage is FaceStage.IDLE
    ui.run()
    assert flow.stage is FaceStage.IDLE


def test_frames_stop_coming_means_no_camera(parts: dict[str, Any]) -> None:
    flow, camera, clock = parts["flow"], parts["camera"], parts["clock"]
    camera.simulator.set_scene("far_face")
    _begin(parts)
    flow.agree()
    _capture(parts, frames=3)
    camera.stop()  # no new frame from now on
    clock.advance(4.0)
    flow.poll()
    assert flow.stage is FaceStage.NO_CAMERA
    assert parts["lifecycle"].session.resident is None


def test_camera_reported_unusable_means_no_camera(parts: dict[str, Any]) -> None:
    flow = parts["flow"]
    _begin(parts)
    flow.agree()
    parts["usable"]["camera"] = False
    parts["clock"].advance(0.1)
    flow.poll()
    assert flow.stage is FaceStage.NO_CAMERA
    flow.retry()  # still gone: stays a plain message
    assert flow.stage is FaceStage.NO_CAMERA


def test_time_limit_then_retry_then_no_more_attempts(parts: dict[str, Any]) -> None:
    flow, clock, camera = parts["flow"], parts["clock"], parts["camera"]
    camera.simulator.set_scene("dark")
    _begin(parts)
    flow.agree()
    _capture(parts, frames=3)
    assert flow.view().guidance_text == "光线太暗，请靠近一些或调整位置"
    clock.advance(11)
    flow.poll()
    assert flow.stage is FaceStage.TIMED_OUT and flow.view().can_retry
    flow.retry()
    clock.advance(11)
    flow.poll()
    assert flow.stage is FaceStage.TIMED_OUT and not flow.view().can_retry


def test_decline_then_other_ways_never_capture(parts: dict[str, Any]) -> None:
    flow, published = parts["flow"], parts["published"]
    _begin(parts)
    flow.decline()
    assert flow.stage is FaceStage.ALTERNATIVE and published[-1]["screen"] == "face_outcome"
    assert parts["lifecycle"].session.resident is None
    flow.agree()
    flow.poll()
    assert flow.stage is FaceStage.ALTERNATIVE


def test_give_up_while_capturing(parts: dict[str, Any]) -> None:
    flow = parts["flow"]
    _begin(parts)
    flow.agree()
    flow.other_ways()
    assert flow.stage is FaceStage.ALTERNATIVE
