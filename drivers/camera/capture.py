"""The camera driver: one pump thread reads frames from cv2.VideoCapture into a bounded queue.

Workflow: ``start(listener)`` starts the pump. The pump opens the source, reads frames as they
come (a file source is paced to its nominal frame rate and looped), keeps the newest frame for
the preview and the last ``queue_size`` frames for consumers (the oldest is dropped when full),
and reports status changes as ``status`` events. When reads fail (camera unplugged) it releases
the capture, reports ``no_device`` and retries every ``reconnect_delay_s`` until the camera is
back. Nothing grows with time: one thread, one capture, a fixed-length queue.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from drivers.camera.source import CameraSource, SourceKind

if TYPE_CHECKING:
    from drivers.camera.simulator import CameraSimulator
from drivers.interfaces import DeviceEvent, Listener
from drivers.publisher import StatusPublisher
from drivers.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

#: Wait between attempts to reopen a missing camera; short enough to notice a replug quickly.
RECONNECT_DELAY_SECONDS = 1.0
#: Consecutive failed reads after which a live camera counts as gone.
READ_FAILURES_BEFORE_DROP = 5
#: Frames kept for consumers; older ones are dropped (the preview only needs the newest).
QUEUE_SIZE = 4
#: Pace for file sources whose container does not say (frames per second).
DEFAULT_FILE_FPS = 15.0


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured frame: BGR uint8 pixels (read-only), a sequence number and a monotonic time."""

    seq: int
    timestamp_s: float
    image: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class CameraStats:
    """Counters since start: frames read, frames dropped from the queue, reconnects."""

    frames: int
    dropped: int
    reconnects: int
    opened: bool


CaptureFactory = Callable[[int | str], cv2.VideoCapture]


def _open_capture(target: int | str) -> cv2.VideoCapture:
    if isinstance(target, int):
        return cv2.VideoCapture(target, cv2.CAP_V4L2)
    return cv2.VideoCapture(target)


class Camera:
    """A camera behind cv2.VideoCapture with a frame pump thread; a ``Device``."""

    def __init__(self, source: CameraSource, *, name: str = "camera", width: int | None = None,
                 height: int | None = None, fps: float | None = None,
                 queue_size: int = QUEUE_SIZE, emit_frames: bool = False,
                 pace_fps: float | None = None,
                 reconnect_delay_s: float = RECONNECT_DELAY_SECONDS,
                 read_failures_before_drop: int = READ_FAILURES_BEFORE_DROP,
                 target: Callable[[], int | str] | None = None,
                 capture_factory: CaptureFactory = _open_capture) -> None:
        self.name = name
        self.source = source
        self.width, self.height, self.fps = width, height, fps
        self.emit_frames = emit_frames
        self._pace_fps = pace_fps
        self._reconnect_delay_s = reconnect_delay_s
        self._failures_before_drop = read_failures_before_drop
        self._target = target or (lambda: source.target)
        self._capture_factory = capture_factory
        self._queue: deque[Frame] = deque(maxlen=max(1, queue_size))
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._publisher = StatusPublisher(self.name, DeviceStatus(DeviceState.NO_DEVICE,
                                                                  "not started"), log)
        self._stop = threading.Event()
        self._reopen = threading.Event()
        self._thread: threading.Thread | None = None
        self._frames = self._dropped = self._reconnects = 0
        self._opened = False
        self._resolution: tuple[int, int] | None = None
        #: The simulator's handle when this camera is ``sim://camera``; None for real cameras.
        self.simulator: CameraSimulator | None = None
        self._subscribers: list[Callable[[Frame], None]] = []

    # -- Device ---------------------------------------------------------------------------------
    def start(self, listener: Listener) -> None:
        """Start the pump; events go to ``listener`` from the pump thread. Ignored if running."""
        if self._thread is not None:
            return
        self._publisher.listener = listener
        self._stop.clear()
        if self._publisher.status.reason == "not started":
            self._publisher.set_initial(DeviceStatus(DeviceState.NO_DEVICE, "opening"))
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-pump", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the pump and release the camera; safe to call twice."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)

    def status(self) -> DeviceStatus:
        """The last known status (never blocks)."""
        return self._publisher.status

    # -- frames ---------------------------------------------------------------------------------
    def latest(self) -> Frame | None:
        """The newest frame (for the preview), or None before the first one."""
        return self._latest

    def get(self, timeout_s: float = 1.0) -> Frame | None:
        """The oldest queued frame, waiting up to ``timeout_s``; None on timeout or when stopped."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not self._queue:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(remaining)
            return self._queue.popleft()

    def wait_newer(self, seq: int, timeout_s: float = 1.0) -> Frame | None:
        """The newest frame once its ``seq`` is above ``seq``; None on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._latest is None or self._latest.seq <= seq:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(remaining)
            return self._latest

    def subscribe_frames(self, callback: Callable[[Frame], None]) -> Callable[[], None]:
        """Call ``callback(frame)`` from the pump thread for every new frame (a video call
        shares the device this way: one owner, one capture); returns the unsubscribe call.
        The callback must be quick (hand the frame over, never block)."""
        with self._cond:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._cond:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)
        return unsubscribe

    def clear(self) -> None:
        """Drop queued frames (e.g. when a new capture starts)."""
        with self._cond:
            self._queue.clear()

    def stats(self) -> CameraStats:
        """Counters since start."""
        return CameraStats(self._frames, self._dropped, self._reconnects, self._opened)

    @property
    def resolution(self) -> tuple[int, int] | None:
        """(width, height) the camera delivers, once open."""
        return self._resolution

    def reopen(self) -> None:
        """Release and reopen the capture at the next pump step (scene change, technician)."""
        self._reopen.set()

    # -- pump -----------------------------------------------------------------------------------
    def _set_status(self, status: DeviceStatus) -> None:
        self._publisher.publish(status)

    def _emit(self, event: DeviceEvent) -> None:
        self._publisher.emit(event)  # a listener bug must not kill the pump

    def _open(self) -> cv2.VideoCapture | None:
        target = self._target()
        # look before asking OpenCV: it logs a warning per failed open, every retry, for days
        if isinstance(target, int):
            if not os.path.exists(f"/dev/video{target}"):
                return None
        elif self.source.kind is not SourceKind.STREAM and not os.path.exists(target):
            return None
        cap = self._capture_factory(target)
        if not cap.isOpened():
            cap.release()
            return None
        if self.width and self.height and self.source.kind in (SourceKind.INDEX, SourceKind.DEVICE):
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        if self.fps and self.source.kind in (SourceKind.INDEX, SourceKind.DEVICE):
            cap.set(cv2.CAP_PROP_FPS, self.fps)
        return cap

    def _file_pace_s(self, cap: cv2.VideoCapture) -> float:
        if self._pace_fps is not None:
            return 1.0 / self._pace_fps if self._pace_fps > 0 else 0.0
        if self.source.kind not in (SourceKind.FILE, SourceKind.SIMULATOR):
            return 0.0
        fps = cap.get(cv2.CAP_PROP_FPS) or DEFAULT_FILE_FPS
        return 1.0 / fps

    def _run(self) -> None:
        cap: cv2.VideoCapture | None = None
        try:
            while not self._stop.is_set():
                if cap is None:
                    cap = self._open()
                    if cap is None:
                        self._set_status(DeviceStatus(
                            DeviceState.NO_DEVICE, f"no camera at {self.source.describe()}"))
                        self._stop.wait(self._reconnect_delay_s)
                        continue
                    if self._opened:
                        self._reconnects += 1
                    self._opened = True
                    self._pump(cap)
                    cap = None
        finally:
            if cap is not None:
                cap.release()
            self._opened = False

    def _pump(self, cap: cv2.VideoCapture) -> None:
        """Read frames until stopped, asked to reopen or the camera is gone; releases ``cap``."""
        pace_s = self._file_pace_s(cap)
        next_due = time.monotonic()
        failures = 0
        self._reopen.clear()
        try:
            while not self._stop.is_set() and not self._reopen.is_set():
                ok, image = cap.read()
                if not ok or image is None:
                    if self.source.loop and failures == 0 and cap.set(cv2.CAP_PROP_POS_FRAMES, 0):
                        failures += 1
                        continue
                    failures += 1
                    if failures >= self._failures_before_drop:
                        self._set_status(DeviceStatus(
                            DeviceState.NO_DEVICE, "camera stopped delivering frames"))
                        return
                    self._stop.wait(0.01)
                    continue
                failures = 0
                image.flags.writeable = False
                self._publish(image)
                if self._publisher.status.state is not DeviceState.READY:
                    self._set_status(DeviceStatus(DeviceState.READY))
                if pace_s:
                    next_due = max(next_due + pace_s, time.monotonic() - pace_s)
                    delay = next_due - time.monotonic()
                    if delay > 0:
                        self._stop.wait(delay)
        finally:
            cap.release()

    def _publish(self, image: np.ndarray) -> None:
        self._frames += 1
        frame = Frame(self._frames, time.monotonic(), image)
        if self._resolution != frame.size:
            self._resolution = frame.size
        with self._cond:
            if len(self._queue) == self._queue.maxlen:
                self._dropped += 1
            self._queue.append(frame)
            self._latest = frame
            self._cond.notify_all()
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(frame)
            except Exception:  # a subscriber's bug must not kill the pump
                log.warning("frame subscriber failed", exc_info=True)
        if self.emit_frames:
            self._emit(DeviceEvent("frame", frame, self.name))
