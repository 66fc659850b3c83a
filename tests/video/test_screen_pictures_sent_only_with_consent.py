"""A picture of the kiosk's screen reaches the helper only while the resident agrees to share
the screen: never when they chose "service and step only", never before the call is answered
or after it ends, and not once more after they tap 停止共享页面 (kiosk.core.video_call). The
encoding and chunking of a picture for the data channel (kiosk.adapters.screen_share)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from kiosk.adapters.screen_share import CHUNK_BYTES, encode_jpeg, messages
from kiosk.core.session import SessionLifecycle, SessionTiming
from kiosk.core.video_call import CallPhase, ScreenContext, ScreenImage, VideoCall

STEP = ScreenContext("social-insurance-payments", "社保缴费记录查询", "records", "缴费记录",
                     "张三 2024-01 缴费 500 元")
PICTURE = ScreenImage(bytes(4 * 8 * 6), 8, 6)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RecordingLink:
    """The link's seam (VideoLinkPort): what the call handed to it."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.pictures: list[ScreenImage] = []
        self.stopped = 0

    def open(self, request: dict[str, Any]) -> None:
        self.request = request

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    def set_muted(self, muted: bool) -> None:
        pass

    def end_media(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_screenshot(self, image: ScreenImage) -> bool:
        self.pictures.append(image)
        return True

    def stop_screenshots(self) -> None:
        self.stopped += 1


def call_with(tmp_path: Path, share: bool) -> tuple[VideoCall, RecordingLink]:
    life = SessionLifecycle(SessionTiming(idle_timeout_seconds=60, hard_cap_seconds=600),
                            Clock(), tmp_path / "s")
    link = RecordingLink()
    call = VideoCall(life, link, enabled=True, queue="district:110105")
    life.start()
    call.ask(STEP)
    call.set_share_screen(share)
    assert not call.share_screenshot(PICTURE)  # on the consent screen: nothing
    call.consent()
    assert not call.share_screenshot(PICTURE)  # waiting: nothing
    call.on_message({"type": "accepted", "call_id": "c1",
                     "staff": {"name": "王芳", "badge": "B1024"}})
    assert call.phase is CallPhase.IN_CALL
    return call, link


def test_no_picture_without_consent(tmp_path: Path) -> None:
    call, link = call_with(tmp_path, share=False)
    assert not call.share_screenshot(PICTURE)
    assert link.pictures == [] and link.request["share_screen"] is False
    call.stop_sharing()  # nothing to withdraw: nothing happens
    assert link.stopped == 0 and not call.state.share_screen


def test_pictures_while_shared_and_none_after_withdrawal(tmp_path: Path) -> None:
    call, link = call_with(tmp_path, share=True)
    assert call.share_screenshot(PICTURE) and link.pictures == [PICTURE]
    call.stop_sharing()
    assert link.stopped == 1 and not call.state.share_screen
    # the helper is told where the resident is, without the screen's text
    assert link.sent[-1]["type"] == "screen" and "text" not in link.sent[-1]
    assert not call.share_screenshot(PICTURE) and len(link.pictures) == 1


def test_no_picture_after_the_call(tmp_path: Path) -> None:
    call, link = call_with(tmp_path, share=True)
    call.end()
    assert call.phase is CallPhase.ENDED
    assert not call.share_screenshot(PICTURE) and link.pictures == []


def test_a_picture_is_a_small_jpeg_in_chunks_the_right_way_up() -> None:
    width, height = 1920, 1080
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[: height // 2, :, 0] = 255  # bottom half red (rows bottom first, as the GPU gives)
    rgba[height // 2:, :, 2] = 255  # top half blue
    rgba[:, :, 3] = 255
    jpeg = encode_jpeg(rgba.tobytes(), width, height)
    picture = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)  # BGR
    assert picture.shape == (540, 960, 3)
    assert picture[10, 480, 0] > 200 and picture[10, 480, 2] < 50  # top: blue
    assert picture[530, 480, 2] > 200 and picture[530, 480, 0] < 50  # bottom: red
    parts = list(messages(jpeg, 7))
    header = json.loads(parts[0])
    assert header == {"type": "shot", "seq": 7, "mime": "image/jpeg", "width": 960,
                      "height": 540, "bytes": len(jpeg), "chunks": len(parts) - 1}
    assert all(len(p) <= CHUNK_BYTES for p in parts[1:]) and b"".join(parts[1:]) == jpeg


def test_a_picture_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError):
        encode_jpeg(b"\0" * 10, 1920, 1080)
