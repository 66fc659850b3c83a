"""Synthetic camera scenes, drawn with OpenCV: the simulator's video and the tests' fixtures.

The face is a drawn, shaded face that OpenCV's stock Haar cascade really detects (checked in
tests); no photograph of a person is shipped. Every scene is deterministic for a given seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode

#: Scene names the simulator plays (see ``CameraSimulator.set_scene``).
SCENES = ("face", "no_face", "document", "qr", "dark", "far_face", "near_face", "turned_face")

DEFAULT_SIZE = (640, 480)


def draw_face(size: int, *, turn: float = 0.0) -> np.ndarray:
    """A grey face of ``size`` x ``size`` pixels; ``turn`` in -1..1 shifts features sideways."""
    img = np.full((size, size), 0, np.uint8)
    mask = np.zeros_like(img)
    c = size // 2
    shift = int(turn * size * 0.12)
    cv2.ellipse(img, (c, c), (int(size * 0.33), int(size * 0.43)), 0, 0, 360, 185, -1)
    cv2.ellipse(mask, (c, c), (int(size * 0.34), int(size * 0.44)), 0, 0, 360, 255, -1)
    cv2.ellipse(img, (c, int(c - size * 0.30)), (int(size * 0.34), int(size * 0.16)),
                0, 180, 360, 40, -1)
    eye_y = int(c - size * 0.08)
    eye_dx = int(size * 0.14)
    for side in (-1, 1):
        x = c + shift + side * int(eye_dx * (1 - 0.4 * abs(turn) * (side * np.sign(turn) > 0)))
        cv2.ellipse(img, (x, eye_y - int(size * 0.07)), (int(size * 0.08), int(size * 0.02)),
                    0, 0, 360, 60, -1)
        cv2.ellipse(img, (x, eye_y), (int(size * 0.08), int(size * 0.045)), 0, 0, 360, 90, -1)
        cv2.ellipse(img, (x, eye_y), (int(size * 0.035), int(size * 0.03)), 0, 0, 360, 30, -1)
    cv2.ellipse(img, (c + int(shift * 1.4), int(c + size * 0.08)),
                (int(size * 0.04), int(size * 0.025)), 0, 0, 360, 120, -1)
    cv2.ellipse(img, (c + shift, int(c + size * 0.22)), (int(size * 0.10), int(size * 0.03)),
                0, 0, 360, 70, -1)
    blurred = cv2.GaussianBlur(img, (0, 0), size / 60)
    soft_mask = cv2.GaussianBlur(mask, (0, 0), size / 60)
    return np.dstack([blurred, soft_mask])


def _background(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    w, h = size
    grad = np.linspace(70, 120, w, dtype=np.float32)[None, :].repeat(h, axis=0)
    frame = np.dstack([grad * 0.9, grad, grad * 1.1]).clip(0, 255).astype(np.uint8)
    # a door frame and a poster: texture without anything face-like
    cv2.rectangle(frame, (int(w * 0.05), int(h * 0.1)), (int(w * 0.2), h), (60, 70, 80), -1)
    cv2.rectangle(frame, (int(w * 0.75), int(h * 0.15)), (int(w * 0.95), int(h * 0.45)),
                  (150, 140, 120), -1)
    noise = rng.normal(0, 3, frame.shape).astype(np.int16)
    return (frame.astype(np.int16) + noise).clip(0, 255).astype(np.uint8)


def _paste_gray(frame: np.ndarray, face: np.ndarray, cx: int, cy: int) -> None:
    """Alpha-blend a grey+alpha face onto a BGR frame centred at (cx, cy), clipped to the frame."""
    s = face.shape[0]
    x0, y0 = cx - s // 2, cy - s // 2
    fx0, fy0 = max(0, -x0), max(0, -y0)
    x0c, y0c = max(0, x0), max(0, y0)
    x1c, y1c = min(frame.shape[1], x0 + s), min(frame.shape[0], y0 + s)
    if x1c <= x0c or y1c <= y0c:
        return
    part = face[fy0:fy0 + (y1c - y0c), fx0:fx0 + (x1c - x0c)]
    alpha = part[:, :, 1:2].astype(np.float32) / 255.0
    skin = np.dstack([part[:, :, 0] * 0.85, part[:, :, 0] * 0.95, part[:, :, 0]]).astype(np.float32)
    roi = frame[y0c:y1c, x0c:x1c].astype(np.float32)
    frame[y0c:y1c, x0c:x1c] = (roi * (1 - alpha) + skin * alpha).astype(np.uint8)


def face_frame(size: tuple[int, int] = DEFAULT_SIZE, *, scale: float = 0.42,
               offset: tuple[float, float] = (0.0, 0.0), turn: float = 0.0,
               brightness: float = 1.0, seed: int = 0) -> np.ndarray:
    """A BGR frame with one face whose height is ``scale`` of the frame height."""
    rng = np.random.default_rng(seed)
    frame = _background(size, rng)
    w, h = size
    face = draw_face(max(24, int(h * scale)), turn=turn)
    _paste_gray(frame, face, int(w / 2 + offset[0] * w), int(h / 2 + offset[1] * h))
    if brightness != 1.0:
        frame = (frame.astype(np.float32) * brightness).clip(0, 255).astype(np.uint8)
    return frame


def document_page(size: tuple[int, int] = (840, 1188), seed: int = 0) -> np.ndarray:
    """A white A-series page with a title, text lines and a stamp (BGR)."""
    rng = np.random.default_rng(seed)
    w, h = size
    page = np.full((h, w, 3), 245, np.uint8)
    cv2.rectangle(page, (int(w * 0.25), int(h * 0.05)), (int(w * 0.75), int(h * 0.09)),
                  (40, 40, 40), -1)
    y = int(h * 0.14)
    while y < h * 0.85:
        length = int(w * rng.uniform(0.5, 0.85))
        cv2.line(page, (int(w * 0.1), y), (int(w * 0.1) + length, y), (60, 60, 60), 3)
        y += int(h * 0.035)
    cv2.circle(page, (int(w * 0.75), int(h * 0.88)), int(w * 0.08), (40, 40, 200), 4)
    return page


def place_page(page: np.ndarray, corners: Sequence[tuple[float, float]],
               size: tuple[int, int] = DEFAULT_SIZE, seed: int = 0) -> np.ndarray:
    """A dark desk with ``page`` warped onto ``corners`` (TL, TR, BR, BL in frame pixels)."""
    rng = np.random.default_rng(seed)
    w, h = size
    desk = np.full((h, w, 3), (50, 45, 40), np.uint8)
    noise = rng.normal(0, 4, desk.shape).astype(np.int16)
    desk = (desk.astype(np.int16) + noise).clip(0, 255).astype(np.uint8)
    ph, pw = page.shape[:2]
    src = np.array([[0, 0], [pw - 1, 0], [pw - 1, ph - 1], [0, ph - 1]], dtype=np.float32)
    dst = np.array(corners, dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, matrix, (w, h))
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, (w, h))
    desk[mask > 127] = warped[mask > 127]
    return desk


#: The document scene's page corners in a 640x480 frame (a page at an angle).
DOCUMENT_CORNERS = ((150.0, 60.0), (470.0, 40.0), (520.0, 440.0), (110.0, 420.0))


def qr_image(text: str, module_px: int = 6) -> np.ndarray:
    """A black-on-white QR code image (BGR) with a quiet zone."""
    code = qrcode.QRCode(border=4, box_size=module_px,
                         error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    img = np.array(code.make_image(fill_color="black", back_color="white").convert("L"))
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def qr_frame(text: str, size: tuple[int, int] = DEFAULT_SIZE, angle_deg: float = 0.0,
             seed: int = 0) -> np.ndarray:
    """A frame with a phone-screen QR code rotated by ``angle_deg`` on a plain background."""
    w, h = size
    code = qr_image(text)
    side = int(min(w, h) * 0.55)
    code = cv2.resize(code, (side, side), interpolation=cv2.INTER_NEAREST)
    frame = _background(size, np.random.default_rng(seed))
    x0, y0 = (w - side) // 2, (h - side) // 2
    frame[y0:y0 + side, x0:x0 + side] = code
    if angle_deg:
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
        frame = cv2.warpAffine(frame, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)
    return frame


def scene_frame(scene: str, size: tuple[int, int] = DEFAULT_SIZE, index: int = 0,
                qr_text: str = "SCID:1:sandbox-demo-token-0001") -> np.ndarray:
    """Frame ``index`` of a named scene: a slight jitter from frame to frame, like a live camera."""
    jitter = ((index % 5) - 2) * 0.002
    match scene:
        case "face":
            return face_frame(size, offset=(jitter, 0.0), seed=index)
        case "turned_face":
            return face_frame(size, turn=0.9, seed=index)
        case "far_face":
            return face_frame(size, scale=0.16, seed=index)
        case "near_face":
            return face_frame(size, scale=0.95, seed=index)
        case "dark":
            return face_frame(size, brightness=0.12, seed=index)
        case "no_face":
            return _background(size, np.random.default_rng(index))
        case "document":
            sx, sy = size[0] / DEFAULT_SIZE[0], size[1] / DEFAULT_SIZE[1]
            corners = [(x * sx + jitter * 100, y * sy) for x, y in DOCUMENT_CORNERS]
            return place_page(document_page(), corners, size, seed=index)
        case "qr":
            return qr_frame(qr_text, size, angle_deg=12.0, seed=index)
    raise ValueError(f"unknown scene {scene!r}; one of {', '.join(SCENES)}")


@dataclass(frozen=True, slots=True)
class VideoSpec:
    """How synthetic videos are written: codec, container, frames per file, nominal fps."""

    fourcc: str = "MJPG"
    suffix: str = ".avi"
    frames: int = 10
    fps: float = 15.0


DEFAULT_VIDEO_SPEC = VideoSpec()


def write_video(path: Path, frames: Sequence[np.ndarray],
                spec: VideoSpec = DEFAULT_VIDEO_SPEC) -> Path:
    """Write BGR frames to a video file with cv2.VideoWriter; returns the path."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*spec.fourcc), spec.fps, (w, h))
    if not writer.isOpened():
        raise OSError(f"cv2.VideoWriter could not open {path} with {spec.fourcc}")
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()
    return path


def write_scene(directory: Path, scene: str, size: tuple[int, int] = DEFAULT_SIZE,
                spec: VideoSpec = DEFAULT_VIDEO_SPEC) -> Path:
    """Write one scene's video into ``directory``; returns its path."""
    frames = [scene_frame(scene, size, i) for i in range(spec.frames)]
    return write_video(directory / f"{scene}-{size[0]}x{size[1]}{spec.suffix}", frames, spec)
