"""Camera connection URLs, parsed once into a typed source (pure).

- ``opencv://0``                 a V4L2 camera by index
- ``opencv:///dev/video0``       a camera by device path (also ``/dev/v4l/by-id/...``)
- ``opencv+file:///path/a.mp4``  a video file, played in a loop (tests, demos)
- ``opencv+rtsp://host/stream``  / ``opencv+http://...``  a network stream handed to OpenCV
- ``sim://camera``               the simulator (see drivers.camera.simulator)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class SourceKind(StrEnum):
    """How OpenCV is asked to open the camera."""

    INDEX = "index"
    DEVICE = "device"
    FILE = "file"
    STREAM = "stream"
    SIMULATOR = "simulator"


@dataclass(frozen=True, slots=True)
class CameraSource:
    """A parsed camera URL: ``target`` is what cv2.VideoCapture receives."""

    kind: SourceKind
    target: int | str
    loop: bool = False

    def describe(self) -> str:
        """Technician-facing text without credentials a stream URL may carry."""
        if self.kind is SourceKind.STREAM and isinstance(self.target, str):
            parts = urlsplit(self.target)
            return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
        return f"{self.kind.value} {self.target}"


class CameraUrlError(ValueError):
    """The configured camera URL is malformed (a configuration error, raised at start-up)."""


def parse_camera_url(url: str) -> CameraSource:
    """Parse a camera URL (see the module docstring)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sim":
        if parts.netloc != "camera":
            raise CameraUrlError(f"unknown simulator {url!r}; use sim://camera")
        return CameraSource(SourceKind.SIMULATOR, "camera", loop=True)
    if scheme == "opencv":
        if parts.netloc:
            if not parts.netloc.isdigit() or parts.path not in ("", "/"):
                raise CameraUrlError(f"camera index must be a number: {url!r}")
            return CameraSource(SourceKind.INDEX, int(parts.netloc))
        if not parts.path.startswith("/dev/"):
            raise CameraUrlError(f"camera device path must be under /dev: {url!r}")
        return CameraSource(SourceKind.DEVICE, parts.path)
    if scheme == "opencv+file":
        if parts.netloc or not parts.path:
            raise CameraUrlError(f"use opencv+file:///absolute/path: {url!r}")
        return CameraSource(SourceKind.FILE, parts.path, loop=True)
    if scheme.startswith("opencv+") and scheme[7:] in ("rtsp", "http", "https"):
        return CameraSource(SourceKind.STREAM, url[len("opencv+"):])
    raise CameraUrlError(f"unsupported camera URL {url!r}")
