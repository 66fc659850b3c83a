"""The face check's screens (人证比对): consent, capture with a live preview, verifying, outcome.

Each renders ``ctx.controller.face.view()`` (kiosk.core.face_flow.FaceFlow) and calls its intents;
the screen names are the ones `FaceFlow` publishes. Register with KioskApp by adding
``FACE_SCREENS`` to its screen list.
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout

from drivers.camera.face import FaceGuidance
from kiosk.core.face_check import FaceStage
from kiosk.i18n import _
from kiosk.ui.camera_preview import CameraPreview, face_box_overlay
from kiosk.ui.context import UiContext
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import hex_rgba
from kiosk.ui.widgets import KButton, Panel, Spacer, Text

#: Face box colours: right as it is / to be adjusted (both visible on a camera picture).
GOOD_BOX_RGBA = (0.1, 0.85, 0.3, 1.0)
ADJUST_BOX_RGBA = (1.0, 0.75, 0.0, 1.0)
#: A match is shown this long before the resident is taken on (继续 goes at once).
MATCHED_SHOWN_SECONDS = 3.0
#: A guidance hint is spoken at most this often (the text on screen changes at once).
GUIDANCE_SPEECH_INTERVAL_SECONDS = 4.0


def _flow(ctx: UiContext) -> Any:
    return getattr(ctx.controller, "face", None)


def _speak(ctx: UiContext, key: str, text: str) -> None:
    """Speak after the app's own per-screen prompt (which would otherwise cut this off)."""
    voice = ctx.voice
    if voice is None or not text:
        return
    locale = ctx.prefs.current.locale if ctx.prefs is not None else None
    Clock.schedule_once(lambda _dt: voice.say_once(key, text, locale=locale), 0)


class _FaceScreen(KioskScreen):
    """Common frame: a centred card with a title, a message and a detail line."""

    screen_name = ""

    def __init__(self, ctx: UiContext, **kwargs: Any) -> None:
        super().__init__(ctx, name=self.screen_name, **kwargs)
        m, p = ctx.metrics, ctx.palette
        self.title = Text("", p.text, m.font(60), halign="center", bold=True)
        self.message = Text("", p.text, m.font(42), halign="center")
        self.detail = Text("", p.muted, m.font(34), halign="center")

    def render(self, state: object) -> None:
        """Show the flow's view."""
        if self.header is not None:
            self.header.set_title(_("人脸核验"))
        flow = _flow(self.ctx)
        if flow is None:
            return
        view = flow.view()
        self.title.text = view.title
        self.message.text = view.message
        self.detail.text = view.detail
        self.show(view)
        _speak(self.ctx, f"face:{view.stage}", "，".join(
            t for t in (view.title, view.message) if t))

    def show(self, view: Any) -> None:
        """Subclasses: the rest of the screen for ``view``."""


class FaceConsentScreen(_FaceScreen):
    """Consent first: what is done with the photo; 同意 / 不同意 as large buttons."""

    screen_name = "face_consent"

    def __init__(self, ctx: UiContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        m, p = ctx.metrics, ctx.palette
        card = Panel(p.surface, radius=m.px(24), orientation="vertical", size_hint=(0.85, None),
                     pos_hint={"center_x": 0.5}, padding=m.px(40), spacing=m.px(28))
        for widget in (self.title, self.message, self.detail):
            card.add_widget(widget)
        card.bind(minimum_height=card.setter("height"))
        buttons = BoxLayout(orientation="horizontal", size_hint=(0.85, None),
                            height=m.px(150), spacing=m.px(60), pos_hint={"center_x": 0.5})
        self.agree_button = KButton(_("同意"), self._agree, m, p, kind="primary",
                                    height=m.px(150), font_base=48)
        self.decline_button = KButton(_("不同意"), self._decline, m, p, kind="secondary",
                                      height=m.px(150), font_base=48)
        buttons.add_widget(self.decline_button)
        buttons.add_widget(self.agree_button)
        for widget in (Spacer(), card, Spacer(size_hint_y=0.2), buttons, Spacer()):
            self.body.add_widget(widget)

    def _agree(self) -> None:
        flow = _flow(self.ctx)
        if flow is not None:
            flow.agree()

    def _decline(self) -> None:
        flow = _flow(self.ctx)
        if flow is not None:
            flow.decline()


class FaceCaptureScreen(_FaceScreen):
    """The live, mirrored preview with the face box, the guidance in large text, the time left."""

    screen_name = "face_capture"

    def __init__(self, ctx: UiContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        m, p = ctx.metrics, ctx.palette
        self.preview = CameraPreview(self._camera, mirror=True, overlay=self._overlay,
                                     on_frame=self._polled)
        self.guidance = Text("", p.primary, m.font(56), halign="center", bold=True)
        self.seconds = Text("", p.muted, m.font(34), halign="center")
        side = BoxLayout(orientation="vertical", size_hint_x=0.42, spacing=m.px(24))
        for widget in (Spacer(), self.guidance, self.seconds, Spacer()):
            side.add_widget(widget)
        self.other_button = KButton(_("改用其他方式"), self._other_ways, m, p)
        side.add_widget(self.other_button)
        row = BoxLayout(orientation="horizontal", spacing=m.px(32))
        row.add_widget(self.preview)
        row.add_widget(side)
        self.body.add_widget(self.title)
        self.body.add_widget(row)
        self._spoken_at = -GUIDANCE_SPEECH_INTERVAL_SECONDS
        self._spoken = ""

    def _camera(self) -> Any:
        flow = _flow(self.ctx)
        return flow.camera() if flow is not None else None

    def _overlay(self) -> Any:
        flow = _flow(self.ctx)
        return face_box_overlay(flow.view().box) if flow is not None else None

    def _polled(self) -> None:
        """Each preview tick: the flow takes the newest frame; the guidance follows."""
        flow = _flow(self.ctx)
        if flow is None or flow.stage is not FaceStage.CAPTURING:
            return
        flow.poll()
        if flow.stage is FaceStage.CAPTURING:
            self.show(flow.view())

    def show(self, view: Any) -> None:
        """The guidance line and the seconds left."""
        self.guidance.text = view.guidance_text
        good = view.guidance in (FaceGuidance.OK, FaceGuidance.HOLD_STILL)
        self.preview.set_line_colour(GOOD_BOX_RGBA if good else ADJUST_BOX_RGBA)
        self.seconds.text = (_("剩余 {seconds} 秒", seconds=view.seconds_left)
                             if view.seconds_left else "")
        now = Clock.get_boottime()
        if view.guidance_text and view.guidance_text != self._spoken and \
                now - self._spoken_at >= GUIDANCE_SPEECH_INTERVAL_SECONDS:
            self._spoken, self._spoken_at = view.guidance_text, now
            _speak(self.ctx, "face:guidance", view.guidance_text)

    def _other_ways(self) -> None:
        flow = _flow(self.ctx)
        if flow is not None:
            flow.other_ways()

    def on_enter(self, *_: Any) -> None:
        """Start the preview (and with it the frame polling)."""
        self._spoken = ""
        self.preview.start()

    def on_leave(self, *_: Any) -> None:
        """Stop the preview: no camera polling off screen, no frame left on it."""
        self.preview.stop()


class FaceVerifyingScreen(_FaceScreen):
    """While the platform compares the photo."""

    screen_name = "face_verifying"

    def __init__(self, ctx: UiContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        for widget in (Spacer(), self.title, self.message, Spacer()):
            self.body.add_widget(widget)


class FaceOutcomeScreen(_FaceScreen):
    """Matched, not matched, timed out, no camera, unavailable, or declined: clear next steps."""

    screen_name = "face_outcome"

    def __init__(self, ctx: UiContext, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        m, p = ctx.metrics, ctx.palette
        card = Panel(p.surface, radius=m.px(24), orientation="vertical", size_hint=(0.85, None),
                     pos_hint={"center_x": 0.5}, padding=m.px(40), spacing=m.px(28))
        for widget in (self.title, self.message, self.detail):
            card.add_widget(widget)
        card.bind(minimum_height=card.setter("height"))
        self.actions = BoxLayout(orientation="horizontal", size_hint=(0.9, None),
                                 height=m.px(130), spacing=m.px(32), pos_hint={"center_x": 0.5})
        self.buttons: dict[str, KButton] = {}
        self._auto: Any = None
        for widget in (Spacer(), card, Spacer(size_hint_y=0.2), self.actions, Spacer()):
            self.body.add_widget(widget)

    def show(self, view: Any) -> None:
        """Colour by outcome; the buttons the outcome allows."""
        m, p = self.ctx.metrics, self.ctx.palette
        matched = view.stage is FaceStage.MATCHED
        self.title.color = hex_rgba(p.success if matched else (
            p.text if view.stage is FaceStage.ALTERNATIVE else p.danger))
        self.actions.clear_widgets()
        self.buttons.clear()
        if self._auto is not None:
            self._auto.cancel()
            self._auto = None
        choices: list[tuple[str, str, Any, str]] = []
        if matched:
            choices.append(("continue", _("继续办理"), self._continue, "primary"))
            self._auto = Clock.schedule_once(lambda _dt: self._continue(), MATCHED_SHOWN_SECONDS)
        else:
            if view.can_retry and view.stage is not FaceStage.ALTERNATIVE:
                choices.append(("retry", _("重新拍摄"), self._retry, "secondary"))
            choices.append(("home", _("返回首页"), self.ctx.controller.home, "primary"))
            choices.append(("quit", _("退出"), self.ctx.controller.finish, "secondary"))
        for key, label, action, kind in choices:
            button = KButton(label, action, m, p, kind=kind, height=m.px(130))
            self.buttons[key] = button
            self.actions.add_widget(button)

    def _continue(self) -> None:
        if self._auto is not None:
            self._auto.cancel()
            self._auto = None
        flow = _flow(self.ctx)
        if flow is not None:
            flow.proceed()

    def _retry(self) -> None:
        flow = _flow(self.ctx)
        if flow is not None:
            flow.retry()

    def on_leave(self, *_: Any) -> None:
        """No auto-continue once the screen is gone."""
        if self._auto is not None:
            self._auto.cancel()
            self._auto = None


FACE_SCREENS: tuple[type[_FaceScreen], ...] = (
    FaceConsentScreen, FaceCaptureScreen, FaceVerifyingScreen, FaceOutcomeScreen,
)
