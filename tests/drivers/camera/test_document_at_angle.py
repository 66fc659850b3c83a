"""Pages photographed at an angle: the four corners are found within a few pixels, and the
perspective correction gives back the page (compared with the original, pixel by pixel)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.camera import synth
from drivers.camera.document import (
    A4_ASPECT,
    find_page,
    order_corners,
    page_size,
    warp_page,
)

CORNER_TOLERANCE_PX = 4.0

ANGLES = {
    "tilted-left": synth.DOCUMENT_CORNERS,
    "near-square": ((100.0, 100.0), (540.0, 80.0), (560.0, 400.0), (80.0, 420.0)),
    "rotated-right": ((200.0, 30.0), (450.0, 90.0), (400.0, 460.0), (150.0, 400.0)),
    "keystone": ((220.0, 60.0), (420.0, 60.0), (520.0, 450.0), (120.0, 450.0)),
}


@pytest.mark.parametrize("name", sorted(ANGLES))
def test_corners_found(name: str) -> None:
    corners = ANGLES[name]
    frame = synth.place_page(synth.document_page(), corners)
    quad = find_page(frame)
    assert quad is not None
    error = np.abs(np.float32(quad) - np.float32(corners)).max()
    assert error <= CORNER_TOLERANCE_PX, (quad, corners)


@pytest.mark.parametrize("name", sorted(ANGLES))
def test_warp_gives_back_the_page(name: str) -> None:
    page = synth.document_page()
    corners = [(x * 2, y * 2) for x, y in ANGLES[name]]
    frame = synth.place_page(page, corners, size=(1280, 960))  # a 1.3 MP document camera
    quad = find_page(frame)
    assert quad is not None
    straight = warp_page(frame, quad, long_side_px=page.shape[0])
    compare = cv2.resize(straight, (page.shape[1] // 4, page.shape[0] // 4),
                         interpolation=cv2.INTER_AREA)
    original = cv2.resize(page, compare.shape[1::-1], interpolation=cv2.INTER_AREA)
    diff = np.abs(compare.astype(np.int16) - original.astype(np.int16)).mean()
    assert diff < 12.0, f"mean difference {diff:.1f} grey levels"


def test_high_resolution_frame() -> None:
    corners = [(x * 2.5, y * 2.5) for x, y in synth.DOCUMENT_CORNERS]
    frame = synth.place_page(synth.document_page(), corners, size=(1600, 1200))
    quad = find_page(frame)
    assert quad is not None
    assert np.abs(np.float32(quad) - np.float32(corners)).max() <= CORNER_TOLERANCE_PX * 2.5


@pytest.mark.parametrize("scene", ["no_face", "face", "dark"])
def test_no_page_in_view(scene: str) -> None:
    assert find_page(synth.scene_frame(scene)) is None


def test_corner_order_and_a4_snap() -> None:
    shuffled = np.float32([[500, 400], [100, 20], [110, 420], [520, 30]])
    assert order_corners(shuffled) == ((100, 20), (520, 30), (500, 400), (110, 420))
    quad = ((0.0, 0.0), (210.0, 0.0), (210.0, 300.0), (0.0, 300.0))  # 1.43, near A4 1.414
    w, h = page_size(quad, long_side_px=1414)
    assert h == 1414 and abs(h / w - A4_ASPECT) < 0.01
