"""Document capture with a live preview (高拍仪): the camera picture with the page outline, a
拍照 button, and after the capture a thumbnail of the straightened page with 重拍 / 下一步.

A drop-in for `kiosk.ui.screens.steps.CaptureScreen` (same name ``step_capture``): it sends the
same intents (``capture``, ``next``); the flow's port takes and keeps the real page. The
thumbnail is made on screen from the frame seen when 拍照 was touched; it lives only in this
widget (rebuilt at every wipe) and is dropped when the screen is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image

from drivers.camera.document import find_page, warp_page
from drivers.camera.preview import preview_buffer
from drivers.lazy import lazy_module
from flows.views import IntentAction, StepKind, View
from kiosk.i18n import _
from kiosk.ui.camera_preview import CameraPreview
from kiosk.ui.context import UiContext
from kiosk.ui.screens.steps import CaptureScreen, StepScreen
from kiosk.ui.widgets import KButton, Spacer, Text

if TYPE_CHECKING:
    import cv2
    import numpy as np
else:  # OpenCV loads at the first document shown, not at start-up (docs/adr/0785)
    cv2 = lazy_module("cv2")
    np = lazy_module("numpy")

#: The page outline is looked for at most this often (seconds); the picture itself runs faster.
OUTLINE_INTERVAL_SECONDS = 0.2
#: Thumbnail width in pixels (before scaling to the screen).
THUMBNAIL_WIDTH_PX = 360


class DocumentCaptureScreen(CaptureScreen):
    """Photograph paper materials with a live preview and a thumbnail of what was taken."""

    kind = StepKind.CAPTURE
    hidden_actions = frozenset({IntentAction.CAPTURE, IntentAction.NEXT})

    def __init__(self, ctx: UiContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self._quad: Any = None
        self._outline_at = 0.0
        self._snapshot: np.ndarray | None = None
        self._snapshot_quad: Any = None
        self.preview = CameraPreview(self._camera, mirror=False, overlay=self._overlay,
                                     on_frame=self._find_outline)
        self.thumbnail = Image(fit_mode="contain")
        self.capture_buttons: dict[str, KButton] = {}

    # -- camera --------------------------------------------------------------------------------
    def _camera(self) -> Any:
        """The camera, through the face-check add-on that holds the device getter."""
        face = getattr(self.ctx.controller, "face", None)
        return face.camera() if face is not None else None

    def _overlay(self) -> Any:
        return ("quad", self._quad) if self._quad is not None else None

    def _find_outline(self) -> None:
        now = Clock.get_boottime()
        if now - self._outline_at < OUTLINE_INTERVAL_SECONDS:
            return
        self._outline_at = now
        camera = self._camera()
        frame = camera.latest() if camera is not None else None
        self._quad = find_page(frame.image) if frame is not None else None

    # -- rendering -----------------------------------------------------------------------------
    def build_content(self, view: View) -> None:
        """Preview left; instructions, thumbnail and the capture buttons right."""
        m, p = self.ctx.metrics, self.ctx.palette
        captured = bool(view.extra.get("captured"))
        row = BoxLayout(orientation="horizontal", spacing=m.px(32))
        if self.preview.parent is not None:
            self.preview.parent.remove_widget(self.preview)
        row.add_widget(self.preview)
        side = BoxLayout(orientation="vertical", size_hint_x=0.42, spacing=m.px(20))
        if view.body:
            side.add_widget(Text(view.body, p.text, m.font(36)))
        side.add_widget(Text(_("请将材料平放在拍摄区内，四角都在画面中") if not captured
                             else _("已拍摄，请确认照片清晰完整"), p.muted, m.font(34)))
        if self.thumbnail.parent is not None:
            self.thumbnail.parent.remove_widget(self.thumbnail)
        if captured and not view.error and self._snapshot is not None:
            self._make_thumbnail()
        if not captured:
            self.thumbnail.texture = None
            self._drop_snapshot()
        side.add_widget(self.thumbnail if captured and self.thumbnail.texture is not None
                        else Spacer())
        buttons = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(130),
                            spacing=m.px(20))
        self.capture_buttons = {}
        choices = ([(IntentAction.CAPTURE, _("重拍"), "secondary"),
                    (IntentAction.NEXT, _("下一步"), "primary")]
                   if captured else [(IntentAction.CAPTURE, _("拍照"), "primary")])
        for name, label, kind in choices:
            button = KButton(label, self._capture_action(name), m, p, kind=kind,
                             height=m.px(130), font_base=44)
            self.capture_buttons[name] = button
            buttons.add_widget(button)
        side.add_widget(buttons)
        row.add_widget(side)
        self.content.add_widget(row)

    def _capture_action(self, name: str) -> Any:
        def act() -> None:
            if name == IntentAction.CAPTURE:
                self._take_snapshot()
            self.send(name)
        return act

    def _take_snapshot(self) -> None:
        camera = self._camera()
        frame = camera.latest() if camera is not None else None
        self._snapshot = frame.image.copy() if frame is not None else None
        self._snapshot_quad = find_page(frame.image) if frame is not None else None

    def _make_thumbnail(self) -> None:
        image, quad = self._snapshot, self._snapshot_quad
        self._snapshot = self._snapshot_quad = None
        if image is None:
            return
        page = warp_page(image, quad, long_side_px=THUMBNAIL_WIDTH_PX * 2) if quad else image
        page = _fit_width(page, THUMBNAIL_WIDTH_PX)
        buf = preview_buffer(page)
        texture = Texture.create(size=buf.size, colorfmt=buf.colorfmt)
        texture.blit_buffer(buf.data, colorfmt=buf.colorfmt, bufferfmt="ubyte")
        self.thumbnail.texture = texture
        image.fill(0)

    # -- on screen -----------------------------------------------------------------------------
    def on_enter(self, *_: Any) -> None:
        """Start the live picture."""
        self.preview.start()

    def on_leave(self, *_: Any) -> None:
        """Stop it, and drop the thumbnail and any snapshot."""
        self.preview.stop()
        self.thumbnail.texture = None
        self._drop_snapshot()
        self._quad = None

    def _drop_snapshot(self) -> None:
        if self._snapshot is not None:
            self._snapshot.fill(0)
        self._snapshot = self._snapshot_quad = None


def _fit_width(image: np.ndarray, width: int) -> np.ndarray:
    h, w = image.shape[:2]
    if w <= width:
        return image
    return cv2.resize(image, (width, max(1, round(h * width / w))), interpolation=cv2.INTER_AREA)


def with_document_preview(screens: Sequence[type[StepScreen]]) -> tuple[type[StepScreen], ...]:
    """``screens`` (STEP_SCREENS) with CaptureScreen swapped for DocumentCaptureScreen."""
    return tuple(DocumentCaptureScreen if cls is CaptureScreen else cls for cls in screens)
