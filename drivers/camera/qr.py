"""QR codes read from camera frames (a phone screen or a paper form held up to the camera).

``decode_qr(frame)`` tries OpenCV's detectors on the frame as is, then on preprocessed copies
(binarised, denoised, closed, enlarged), stopping at the first that decodes: rotation is handled
by the detectors, moderate damage (spots, noise, blur) by the preprocessing and the code's own
error correction. ``QrFrameReader`` turns a stream of frames into one classified code per
presentation (the same code is not reported again until it has been out of view).
The decoded text is untrusted: it is classified by drivers.scanner.payloads, never interpreted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from drivers.scanner.payloads import ScannedCode, classify


@dataclass(frozen=True, slots=True)
class QrResult:
    """Decoded texts (empty when none) and the preprocessing that found them."""

    texts: tuple[str, ...] = ()
    strategy: str = ""

    @property
    def found(self) -> bool:
        """True when at least one code decoded."""
        return bool(self.texts)


def _variants(gray: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    yield "plain", gray
    _, otsu = cv2.threshold(cv2.GaussianBlur(gray, (3, 3), 0), 0, 255,
                            cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield "otsu", otsu
    yield "adaptive", cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                            cv2.THRESH_BINARY, 31, 5)
    median = cv2.medianBlur(gray, 5)
    yield "median", median
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    _, med_bin = cv2.threshold(median, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield "open-close", cv2.morphologyEx(cv2.morphologyEx(med_bin, cv2.MORPH_OPEN, kernel),
                                         cv2.MORPH_CLOSE, kernel)
    h, w = gray.shape[:2]
    if max(h, w) <= 1000:
        yield "upscaled", cv2.resize(gray, (w * 2, h * 2), interpolation=cv2.INTER_CUBIC)
    sharp = cv2.addWeighted(gray, 1.8, cv2.GaussianBlur(gray, (0, 0), 3), -0.8, 0)
    yield "sharpened", sharp


class QrDecoder:
    """OpenCV's classic and ArUco-based QR detectors with preprocessing fallbacks."""

    def __init__(self) -> None:
        self._detectors: list[tuple[str, cv2.QRCodeDetector | cv2.QRCodeDetectorAruco]] = [
            ("classic", cv2.QRCodeDetector())]
        if hasattr(cv2, "QRCodeDetectorAruco"):
            self._detectors.append(("aruco", cv2.QRCodeDetectorAruco()))

    def decode(self, image: np.ndarray, *, thorough: bool = True) -> QrResult:
        """Decode the QR codes in a frame; ``thorough=False`` tries the plain frame only."""
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        for name, variant in _variants(gray):
            for det_name, detector in self._detectors:
                texts = _decode_with(detector, variant)
                if texts:
                    return QrResult(texts, f"{det_name}/{name}")
            if not thorough:
                break
        return QrResult()


def _decode_with(detector: cv2.QRCodeDetector | cv2.QRCodeDetectorAruco,
                 img: np.ndarray) -> tuple[str, ...]:
    try:
        ok, texts, _points, _ = detector.detectAndDecodeMulti(img)
    except cv2.error:
        ok, texts = False, ()
    found = tuple(t for t in texts if t) if ok else ()
    if found:
        return found
    try:
        text, _points, _ = detector.detectAndDecode(img)
    except cv2.error:
        return ()
    return (text,) if text else ()


_DEFAULT_DECODER: QrDecoder | None = None


def decode_qr(image: np.ndarray, *, thorough: bool = True) -> QrResult:
    """Decode QR codes in one BGR or grey frame with a shared decoder."""
    global _DEFAULT_DECODER
    if _DEFAULT_DECODER is None:
        _DEFAULT_DECODER = QrDecoder()
    return _DEFAULT_DECODER.decode(image, thorough=thorough)


class QrFrameReader:
    """One classified code per presentation from a stream of frames.

    ``feed(frame)`` returns a ScannedCode the first time a code is seen, and None otherwise;
    a code is reported again only after ``forget_after_s`` without seeing it. The costly
    preprocessing fallbacks run on every ``thorough_every``-th frame only (a frame without a
    code costs ~25 ms plain and ~130 ms thorough on this machine).
    """

    def __init__(self, decoder: QrDecoder | None = None, *, forget_after_s: float = 3.0,
                 thorough_every: int = 4,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._decoder = decoder or QrDecoder()
        self._forget_after_s = forget_after_s
        self._thorough_every = max(1, thorough_every)
        self._clock = clock
        self._last_text = ""
        self._last_seen = 0.0
        self._count = 0

    def feed(self, image: np.ndarray) -> ScannedCode | None:
        """Decode one frame; a newly presented code comes back classified."""
        self._count += 1
        result = self._decoder.decode(image, thorough=self._count % self._thorough_every == 0)
        now = self._clock()
        if not result.found:
            return None
        text = result.texts[0]
        fresh = text != self._last_text or now - self._last_seen > self._forget_after_s
        self._last_text, self._last_seen = text, now
        return classify(text, source="camera") if fresh else None
