"""Cameras: the capture driver, face and document capture logic, QR decoding from frames.

``open_camera(url, **options)`` is the one factory; ``sim://camera`` returns a camera whose
``.simulator`` plays synthetic scenes through the real OpenCV capture path.

Modules: ``capture`` (the driver), ``source`` (URLs), ``simulator`` and ``synth`` (synthetic
scenes), ``face`` (guidance and frame choice), ``document`` (pages, JPEG, PDF), ``qr`` (codes
from frames), ``preview`` (texture buffers and overlay coordinates). docs/camera-and-scanners.md
shows how a screen uses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drivers.camera.source import CameraSource, CameraUrlError, SourceKind, parse_camera_url

if TYPE_CHECKING:
    from drivers.camera.capture import Camera, CameraStats, Frame
    from drivers.camera.simulator import CameraSimulator

#: Names loaded on first use: the capture driver and the simulator import OpenCV, and the
#: kiosk imports this package (guidance enums, preview geometry) before its first frame.
_LAZY = {"Camera": "drivers.camera.capture", "CameraStats": "drivers.camera.capture",
         "Frame": "drivers.camera.capture", "CameraSimulator": "drivers.camera.simulator"}


def __getattr__(name: str) -> Any:
    """``Camera``, ``CameraStats``, ``Frame``, ``CameraSimulator`` imported on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)

__all__ = [
    "Camera",
    "CameraSimulator",
    "CameraSource",
    "CameraStats",
    "CameraUrlError",
    "Frame",
    "SourceKind",
    "open_camera",
    "parse_camera_url",
]


def open_camera(url: str, *, allow_simulator: bool = True, **options: Any) -> Camera:
    """A camera for ``url`` (not started). Options: width, height, fps, queue_size, emit_frames,
    pace_fps, reconnect_delay_s, read_failures_before_drop, name; for ``sim://camera`` also
    ``scene`` (initial scene). Simulators are refused when ``allow_simulator`` is False."""
    from drivers.camera.capture import Camera
    from drivers.camera.simulator import CameraSimulator

    source = parse_camera_url(url)
    if source.kind is SourceKind.SIMULATOR:
        if not allow_simulator:
            raise CameraUrlError("the camera simulator is refused in production")
        width = options.get("width") or 640
        height = options.get("height") or 480
        simulator = CameraSimulator((int(width), int(height)),
                                    scene=options.pop("scene", "no_face"))
        camera = Camera(source, target=simulator.target, **options)
        simulator.attach(camera)
        camera.simulator = simulator
        return camera
    options.pop("scene", None)
    return Camera(source, **options)
