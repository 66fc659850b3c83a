"""Preview buffers for a bottom-up texture (flipped, optionally mirrored, scaled down) and
overlay shapes mapped into the same coordinates."""

from __future__ import annotations

import numpy as np

from drivers.camera.preview import map_box, map_quad, preview_buffer, preview_size


def _marked() -> np.ndarray:
    img = np.zeros((480, 640, 3), np.uint8)
    img[0:10, 0:10] = (255, 0, 0)  # top-left of the frame is blue (BGR)
    return img


def test_bottom_up_rows() -> None:
    buf = preview_buffer(_marked())
    assert buf.size == (640, 480) and buf.colorfmt == "bgr"
    pixels = np.frombuffer(buf.data, np.uint8).reshape(480, 640, 3)
    assert tuple(pixels[-1, 0]) == (255, 0, 0)  # first row of the texture is the bottom


def test_mirrored_and_scaled() -> None:
    buf = preview_buffer(_marked(), max_width=320, mirror=True)
    assert buf.size == (320, 240)
    pixels = np.frombuffer(buf.data, np.uint8).reshape(240, 320, 3)
    assert tuple(pixels[-1, -1]) == (255, 0, 0)
    assert len(buf.data) == 320 * 240 * 3


def test_never_scaled_up() -> None:
    assert preview_size((320, 240), 960) == (320, 240)


def test_box_and_quad_mapping() -> None:
    x, y, w, h = map_box((100, 50, 200, 100), (640, 480), (320, 240))
    assert (x, y, w, h) == (50, 240 - 75, 100, 50)
    mx, _my, mw, _mh = map_box((100, 50, 200, 100), (640, 480), (320, 240), mirror=True)
    assert (mx, mw) == (320 - 150, 100)
    points = map_quad([(0, 0), (640, 0), (640, 480), (0, 480)], (640, 480), (320, 240))
    assert points == [0, 240, 320, 240, 320, 0, 0, 0]
