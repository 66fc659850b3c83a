"""Preview helpers (pure): a frame as a texture buffer, and overlay shapes in preview coordinates.

For Kivy (the UI does this, the driver does not import Kivy):

    buf = preview_buffer(frame.image, max_width=960, mirror=True)
    texture = Texture.create(size=buf.size, colorfmt=buf.colorfmt)   # once per size
    texture.blit_buffer(buf.data, colorfmt=buf.colorfmt, bufferfmt="ubyte")

The buffer is already flipped for bottom-up textures (OpenGL's origin is bottom-left), and
mirrored for the face camera so the resident sees themselves as in a mirror. ``map_box`` and
``map_quad`` put a face box or page outline into the same bottom-left preview coordinates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drivers.lazy import lazy_module

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:  # OpenCV loads at the first frame, not at start-up
    cv2 = lazy_module("cv2")
    np = lazy_module("numpy")

from drivers.camera.face import Box


@dataclass(frozen=True, slots=True)
class PreviewBuffer:
    """Pixels for a texture: ``data`` rows bottom-up, ``size`` (width, height), ``colorfmt``."""

    data: bytes
    size: tuple[int, int]
    colorfmt: str = "bgr"


def preview_size(frame_size: tuple[int, int], max_width: int | None) -> tuple[int, int]:
    """The preview's (width, height): the frame scaled down to ``max_width`` (never up)."""
    w, h = frame_size
    if max_width is None or w <= max_width:
        return w, h
    return max_width, max(1, round(h * max_width / w))


def preview_buffer(image: np.ndarray, *, max_width: int | None = None,
                   mirror: bool = False) -> PreviewBuffer:
    """A BGR frame as a bottom-up texture buffer, scaled to ``max_width`` and mirrored if asked."""
    size = preview_size((image.shape[1], image.shape[0]), max_width)
    if size != (image.shape[1], image.shape[0]):
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    # flip code: 0 = vertical (bottom-up rows), -1 = both (bottom-up and mirrored)
    flipped = cv2.flip(image, -1 if mirror else 0)
    return PreviewBuffer(flipped.tobytes(), size)


def _map_point(x: float, y: float, frame_size: tuple[int, int],
               preview: tuple[int, int], mirror: bool) -> tuple[float, float]:
    sx, sy = preview[0] / frame_size[0], preview[1] / frame_size[1]
    px, py = x * sx, y * sy
    if mirror:
        px = preview[0] - px
    return px, preview[1] - py


def map_box(box: Box, frame_size: tuple[int, int], preview: tuple[int, int],
            mirror: bool = False) -> tuple[float, float, float, float]:
    """A face box (top-left origin, frame pixels) as (x, y, w, h) bottom-left in the preview."""
    x, y, w, h = box
    corners = [_map_point(cx, cy, frame_size, preview, mirror)
               for cx, cy in ((x, y), (x + w, y + h))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def map_quad(quad: Sequence[tuple[float, float]], frame_size: tuple[int, int],
             preview: tuple[int, int], mirror: bool = False) -> list[float]:
    """Page corners as a flat [x0, y0, x1, y1, ...] list (a closed Kivy Line's points)."""
    points: list[float] = []
    for x, y in quad:
        points.extend(_map_point(x, y, frame_size, preview, mirror))
    return points
