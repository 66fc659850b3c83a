"""Document capture (高拍仪): find the page, straighten it, keep several pages, JPEG and PDF out.

Pure with respect to frames. The screen shows ``find_page(frame)`` as an outline on the preview,
then ``session.capture(frame)`` on the resident's tap; ``retake(i, frame)`` and ``remove(i)``
edit the set; ``session.to_pdf()`` (or each ``page.jpeg``) is attached to the application.
Sizes are bounded: pages per session, bytes per page, bytes per PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from drivers.lazy import lazy_module

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:  # OpenCV loads at the first frame, not at start-up
    cv2 = lazy_module("cv2")
    np = lazy_module("numpy")

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]

#: A4 height / width; a page within this tolerance of it is snapped to A4 proportions.
A4_ASPECT = 297.0 / 210.0
A4_SNAP_TOLERANCE = 0.08


def order_corners(points: np.ndarray) -> Quad:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(points, np.float32).reshape(4, 2)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    tl, br = pts[np.argmin(s)], pts[np.argmax(s)]
    tr, bl = pts[np.argmin(d)], pts[np.argmax(d)]
    return tuple((float(p[0]), float(p[1])) for p in (tl, tr, br, bl))  # type: ignore[return-value]


def _touches_border(quad: np.ndarray, shape: tuple[int, ...], margin_px: int = 3) -> bool:
    """True when two or more corners sit on the frame border (a lit wall, not a whole page)."""
    h, w = shape[:2]
    pts = quad.reshape(-1, 2)
    on_edge = ((pts[:, 0] <= margin_px) | (pts[:, 0] >= w - 1 - margin_px)
               | (pts[:, 1] <= margin_px) | (pts[:, 1] >= h - 1 - margin_px))
    return int(on_edge.sum()) >= 2


def _quad_from_contours(edges: np.ndarray, min_area: float) -> Quad | None:
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        area = cv2.contourArea(contour)
        if area < min_area:
            break
        hull = cv2.convexHull(contour)
        perimeter = cv2.arcLength(hull, True)
        for eps in (0.02, 0.03, 0.05):
            approx = cv2.approxPolyDP(hull, eps * perimeter, True)
            if len(approx) == 4 and cv2.isContourConvex(approx):
                if _touches_border(approx, edges.shape):
                    break
                return order_corners(approx)
    return None


def find_page(image: np.ndarray, *, min_area_ratio: float = 0.12,
              work_width_px: int = 640) -> Quad | None:
    """The page's four corners in ``image`` pixels, or None when no page is in view."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape[:2]
    scale = min(1.0, work_width_px / w)
    small = cv2.resize(gray, (round(w * scale), round(h * scale)),
                       interpolation=cv2.INTER_AREA) if scale < 1.0 else gray
    small = cv2.GaussianBlur(small, (5, 5), 0)
    min_area = min_area_ratio * small.shape[0] * small.shape[1]
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    # a bright page on a darker desk: Otsu's threshold first, then edges for low contrast
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel, iterations=2)
    quad = _quad_from_contours(bright, min_area)
    if quad is None:
        edges = cv2.dilate(cv2.Canny(small, 50, 150), kernel)
        quad = _quad_from_contours(edges, min_area)
    if quad is None:
        return None
    return tuple((x / scale, y / scale) for x, y in quad)  # type: ignore[return-value]


def page_size(quad: Quad, long_side_px: int = 1600) -> tuple[int, int]:
    """Output (width, height) for a straightened page: its proportions, A4 when close to it."""
    tl, tr, br, bl = (np.array(p) for p in quad)
    width = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    height = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    aspect = height / max(width, 1.0)
    for target in (A4_ASPECT, 1 / A4_ASPECT):
        if abs(aspect - target) / target < A4_SNAP_TOLERANCE:
            aspect = target
    if aspect >= 1:
        return round(long_side_px / aspect), long_side_px
    return long_side_px, round(long_side_px * aspect)


def warp_page(image: np.ndarray, quad: Quad, long_side_px: int = 1600) -> np.ndarray:
    """The page straightened (perspective corrected) to ``page_size(quad)``."""
    w, h = page_size(quad, long_side_px)
    src = np.array(quad, dtype=np.float32)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR)


def compress_jpeg(image: np.ndarray, max_bytes: int, *, quality: int = 85,
                  min_quality: int = 40, max_side_px: int = 2000) -> bytes | None:
    """JPEG within ``max_bytes``: lower the quality, then the size; None if even that fails."""
    h, w = image.shape[:2]
    scale = min(1.0, max_side_px / max(h, w))
    while scale * max(h, w) >= 300:
        img = image if scale == 1.0 else cv2.resize(
            image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        for q in range(quality, min_quality - 1, -15):
            ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
            if ok and buf.size <= max_bytes:
                return buf.tobytes()
        scale *= 0.75
    return None


class PageStatus(StrEnum):
    """Outcome of capturing one page."""

    CAPTURED = "captured"
    NO_PAGE = "no_page"  # no page edges found; the screen may offer "use the whole picture"
    TOO_MANY_PAGES = "too_many_pages"
    TOO_LARGE = "too_large"  # cannot be compressed within the per-page limit
    BAD_INDEX = "bad_index"


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """Size limits of one document set (a platform attachment limit, typically)."""

    max_pages: int = 20
    max_page_bytes: int = 800_000
    max_pdf_bytes: int = 8_000_000
    long_side_px: int = 1600
    jpeg_quality: int = 85


@dataclass(frozen=True, slots=True)
class Page:
    """One straightened page: JPEG bytes, its pixel size, and where it was found in the frame."""

    jpeg: bytes
    size: tuple[int, int]
    quad: Quad | None


@dataclass(frozen=True, slots=True)
class PageResult:
    """What ``capture``/``retake`` did; ``page`` is set when CAPTURED."""

    status: PageStatus
    index: int = -1
    page: Page | None = None


@dataclass(frozen=True, slots=True)
class PdfResult:
    """A multi-page PDF, or the reason there is none."""

    ok: bool
    pdf: bytes = b""
    reason: str = ""


@dataclass(slots=True)
class DocumentSession:
    """The pages of one document being photographed; bounded by ``limits``."""

    limits: DocumentLimits = DocumentLimits()
    pages: list[Page] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        """Sum of the pages' JPEG sizes."""
        return sum(len(p.jpeg) for p in self.pages)

    def _make_page(self, image: np.ndarray, whole_frame: bool) -> PageResult:
        quad = None if whole_frame else find_page(image)
        if quad is None and not whole_frame:
            return PageResult(PageStatus.NO_PAGE)
        straight = image if quad is None else warp_page(image, quad, self.limits.long_side_px)
        jpeg = compress_jpeg(straight, self.limits.max_page_bytes,
                             quality=self.limits.jpeg_quality,
                             max_side_px=self.limits.long_side_px)
        if jpeg is None:
            return PageResult(PageStatus.TOO_LARGE)
        size = (int(straight.shape[1]), int(straight.shape[0]))
        return PageResult(PageStatus.CAPTURED, page=Page(jpeg, size, quad))

    def capture(self, image: np.ndarray, *, whole_frame: bool = False) -> PageResult:
        """Add a page from a frame (``whole_frame`` skips edge detection)."""
        if len(self.pages) >= self.limits.max_pages:
            return PageResult(PageStatus.TOO_MANY_PAGES)
        result = self._make_page(image, whole_frame)
        if result.page is None:
            return result
        self.pages.append(result.page)
        return PageResult(result.status, len(self.pages) - 1, result.page)

    def retake(self, index: int, image: np.ndarray, *, whole_frame: bool = False) -> PageResult:
        """Replace page ``index`` with a new frame."""
        if not 0 <= index < len(self.pages):
            return PageResult(PageStatus.BAD_INDEX)
        result = self._make_page(image, whole_frame)
        if result.page is None:
            return result
        self.pages[index] = result.page
        return PageResult(result.status, index, result.page)

    def remove(self, index: int) -> bool:
        """Drop page ``index``; False if there is no such page."""
        if not 0 <= index < len(self.pages):
            return False
        del self.pages[index]
        return True

    def clear(self) -> None:
        """Forget every page (end of session: the pages are personal data)."""
        self.pages.clear()

    def to_pdf(self, title: str = "materials") -> PdfResult:
        """All pages as one PDF, each page fitted on A4 (portrait or landscape)."""
        if not self.pages:
            return PdfResult(False, reason="no pages")
        pdf = pages_to_pdf([p.jpeg for p in self.pages], title)
        if len(pdf) > self.limits.max_pdf_bytes:
            # recompress every page to share the budget and try once more
            budget = int(self.limits.max_pdf_bytes * 0.9 / len(self.pages))
            smaller = []
            for page in self.pages:
                img = cv2.imdecode(np.frombuffer(page.jpeg, np.uint8), cv2.IMREAD_COLOR)
                jpeg = None if img is None else compress_jpeg(img, budget, quality=70)
                if jpeg is None:
                    return PdfResult(False, reason="pages do not fit the PDF size limit")
                smaller.append(jpeg)
            pdf = pages_to_pdf(smaller, title)
            if len(pdf) > self.limits.max_pdf_bytes:
                return PdfResult(False, reason="pages do not fit the PDF size limit")
        return PdfResult(True, pdf)


def pages_to_pdf(jpegs: list[bytes], title: str = "materials") -> bytes:
    """A PDF with one JPEG per A4 page (embedded as is, no recompression), fitted with margins."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=0)
    pdf.setTitle(title)
    margin = 18.0
    for jpeg in jpegs:
        reader = ImageReader(io.BytesIO(jpeg))
        iw, ih = reader.getSize()
        pw, ph = A4 if ih >= iw else landscape(A4)
        pdf.setPageSize((pw, ph))
        scale = min((pw - 2 * margin) / iw, (ph - 2 * margin) / ih)
        dw, dh = iw * scale, ih * scale
        pdf.drawImage(reader, (pw - dw) / 2, (ph - dh) / 2, dw, dh)
        pdf.showPage()
    pdf.save()
    return out.getvalue()
