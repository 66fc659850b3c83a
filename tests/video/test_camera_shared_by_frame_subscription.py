"""The camera has one owner: a video call takes frames through `Camera.subscribe_frames` (the
simulated camera's synthetic frames), never a second capture; unsubscribing stops them, and a
subscriber that raises does not stop the pump."""

from __future__ import annotations

import threading

import pytest

from drivers.camera import open_camera
from drivers.camera.capture import Frame


@pytest.mark.slow
def test_subscribers_get_frames_and_a_broken_one_does_not_stop_the_pump() -> None:
    camera = open_camera("sim://camera", scene="face")
    got: list[int] = []
    enough = threading.Event()

    def take(frame: Frame) -> None:
        got.append(frame.seq)
        if len(got) >= 5:
            enough.set()

    def broken(_frame: Frame) -> None:
        raise RuntimeError("subscriber bug")

    try:
        camera.start(lambda _event: None)
        camera.subscribe_frames(broken)
        stop = camera.subscribe_frames(take)
        assert enough.wait(15), "no frames through the subscription"
        assert got == sorted(got) and len(set(got)) == len(got)
        stop()
        seen = len(got)
        latest = camera.latest()
        assert latest is not None
        assert camera.wait_newer(latest.seq, timeout_s=5) is not None  # the pump goes on
        assert len(got) <= seen + 1  # at most the frame in flight when unsubscribing
        assert camera.stats().frames > seen
    finally:
        camera.stop()
