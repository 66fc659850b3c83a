"""A live camera preview: the camera's newest frame as a texture, with an overlay.

The widget polls ``camera.latest()`` on the Kivy clock (about 15 times a second) while it is
started and on a window; frames never travel through the device hub. Faces are mirrored (the
resident sees themselves as in a mirror); the overlay is a face box or a page outline given in
frame pixels and mapped with drivers.camera.preview. Call `start()` when the screen is entered
and `stop()` when it is left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.widget import Widget

from drivers.camera.face import Box
from drivers.camera.preview import map_box, map_quad, preview_buffer

#: Preview refresh rate (frames per second): smooth enough, cheap on two cores.
PREVIEW_FPS = 15.0
#: Frames are scaled down to this width before upload.
PREVIEW_MAX_WIDTH_PX = 640

Overlay = tuple[str, Any]  # ("box", Box) or ("quad", [(x, y), ...]) in frame pixels


class _Driven:
    """The stand-in clock event of a driven preview."""

    def cancel(self) -> None:
        """Nothing to cancel: the owner stops calling `CameraPreview.poll`."""


_DRIVEN = _Driven()


class CameraPreview(Widget):
    """Shows ``camera()``'s newest frame; ``overlay()`` says what to draw on top."""

    def __init__(self, camera: Callable[[], Any], *, mirror: bool = False,
                 overlay: Callable[[], Overlay | None] | None = None,
                 on_frame: Callable[[], None] | None = None,
                 line_rgba: Sequence[float] = (0.1, 0.85, 0.3, 1.0),
                 max_width: int = PREVIEW_MAX_WIDTH_PX, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._max_width = max_width
        self._camera = camera
        self.mirror = mirror
        self._overlay = overlay
        self._on_frame = on_frame
        self._event: Any = None
        self._texture: Texture | None = None
        self._last_seq = -1
        #: Frames shown since start (tests and the bench read it).
        self.frames_shown = 0
        self.preview_size: tuple[int, int] | None = None
        self.frame_size: tuple[int, int] | None = None
        with self.canvas:
            Color(1, 1, 1, 1)
            self._image = Rectangle()
            self._line_colour = Color(*line_rgba)
            self._box = Line(width=2.5)
            self._quad = Line(width=2.5, close=True)
        self.bind(pos=self._layout, size=self._layout)

    # -- polling ---------------------------------------------------------------------------
    def start(self, driven: bool = False) -> None:
        """Begin polling the camera (idempotent); ``driven``: no clock event of its own, the
        owner calls `poll()` (so that a redraw serves two pictures at once)."""
        if self._event is None:
            self._event = (_DRIVEN if driven
                           else Clock.schedule_interval(self._poll, 1.0 / PREVIEW_FPS))

    def poll(self) -> None:
        """Look at the camera once (a driven preview: its owner's clock)."""
        if self._event is not None:
            self._poll(0.0)

    def stop(self) -> None:
        """Stop polling and blank the picture (no frame stays on screen)."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._texture = None
        self._image.texture = None
        self._last_seq = -1
        self.preview_size = self.frame_size = None
        self._box.points = []
        self._quad.points = []

    @property
    def running(self) -> bool:
        """True while polling."""
        return self._event is not None

    def _poll(self, _dt: float) -> None:
        if self.get_root_window() is None:
            self.stop()  # taken off screen without on_leave (a rebuild at a wipe): no leak
            return
        camera = self._camera()
        frame = camera.latest() if camera is not None else None
        if frame is not None and frame.seq != self._last_seq:
            self._last_seq = frame.seq
            self._show(frame.image)
        if self._on_frame is not None:
            self._on_frame()
        if self._event is not None:  # the callback may have left the screen (and stopped us)
            self._draw_overlay()

    def _show(self, image: Any) -> None:
        buf = preview_buffer(image, max_width=self._max_width, mirror=self.mirror)
        if self._texture is None or tuple(self._texture.size) != buf.size:
            self._texture = Texture.create(size=buf.size, colorfmt=buf.colorfmt)
            self._image.texture = self._texture
            self.preview_size = buf.size
            self._layout()
        self._texture.blit_buffer(buf.data, colorfmt=buf.colorfmt, bufferfmt="ubyte")
        self.canvas.ask_update()  # the texture changed, no instruction did
        self.frame_size = (int(image.shape[1]), int(image.shape[0]))
        self.frames_shown += 1

    # -- drawing ---------------------------------------------------------------------------
    def _fit(self) -> tuple[float, float, float, float]:
        """(x, y, w, h) of the picture inside the widget, aspect kept."""
        if self.preview_size is None:
            return self.x, self.y, self.width, self.height
        pw, ph = self.preview_size
        scale = min(self.width / pw, self.height / ph) if pw and ph else 1.0
        w, h = pw * scale, ph * scale
        return self.x + (self.width - w) / 2, self.y + (self.height - h) / 2, w, h

    def _layout(self, *_: object) -> None:
        x, y, w, h = self._fit()
        self._image.pos, self._image.size = (x, y), (w, h)

    def _draw_overlay(self) -> None:
        shape = self._overlay() if self._overlay is not None else None
        self._box.points = []
        self._quad.points = []
        if shape is None or self.frame_size is None or self.preview_size is None:
            return
        x, y, w, h = self._fit()
        sx, sy = w / self.preview_size[0], h / self.preview_size[1]
        kind, value = shape
        if kind == "box" and value is not None:
            bx, by, bw, bh = map_box(value, self.frame_size, self.preview_size, self.mirror)
            self._box.rectangle = (x + bx * sx, y + by * sy, bw * sx, bh * sy)
        elif kind == "quad" and value is not None:
            flat = map_quad(value, self.frame_size, self.preview_size, self.mirror)
            self._quad.points = [x + v * sx if i % 2 == 0 else y + v * sy
                                 for i, v in enumerate(flat)]

    def set_line_colour(self, rgba: Sequence[float]) -> None:
        """Colour of the overlay (e.g. green when the face is right, amber otherwise)."""
        self._line_colour.rgba = tuple(rgba)

    def overlay_shown(self) -> bool:
        """True when a face box or page outline is drawn now."""
        return bool(self._box.points) or bool(self._quad.points)


def face_box_overlay(box: Box | None) -> Overlay | None:
    """An overlay for a face box (None when there is no face)."""
    return ("box", box) if box is not None else None
