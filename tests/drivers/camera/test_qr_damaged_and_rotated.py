"""QR codes held up to the camera at any rotation, in perspective, and moderately damaged
(spots, ink, scratches, noise, blur, low contrast) still decode; frames without a code decode
to nothing; a stream of frames gives one classified code per presentation."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.camera import synth
from drivers.camera.qr import QrDecoder, QrFrameReader, decode_qr
from drivers.scanner.payloads import CodeKind

TEXT = "SCID:1:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA"


@pytest.fixture(scope="module")
def decoder() -> QrDecoder:
    return QrDecoder()


@pytest.fixture(scope="module")
def tilted() -> np.ndarray:
    return synth.qr_frame(TEXT, angle_deg=20)


@pytest.mark.parametrize("angle", [0, 30, 45, 90, 135, 180, 225, 270, 315])
def test_rotated(decoder: QrDecoder, angle: int) -> None:
    assert decoder.decode(synth.qr_frame(TEXT, angle_deg=angle)).texts == (TEXT,)


def _spot(img: np.ndarray) -> np.ndarray:
    cv2.circle(img, (300, 260), 22, (255, 255, 255), -1)
    return img


def _ink(img: np.ndarray) -> np.ndarray:
    cv2.circle(img, (330, 230), 18, (0, 0, 0), -1)
    return img


def _scratch(img: np.ndarray) -> np.ndarray:
    cv2.line(img, (200, 330), (470, 180), (255, 255, 255), 4)
    return img


def _noise(img: np.ndarray) -> np.ndarray:
    noisy = img.astype(np.int16) + np.random.default_rng(1).normal(0, 40, img.shape).astype(
        np.int16)
    return noisy.clip(0, 255).astype(np.uint8)


def _salt_pepper(img: np.ndarray) -> np.ndarray:
    mask = np.random.default_rng(2).random(img.shape[:2])
    img[mask < 0.03] = 0
    img[mask > 0.97] = 255
    return img


def _blur(img: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), 2.0)


def _low_contrast(img: np.ndarray) -> np.ndarray:
    return (img.astype(np.float32) * 0.35 + 40).astype(np.uint8)


def _perspective(img: np.ndarray) -> np.ndarray:
    w, h = 640, 480
    matrix = cv2.getPerspectiveTransform(
        np.float32([[0, 0], [w, 0], [w, h], [0, h]]),
        np.float32([[60, 30], [600, 0], [640, 480], [0, 440]]))
    return cv2.warpPerspective(img, matrix, (w, h))


def _jpeg(img: np.ndarray) -> np.ndarray:
    _, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 25])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


DAMAGE = {f.__name__.strip("_"): f for f in (
    _spot, _ink, _scratch, _noise, _salt_pepper, _blur, _low_contrast, _perspective, _jpeg)}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged(decoder: QrDecoder, tilted: np.ndarray, damage: str) -> None:
    damaged = DAMAGE[damage](tilted.copy())
    assert not np.array_equal(damaged, tilted)
    assert decoder.decode(damaged).texts == (TEXT,)


def test_salt_and_pepper_needs_the_preprocessing(decoder: QrDecoder, tilted: np.ndarray) -> None:
    damaged = _salt_pepper(tilted.copy())
    assert not decoder.decode(damaged, thorough=False).found
    result = decoder.decode(damaged)
    assert result.found and not result.strategy.endswith("/plain")


@pytest.mark.parametrize("scene", ["face", "no_face", "document", "dark"])
def test_no_code(scene: str) -> None:
    assert not decode_qr(synth.scene_frame(scene)).found


def test_grey_input(tilted: np.ndarray) -> None:
    assert decode_qr(cv2.cvtColor(tilted, cv2.COLOR_BGR2GRAY)).texts == (TEXT,)


def test_frame_reader_reports_once_per_presentation() -> None:
    now = [0.0]
    reader = QrFrameReader(forget_after_s=3.0, thorough_every=1, clock=lambda: now[0])
    frame = synth.qr_frame(TEXT)
    first = reader.feed(frame)
    assert first is not None and first.kind is CodeKind.PERSONAL_CODE
    assert first.source == "camera" and first.token == TEXT[len("SCID:1:"):]
    now[0] = 1.0
    assert reader.feed(frame) is None  # still the same presentation
    assert reader.feed(synth.scene_frame("no_face")) is None
    now[0] = 5.0
    again = reader.feed(frame)
    assert again is not None  # shown again after a while
    other = reader.feed(synth.qr_frame("https://www.gov.cn/zhengce/"))
    assert other is not None and other.kind is CodeKind.URL


def test_simulated_camera_qr_scene() -> None:
    from drivers.camera import open_camera

    camera = open_camera("sim://camera", scene="qr")
    assert camera.simulator is not None
    try:
        camera.start(lambda event: None)
        frame = camera.wait_newer(0, timeout_s=10)
        assert frame is not None
        code = QrFrameReader(thorough_every=1).feed(frame.image)
        assert code is not None and code.kind is CodeKind.PERSONAL_CODE
    finally:
        camera.stop()
        camera.simulator.close()
