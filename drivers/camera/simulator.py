"""The camera simulator: synthetic scenes played through the real OpenCV capture path.

Each scene is written once as a real video file (cv2.VideoWriter, MJPG) in a temporary folder.
The camera driver opens a fixed "device" path there, a symlink to the current scene's file,
with cv2.VideoCapture exactly as it opens a file source. Switching scene relinks and asks the
driver to reopen; ``unplug()`` removes the link and drops the open capture (as the kernel does
when a USB camera goes away), so the driver sees a missing device and retries; ``replug()``
restores it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.camera import synth

if TYPE_CHECKING:
    from drivers.camera.capture import Camera


class CameraSimulator:
    """Synthetic video for ``sim://camera``: ``set_scene(name)``, ``unplug()``, ``replug()``."""

    def __init__(self, size: tuple[int, int] = synth.DEFAULT_SIZE,
                 spec: synth.VideoSpec = synth.DEFAULT_VIDEO_SPEC, scene: str = "no_face",
                 directory: Path | None = None) -> None:
        self.size = size
        self.spec = spec
        self._own_dir = directory is None
        self.directory = Path(directory or tempfile.mkdtemp(prefix="kiosk-camsim-"))
        self.device_path = self.directory / f"video0{spec.suffix}"
        self._lock = threading.Lock()
        self._files: dict[str, Path] = {}
        self._camera: Camera | None = None
        self._plugged = True
        self.scene = ""
        if self._own_dir:
            self._finalizer = weakref.finalize(self, shutil.rmtree, self.directory, True)
        self.set_scene(scene)

    def attach(self, camera: Camera) -> None:
        """Tell the simulator which camera to nudge when the scene or the plug changes."""
        self._camera = camera

    def target(self) -> str:
        """The path the camera driver opens (a symlink to the current scene's video)."""
        return str(self.device_path)

    def scene_file(self, scene: str) -> Path:
        """The video file of ``scene``, written on first use."""
        with self._lock:
            path = self._files.get(scene)
            if path is None:
                path = synth.write_scene(self.directory, scene, self.size, self.spec)
                self._files[scene] = path
            return path

    def set_scene(self, scene: str) -> None:
        """Play ``scene`` (one of synth.SCENES) from now on."""
        if scene not in synth.SCENES:
            raise ValueError(f"unknown scene {scene!r}; one of {', '.join(synth.SCENES)}")
        self.scene_file(scene)
        self.scene = scene
        if self._plugged:
            self._link()
        self._nudge()

    def unplug(self) -> None:
        """The camera disappears: the device path goes and the open capture is dropped."""
        self._plugged = False
        self.device_path.unlink(missing_ok=True)
        self._nudge()

    def replug(self) -> None:
        """The camera comes back at the same path."""
        self._plugged = True
        self._link()

    def close(self) -> None:
        """Remove the temporary videos (if the simulator made the folder)."""
        if self._own_dir:
            self._finalizer()

    def _link(self) -> None:
        tmp = self.directory / f".link-{os.getpid()}-{threading.get_ident()}"
        tmp.unlink(missing_ok=True)
        os.symlink(self._files[self.scene].name, tmp)
        os.replace(tmp, self.device_path)

    def _nudge(self) -> None:
        if self._camera is not None:
            self._camera.reopen()
