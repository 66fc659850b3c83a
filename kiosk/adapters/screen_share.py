"""A shared screen on the wire: the kiosk's screens as a small JPEG, in chunks on the call's
WebRTC data channel (docs/adr/0821, docs/video-protocol.md "Screen pictures").

The picture goes peer to peer to the staff member's page (DTLS-encrypted like the media); the
console never sees it and so cannot store it. Data channel messages are limited in size
(16-64 KB between browsers and aiortc), so a picture is one JSON header then binary chunks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np

#: The label of the data channel the staff page opens for the pictures.
CHANNEL_LABEL = "screen"
#: The picture's size and JPEG quality: readable text, a few tens of kilobytes.
SHOT_SIZE = (960, 540)
JPEG_QUALITY = 60
#: One binary message on the data channel.
CHUNK_BYTES = 16 * 1024
#: Not more often than this (seconds), and only when the screen changed.
MIN_INTERVAL_S = 2.0


def encode_jpeg(rgba: bytes, width: int, height: int,
                size: tuple[int, int] = SHOT_SIZE, quality: int = JPEG_QUALITY) -> bytes:
    """RGBA bytes, bottom row first (as glReadPixels gives them), as a JPEG of ``size`` (top
    row first). Raises ValueError when the bytes do not match the size."""
    import cv2

    if width <= 0 or height <= 0 or len(rgba) != width * height * 4:
        raise ValueError("screen picture: the bytes do not match the size")
    image: Any = np.frombuffer(rgba, np.uint8).reshape(height, width, 4)[::-1]
    if (width, height) != size:
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    bgr = cv2.cvtColor(image, cv2.COLOR_RGBA2BGR)
    ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("screen picture: JPEG encoding failed")
    return bytes(data)


def messages(jpeg: bytes, seq: int, size: tuple[int, int] = SHOT_SIZE) -> Iterator[Any]:
    """The data channel messages of one picture: the header (text), then the chunks (bytes)."""
    chunks = (len(jpeg) + CHUNK_BYTES - 1) // CHUNK_BYTES
    yield json.dumps({"type": "shot", "seq": seq, "mime": "image/jpeg", "width": size[0],
                      "height": size[1], "bytes": len(jpeg), "chunks": chunks})
    for start in range(0, len(jpeg), CHUNK_BYTES):
        yield jpeg[start:start + CHUNK_BYTES]


#: Tells the staff page to blank the picture (the resident withdrew or the call ends).
SHARE_OFF = json.dumps({"type": "share_off"})
