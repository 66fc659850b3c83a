"""Face capture for identity checks (人证比对): guidance per frame and the choice of one frame.

Pure with respect to frames (no camera, no thread): the screen feeds frames in, shows the
guidance, and when a capture is ready encodes it to JPEG for the platform's verification call.
The image is personal data: the caller calls ``CapturedFace.discard()`` right after the call.

    analyser = FaceAnalyser()
    capture = FaceCapture(analyser)
    step = capture.feed(frame.image)     # step.guidance -> the on-screen hint, step.analysis.box
    if step.captured is not None:
        jpeg = step.captured.to_jpeg()   # bytes for the verification call
        step.captured.discard()
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.lazy import lazy_module

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:  # OpenCV loads at the first frame, not at start-up
    cv2 = lazy_module("cv2")
    np = lazy_module("numpy")

Box = tuple[int, int, int, int]  # x, y, width, height in frame pixels

#: The stock frontal-face cascade's file name in the opencv-python-headless (<5) wheel.
FACE_CASCADE_NAME = "haarcascade_frontalface_default.xml"


def face_cascade() -> Path:
    """The stock frontal-face cascade shipped with OpenCV (imports OpenCV)."""
    return Path(cv2.data.haarcascades) / FACE_CASCADE_NAME  # type: ignore[attr-defined]


def __getattr__(name: str) -> Path:
    """``FACE_CASCADE`` on demand, so importing this module does not import OpenCV."""
    if name == "FACE_CASCADE":
        return face_cascade()
    raise AttributeError(name)


class FaceGuidance(StrEnum):
    """What the resident should do; exactly one per frame, in this order of precedence. The
    kiosk words it for the screen (kiosk.core.face_check.GUIDANCE_TEXT); drivers produce no
    resident text."""

    TOO_DARK = "too_dark"
    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    TOO_FAR = "too_far"
    TOO_CLOSE = "too_close"
    OFF_CENTRE = "off_centre"
    LOOK_AT_CAMERA = "look_at_camera"
    HOLD_STILL = "hold_still"
    OK = "ok"


@dataclass(frozen=True, slots=True)
class FaceThresholds:
    """Limits for the guidance; ratios are of the frame height, brightness is 0-255 grey."""

    min_frame_brightness: float = 45.0
    min_face_brightness: float = 60.0
    min_face_height_ratio: float = 0.22
    max_face_height_ratio: float = 0.70
    max_centre_offset_ratio: float = 0.18
    min_frontal: float = 0.90
    min_sharpness: float = 10.0
    max_motion_ratio: float = 0.08
    detect_width_px: int = 320


@dataclass(frozen=True, slots=True)
class FaceAnalysis:
    """The analysis of one frame: guidance, the face box (if one face), and its measures."""

    guidance: FaceGuidance
    box: Box | None = None
    faces: int = 0
    brightness: float = 0.0
    sharpness: float = 0.0
    frontal: float = 0.0

    @property
    def quality(self) -> float:
        """Score to rank acceptable frames: sharper and more frontal is better."""
        return self.frontal * 100.0 + min(self.sharpness, 500.0) / 5.0


def sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian of a grey image resized to 128 px wide (scale-independent)."""
    h, w = gray.shape[:2]
    if w == 0 or h == 0:
        return 0.0
    small = cv2.resize(gray, (128, max(1, round(h * 128 / w))), interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(small, cv2.CV_64F).var())


def frontal_score(gray_face: np.ndarray) -> float:
    """Left-right symmetry of a face crop, 0..1 (1 = mirror-symmetric: facing the camera).

    Illumination is removed first (the crop minus a heavy blur of itself) and each half is
    normalised, so light from one side does not read as a turned head. The score is the best
    correlation of the left half with the mirrored right half over a few pixels of axis slack.
    """
    face = cv2.resize(gray_face, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32)
    face -= cv2.GaussianBlur(face, (0, 0), 8)
    best = 0.0
    for shift in range(-3, 4):  # the inner face only: the box edges hold background
        left = face[12:56, 12 + shift:32 + shift]
        right = np.fliplr(face[12:56, 32 + shift:52 + shift])
        left = (left - left.mean()) / (left.std() + 1e-3)
        right = (right - right.mean()) / (right.std() + 1e-3)
        best = max(best, float((left * right).mean()))
    return max(0.0, min(1.0, best))


class FaceAnalyser:
    """Haar-cascade face detection and per-frame guidance (loads the cascade once)."""

    def __init__(self, thresholds: FaceThresholds = FaceThresholds(),
                 cascade_path: Path | None = None) -> None:
        self.thresholds = thresholds
        cascade_path = cascade_path or face_cascade()
        self._cascade = cv2.CascadeClassifier(str(cascade_path))
        if self._cascade.empty():
            raise FileNotFoundError(f"Haar cascade not loadable: {cascade_path}")

    def detect(self, gray: np.ndarray) -> list[Box]:
        """Face boxes in a grey frame, largest first (detection runs on a downscaled copy)."""
        h, w = gray.shape[:2]
        scale = min(1.0, self.thresholds.detect_width_px / w)
        small = cv2.resize(gray, (round(w * scale), round(h * scale)),
                           interpolation=cv2.INTER_AREA) if scale < 1.0 else gray
        min_side = max(20, round(min(small.shape[:2]) * 0.08))
        found = self._cascade.detectMultiScale(small, scaleFactor=1.1, minNeighbors=5,
                                               minSize=(min_side, min_side))
        boxes = [tuple(round(v / scale) for v in box) for box in found]
        return sorted(boxes, key=lambda b: b[2] * b[3], reverse=True)  # type: ignore[arg-type,return-value]

    def analyse(self, image: np.ndarray, previous_box: Box | None = None) -> FaceAnalysis:
        """Guidance for one BGR (or grey) frame; ``previous_box`` detects motion."""
        t = self.thresholds
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        h, w = gray.shape[:2]
        brightness = float(gray.mean())
        if brightness < t.min_frame_brightness:
            return FaceAnalysis(FaceGuidance.TOO_DARK, brightness=brightness)
        boxes = self.detect(gray)
        if not boxes:
            return FaceAnalysis(FaceGuidance.NO_FACE, brightness=brightness)
        # a second face much smaller than the first is a poster or a passer-by far behind
        big = [b for b in boxes if b[3] >= boxes[0][3] * 0.6]
        box = boxes[0]
        x, y, bw, bh = box
        crop = gray[max(0, y):y + bh, max(0, x):x + bw]
        face_brightness = float(crop.mean())
        measures = dict(box=box, faces=len(boxes), brightness=face_brightness,
                        sharpness=sharpness(crop), frontal=frontal_score(crop))
        if len(big) > 1:
            return FaceAnalysis(FaceGuidance.MULTIPLE_FACES, **measures)  # type: ignore[arg-type]
        if face_brightness < t.min_face_brightness:
            return FaceAnalysis(FaceGuidance.TOO_DARK, **measures)  # type: ignore[arg-type]
        if bh < t.min_face_height_ratio * h:
            return FaceAnalysis(FaceGuidance.TOO_FAR, **measures)  # type: ignore[arg-type]
        if bh > t.max_face_height_ratio * h:
            return FaceAnalysis(FaceGuidance.TOO_CLOSE, **measures)  # type: ignore[arg-type]
        cx, cy = x + bw / 2, y + bh / 2
        if (abs(cx - w / 2) > t.max_centre_offset_ratio * w
                or abs(cy - h / 2) > t.max_centre_offset_ratio * h * 1.3):
            return FaceAnalysis(FaceGuidance.OFF_CENTRE, **measures)  # type: ignore[arg-type]
        if measures["frontal"] < t.min_frontal:  # type: ignore[operator]
            return FaceAnalysis(FaceGuidance.LOOK_AT_CAMERA, **measures)  # type: ignore[arg-type]
        moved = previous_box is not None and _motion(previous_box, box) > t.max_motion_ratio
        if moved or measures["sharpness"] < t.min_sharpness:  # type: ignore[operator]
            return FaceAnalysis(FaceGuidance.HOLD_STILL, **measures)  # type: ignore[arg-type]
        return FaceAnalysis(FaceGuidance.OK, **measures)  # type: ignore[arg-type]


def _motion(a: Box, b: Box) -> float:
    """How far a face box moved between frames, relative to its size."""
    size = max(1.0, (a[2] + b[2]) / 2)
    dx = (a[0] + a[2] / 2) - (b[0] + b[2] / 2)
    dy = (a[1] + a[3] / 2) - (b[1] + b[3] / 2)
    return float(np.hypot(dx, dy) / size + abs(a[2] - b[2]) / size)


@dataclass(slots=True)
class CapturedFace:
    """The chosen frame (a private copy) and its analysis; discard it after the verification."""

    image: np.ndarray
    analysis: FaceAnalysis

    def to_jpeg(self, *, margin: float = 0.5, max_side_px: int = 640, quality: int = 90,
                max_bytes: int = 200_000) -> bytes:
        """JPEG of the face with ``margin`` (of the box size) around it, within ``max_bytes``."""
        if self.image.size == 0:
            raise ValueError("the captured face was discarded")
        return encode_face_jpeg(self.image, self.analysis.box, margin=margin,
                                max_side_px=max_side_px, quality=quality, max_bytes=max_bytes)

    def discard(self) -> None:
        """Overwrite and drop the pixels (the image is personal data)."""
        if self.image.size and self.image.flags.writeable:
            self.image.fill(0)
        self.image = np.empty((0, 0, 3), np.uint8)


def encode_face_jpeg(image: np.ndarray, box: Box | None = None, *, margin: float = 0.5,
                     max_side_px: int = 640, quality: int = 90,
                     max_bytes: int = 200_000) -> bytes:
    """Crop around ``box`` (whole frame if None), limit the size, and JPEG-encode within
    ``max_bytes`` by lowering the quality step by step; raises ValueError if it cannot fit."""
    crop = image
    if box is not None:
        x, y, w, h = box
        mx, my = int(w * margin), int(h * margin)
        H, W = image.shape[:2]
        crop = image[max(0, y - my):min(H, y + h + my), max(0, x - mx):min(W, x + w + mx)]
    h, w = crop.shape[:2]
    scale = min(1.0, max_side_px / max(h, w))
    if scale < 1.0:
        crop = cv2.resize(crop, (round(w * scale), round(h * scale)),
                          interpolation=cv2.INTER_AREA)
    for q in range(quality, 19, -10):
        ok, buf = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, q])
        if ok and buf.size <= max_bytes:
            return buf.tobytes()
    raise ValueError(f"face JPEG does not fit in {max_bytes} bytes")


@dataclass(frozen=True, slots=True)
class CaptureStep:
    """What one fed frame produced: its analysis, and the capture once one is chosen."""

    analysis: FaceAnalysis
    captured: CapturedFace | None = None

    @property
    def guidance(self) -> FaceGuidance:
        """The hint to show for this frame."""
        return self.analysis.guidance


@dataclass(slots=True)
class FaceCapture:
    """Chooses the best acceptable frame over a sliding window of frames.

    A capture is made once ``required_ok`` of the last ``window_frames`` frames were OK; the
    best of those (by ``FaceAnalysis.quality``) is copied out. Then the capture is finished
    until ``reset()``.
    """

    analyser: FaceAnalyser
    window_frames: int = 8
    required_ok: int = 3
    _window: deque[tuple[FaceAnalysis, np.ndarray | None]] = field(default_factory=deque)
    _previous_box: Box | None = None
    _done: bool = False

    def reset(self) -> None:
        """Start a new capture (drops any frames held)."""
        self._window.clear()
        self._previous_box = None
        self._done = False

    @property
    def done(self) -> bool:
        """True once a face was captured (until reset)."""
        return self._done

    def feed(self, image: np.ndarray) -> CaptureStep:
        """Analyse one frame; the step carries the captured face when the window is satisfied."""
        analysis = self.analyser.analyse(image, self._previous_box)
        self._previous_box = analysis.box
        if self._done:
            return CaptureStep(analysis)
        keep = image if analysis.guidance is FaceGuidance.OK else None
        self._window.append((analysis, keep))
        while len(self._window) > self.window_frames:
            self._window.popleft()
        good = [(a, img) for a, img in self._window if img is not None]
        if len(good) < self.required_ok:
            return CaptureStep(analysis)
        best, best_image = max(good, key=lambda item: item[0].quality)
        assert best_image is not None
        captured = CapturedFace(best_image.copy(), best)
        self._window.clear()
        self._done = True
        return CaptureStep(analysis, captured)
