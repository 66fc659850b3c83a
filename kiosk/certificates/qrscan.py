"""Find and decode QR codes in a PDF (rendered with pdftoppm) or a photo/scan, with OpenCV."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

PDF_RENDER_DPI = 200
PDFTOPPM_TIMEOUT_SECONDS = 60


class ScanError(Exception):
    """The input could not be read as a PDF or an image (message for the command line)."""


def pdf_pages(path: Path, dpi: int = PDF_RENDER_DPI) -> list[np.ndarray]:
    """Render every page of a PDF to a BGR image."""
    if shutil.which("pdftoppm") is None:
        raise ScanError("pdftoppm not installed (Debian: poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="kiosk-verify-") as folder:
        try:
            subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), f"{folder}/page"],
                           check=True, capture_output=True, timeout=PDFTOPPM_TIMEOUT_SECONDS)
        except subprocess.CalledProcessError as exc:
            raise ScanError(f"{path}: not a readable PDF") from exc
        except subprocess.TimeoutExpired as exc:
            raise ScanError(f"{path}: rendering took too long") from exc
        pages = []
        for png in sorted(Path(folder).glob("page*.png")):
            image = cv2.imread(str(png), cv2.IMREAD_COLOR)
            if image is not None:
                pages.append(image)
    return pages


def pdf_text(path: Path) -> str:
    """The PDF's text (pdftotext), or "" when it cannot be extracted."""
    if shutil.which("pdftotext") is None:
        return ""
    try:
        done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              timeout=PDFTOPPM_TIMEOUT_SECONDS, check=True)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.decode("utf-8", "replace")


def load_image(path: Path) -> np.ndarray:
    """Read a PNG/JPEG photo or scan."""
    data = np.frombuffer(path.read_bytes(), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None:
        raise ScanError(f"{path}: not a PDF, PNG or JPEG image")
    return image


def _variants(image: np.ndarray) -> list[np.ndarray]:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    variants = [grey]
    _, otsu = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    variants.append(otsu)
    height, width = grey.shape[:2]
    longest = max(height, width)
    if longest > 2200:
        scale = 1600 / longest
        variants.append(cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))
    elif longest < 900:
        variants.append(cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC))
    return variants


def decode_qr(image: np.ndarray) -> list[str]:
    """Every QR text found in ``image`` (tries a few preprocessings and both detectors)."""
    found: list[str] = []
    detectors: list[cv2.QRCodeDetector | cv2.QRCodeDetectorAruco] = []
    if hasattr(cv2, "QRCodeDetectorAruco"):
        detectors.append(cv2.QRCodeDetectorAruco())
    detectors.append(cv2.QRCodeDetector())
    for variant in _variants(image):
        for detector in detectors:
            try:
                ok, texts, _, _ = detector.detectAndDecodeMulti(variant)
            except cv2.error:
                ok, texts = False, ()
            if ok:
                found += [t for t in texts if t and t not in found]
            if found:
                return found
    return found
