"""视频帮办 on screen: the button, and the layer drawn over the current screen for each phase
of the call (kiosk.core.video_call.CallPhase).

consent, waiting, unavailable, failed and the 好差评 are cards over a dimmed screen (touches do
not reach the step below); in the call the step stays usable: a panel on the right shows the
staff member's video (a texture fed from `RemoteFrames` on the Kivy clock), their name and
badge, the resident's own small preview, the hint, 静音 and 结束通话, and the highlight the
staff member points with is drawn over the screen. Every change is spoken (voice guidance).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.graphics.transformation import Matrix
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.scatterlayout import ScatterLayout
from kivy.uix.screenmanager import ScreenManager
from kivy.uix.widget import Widget

from kiosk.core.video_call import CallPhase, CallState, Highlight, ScreenImage, screen_context
from kiosk.i18n import N_, _
from kiosk.ui.camera_preview import CameraPreview
from kiosk.ui.context import UiContext
from kiosk.ui.overlays import Cover
from kiosk.ui.screen_cache import ScreenCache
from kiosk.ui.theme import hex_rgba
from kiosk.ui.widgets import KButton, Panel, Spacer, Text

#: The staff member's video is looked at as often as its frames arrive, within these bounds
#: (frames per second): every drawn frame costs a window redraw in software GL (about 25 ms of
#: CPU at 1920x1080 even with the screens cached), so a 30 fps video is drawn at about 20 fps
#: (docs/adr/0820).
REMOTE_MAX_FPS = 24.0
REMOTE_MIN_FPS = 10.0
#: The resident's own small preview is uploaded at most this wide (it is drawn ~230 px wide).
OWN_PREVIEW_MAX_WIDTH_PX = 320
#: The call panel's share of the window's width (on the right).
PANEL_WIDTH = 0.2
#: In the call the screens are drawn (and touched) at this scale in the top-left corner, so
#: that nothing of the step is under the panel (docs/adr/0824).
STEP_SCALE_IN_CALL = 0.79
#: A shared screen: a picture at most this often (seconds), and only when the screen changed.
SHARE_INTERVAL_S = 2.0
#: The 好差评 of the help: label and score.
RATINGS = ((N_("非常满意"), 5), (N_("满意"), 4), (N_("基本满意"), 3), (N_("不满意"), 2),
           (N_("非常不满意"), 1))


def video_button(ctx: UiContext, **kwargs: Any) -> KButton | None:
    """The 视频帮办 button (None when the site does not offer it)."""
    call = ctx.video
    if call is None:
        return None
    controller = ctx.controller

    def ask() -> None:
        call.ask(screen_context(controller.state, controller.service_id))
    return KButton(_("视频帮办"), ask, ctx.metrics, ctx.palette, kind="primary", **kwargs)


class RemoteVideoView(Widget):
    """The staff member's video: the newest decoded frame as a texture, polled on the clock at
    the rate the video arrives (never faster than `REMOTE_MAX_FPS`), converted by PyAV at the
    size it is drawn, uploaded without a copy (docs/adr/0820)."""

    def __init__(self, frames: Any, on_tick: Callable[[], None] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._frames = frames
        self._on_tick = on_tick
        self._event: Any = None
        self._interval = 1.0 / REMOTE_MAX_FPS
        self._texture: Texture | None = None
        self._textures: list[Texture] = []
        self._seq = 0
        #: Frames drawn since start; the first draw's time (tests and the bench read them).
        self.frames_drawn = 0
        self.first_drawn_at = 0.0
        self.last_image: Any = None
        with self.canvas:
            Color(0.1, 0.1, 0.1, 1)
            self._back = Rectangle()
            Color(1, 1, 1, 1)
            self._image = Rectangle()
        self.bind(pos=self._layout, size=self._layout)

    @property
    def has_source(self) -> bool:
        """True when there are frames to draw (a link)."""
        return self._frames is not None

    def start(self) -> None:
        """Begin drawing frames (idempotent)."""
        if self._event is None and self._frames is not None:
            self._schedule(1.0 / REMOTE_MAX_FPS)

    def stop(self) -> None:
        """Stop and blank: no frame of the call stays on screen or in memory."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._texture = None
        self._textures = []
        self._image.texture = None
        self.last_image = None
        self._seq = 0

    def _schedule(self, interval: float) -> None:
        if self._event is not None:
            self._event.cancel()
        self._interval = interval
        self._event = Clock.schedule_interval(self._poll, interval)

    def _poll(self, _dt: float) -> None:
        box = (int(self.width), int(self.height))
        seq, image = self._frames.latest(box if box[0] > 8 and box[1] > 8 else None)
        self._follow_rate()
        if self._on_tick is not None:
            self._on_tick()  # e.g. the resident's own preview: drawn in the same frame
        if image is None or seq == self._seq:
            return
        self._seq = seq
        height, width = int(image.shape[0]), int(image.shape[1])
        if self._texture is None or tuple(self._texture.size) != (width, height):
            self._textures = [_video_texture(width, height), _video_texture(width, height)]
            self._texture = self._textures[0]
        # two textures in turn: the one written now is not the one the last frame (perhaps
        # still being drawn by llvmpipe's threads) reads, so the upload does not wait for it
        self._texture = self._textures[1] if self._texture is self._textures[0] \
            else self._textures[0]
        # a 1-D view of the array (no copy)
        self._texture.blit_buffer(np.ascontiguousarray(image).reshape(-1), colorfmt="rgb",
                                  bufferfmt="ubyte")
        self._image.texture = self._texture  # flags the redraw
        self._layout()
        self.last_image = image
        self.frames_drawn += 1
        if not self.first_drawn_at:
            self.first_drawn_at = time.monotonic()

    def _follow_rate(self) -> None:
        """Poll at the video's own rate (15 fps video: 15 polls a second, not 30)."""
        rate = getattr(self._frames, "rate", 0.0)
        if not rate:
            return
        # a little faster than the frames come, so that jitter does not skip one
        wanted = 1.0 / min(REMOTE_MAX_FPS, max(REMOTE_MIN_FPS, rate * 1.2))
        if abs(wanted - self._interval) > 0.15 * self._interval:
            self._schedule(wanted)

    def _layout(self, *_: object) -> None:
        self._back.pos, self._back.size = self.pos, self.size
        if self._texture is None:
            self._image.size = (0, 0)
            return
        tw, th = self._texture.size
        scale = min(self.width / tw, self.height / th) if tw and th else 1.0
        w, h = tw * scale, th * scale
        self._image.pos = (self.x + (self.width - w) / 2, self.y + (self.height - h) / 2)
        self._image.size = (w, h)


def _video_texture(width: int, height: int) -> Texture:
    """An RGB texture for video frames, top row first."""
    texture = Texture.create(size=(width, height), colorfmt="rgb")
    texture.flip_vertical()
    return texture


class HighlightLayer(Widget):
    """The rectangle the staff member points with, over the whole screen; never takes a touch."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.highlight: Highlight | None = None
        with self.canvas:
            self._colour = Color(1.0, 0.55, 0.0, 1.0)
            self._line = Line(width=6)
        self.bind(pos=self._draw, size=self._draw)

    def show(self, highlight: Highlight | None) -> None:
        """Draw ``highlight`` (fractions, origin top-left) or nothing."""
        self.highlight = highlight
        self._draw()

    def rectangle(self) -> tuple[float, float, float, float] | None:
        """(x, y, w, h) in window pixels (Kivy's origin, bottom-left), or None."""
        h = self.highlight
        if h is None:
            return None
        return (self.x + h.x * self.width, self.top - (h.y + h.h) * self.height,
                h.w * self.width, h.h * self.height)

    def _draw(self, *_: object) -> None:
        box = self.rectangle()
        self._line.rectangle = box if box is not None else (0, 0, 0, 0)
        self._colour.a = 1.0 if box is not None else 0.0

    def on_touch_down(self, touch: Any) -> bool:
        """Touches go to the screen below."""
        return False


class CallCard(Cover):
    """A dimmed screen with one card: consent, waiting, unavailable, failed or the rating."""

    def __init__(self, ctx: UiContext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        m, p = ctx.metrics, ctx.palette
        self.card = Panel(p.surface, radius=m.px(24), orientation="vertical",
                          size_hint=(0.72, 0.64), pos_hint={"center_x": 0.5, "center_y": 0.5},
                          padding=m.px(40), spacing=m.px(22))
        self.add_widget(self.card)
        self.buttons: dict[str, KButton] = {}

    def fill(self, ctx: UiContext, title: str, lines: list[tuple[str, str, int]],
             *rows: list[tuple[str, Callable[[], None], str]]) -> None:
        """Title, lines of text (text, colour name, font size), and rows of buttons (label,
        action, kind)."""
        m, p = ctx.metrics, ctx.palette
        self.card.clear_widgets()
        self.buttons.clear()
        self.card.add_widget(Text(title, p.text, m.font(60), halign="center", bold=True))
        for text, colour, size in lines:
            if text:
                self.card.add_widget(Text(text, getattr(p, colour), m.font(size),
                                          halign="center", bold=size > 44))
        self.card.add_widget(Spacer())
        for choices in rows:
            row = BoxLayout(orientation="horizontal", spacing=m.px(20), size_hint_y=None,
                            height=m.px(130))
            for label, action, kind in choices:
                button = KButton(label, action, m, p, kind=kind, height=m.px(130), font_cap=1.3)
                self.buttons[label] = button
                row.add_widget(button)
            self.card.add_widget(row)


class CallPanel(FloatLayout):
    """In the call: the staff member's video and tools on the right; the step stays usable."""

    def __init__(self, ctx: UiContext, on_mute: Callable[[], None],
                 on_end: Callable[[], None], with_mute: bool = True,
                 on_stop_share: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        m, p = ctx.metrics, ctx.palette
        self.highlight = HighlightLayer(size_hint=(1, 1), pos_hint={"x": 0, "y": 0})
        self.add_widget(self.highlight)
        panel = Panel(p.surface, radius=m.px(16), orientation="vertical",
                      size_hint=(PANEL_WIDTH, 0.72), pos_hint={"right": 0.995, "y": 0.16},
                      padding=m.px(16), spacing=m.px(12))
        self.panel = panel
        self._ticks = 0
        self.remote = RemoteVideoView(ctx.video_media, on_tick=self._tick, size_hint_y=0.42)
        panel.add_widget(self.remote)
        self.staff = Text("", p.text, m.font(36, cap=1.2), bold=True, halign="center")
        panel.add_widget(self.staff)
        self.hint = Text("", p.primary, m.font(38, cap=1.2), bold=True, halign="center")
        panel.add_widget(self.hint)
        self.preview = CameraPreview(ctx.camera, mirror=True, size_hint_y=0.22,
                                     max_width=OWN_PREVIEW_MAX_WIDTH_PX)
        panel.add_widget(self.preview)
        row = BoxLayout(orientation="horizontal", spacing=m.px(12), size_hint_y=None,
                        height=m.px(110))
        self.mute_button = KButton(_("麦克风静音"), on_mute, m, p, kind="secondary",
                                   height=m.px(110), font_cap=1.2)
        self.end_button = KButton(_("结束通话"), on_end, m, p, kind="danger", height=m.px(110),
                                  font_cap=1.2)
        if with_mute:  # only when the terminal sends sound (a microphone source)
            row.add_widget(self.mute_button)
        row.add_widget(self.end_button)
        #: 停止共享页面: shown while the resident shares the screen.
        self.share_button = KButton(_("停止共享页面"), on_stop_share, m, p, kind="secondary",
                                    height=m.px(96), font_cap=1.2)
        self._panel_box = panel
        panel.add_widget(row)
        self.add_widget(panel)

    def on_touch_down(self, touch: Any) -> bool:
        """The panel's buttons; everything else reaches the step below."""
        if self.panel.collide_point(*touch.pos):
            super().on_touch_down(touch)
            return True
        return False

    def on_touch_up(self, touch: Any) -> bool:
        """As on_touch_down."""
        if self.panel.collide_point(*touch.pos):
            super().on_touch_up(touch)
            return True
        return False

    def show(self, state: CallState) -> None:
        """Name and badge, hint, mute label, highlight."""
        self.staff.text = _("工作人员 {name}（工号 {badge}）", name=state.staff_name,
                            badge=state.staff_badge)
        self.hint.text = state.hint
        self.mute_button.text = _("取消静音") if state.muted else _("麦克风静音")
        self.highlight.show(state.highlight)
        sharing = self.share_button.parent is not None
        if state.share_screen and not sharing:
            self._panel_box.add_widget(self.share_button, index=1)  # above 结束通话
        elif not state.share_screen and sharing:
            self._panel_box.remove_widget(self.share_button)

    def start(self) -> None:
        """Start drawing both videos (the preview on the remote video's clock, or its own when
        there is no remote video)."""
        if self.remote.has_source:
            self.preview.start(driven=True)
            self.remote.start()
        else:
            self.preview.start()

    def _tick(self) -> None:
        """The remote video's poll: the preview every other time (about 10 a second), so that
        both change in the same redraw."""
        self._ticks += 1
        if self._ticks % 2 == 0:
            self.preview.poll()

    def stop(self) -> None:
        """Stop both videos and blank them."""
        self.remote.stop()
        self.preview.stop()


class VideoHelpLayer:
    """Shows the call's state above the screens (in the app's root layout)."""

    def __init__(self, ctx: UiContext, root: FloatLayout) -> None:
        self.ctx = ctx
        self._root = root
        call = ctx.video
        assert call is not None
        self.call = call
        self.card = CallCard(ctx)
        self.panel = CallPanel(ctx, on_mute=call.toggle_mute, on_end=call.end,
                               with_mute=bool(getattr(call.link, "has_audio", False)),
                               on_stop_share=call.stop_sharing)
        self._room: ScatterLayout | None = None
        self._share_event: Any = None
        self._shared_renders = 0
        #: Pictures of the screen handed to the link in this call (tests read it).
        self.screenshots_shared = 0
        self._phase = CallPhase.IDLE
        #: The screens drawn through one texture while the call panel is shown (ADR 0820).
        self.cache: ScreenCache | None = None
        #: The last text handed to voice guidance (what the resident heard).
        self.spoken = ""

    def detach(self) -> None:
        """Take both layers off the root (screens are rebuilt)."""
        self.panel.stop()
        self._share(False)
        self._cache_screens(False)
        self._make_room(False)
        for layer in (self.card, self.panel):
            if layer.parent is not None:
                self._root.remove_widget(layer)

    def render(self, state: CallState) -> None:
        """Show ``state``."""
        phase = state.phase
        call, ctx = self.call, self.ctx
        if phase is CallPhase.IN_CALL:
            self._show(self.card, False)
            self._show(self.panel, True)
            self._make_room(True)
            self._cache_screens(True)
            self.panel.show(state)
            self.panel.start()
            self._share(state.share_screen)
            self._say(_("工作人员已接通。") + state.hint if state.hint
                      else _("工作人员已接通"))
            return
        self._share(False)
        self.panel.stop()
        self._show(self.panel, False)
        self._cache_screens(False)
        self._make_room(False)
        if phase is CallPhase.IDLE:
            self._show(self.card, False)
            self.spoken = ""
            return
        if phase is CallPhase.CONSENT:
            self._consent(state)
        elif phase is CallPhase.WAITING:
            line = (_("您前面还有 {n} 人，预计等待约 {minutes} 分钟", n=state.position,
                      minutes=max(1, -(-state.estimate_s // 60)))
                    if state.call_id else _("正在连接，请稍候"))
            self.card.fill(ctx, _("正在为您呼叫工作人员"), [(line, "text", 44)],
                           [(_("取消"), call.cancel, "secondary")])
        elif phase in (CallPhase.UNAVAILABLE, CallPhase.FAILED):
            hours = _("服务时间：{hours}", hours=state.hours) if state.hours else ""
            hotline = _("您也可以拨打 {hotline} 热线咨询", hotline=state.hotline)
            self.card.fill(ctx, state.message, [(hours, "text", 44), (hotline, "primary", 52)],
                           [(_("返回"), call.dismiss, "primary")])
        elif phase is CallPhase.ENDED:
            helper = _("请您对工作人员 {name}（工号 {badge}）的帮办服务进行评价",
                       name=state.staff_name, badge=state.staff_badge)
            self.card.fill(ctx, _("视频帮办已结束"), [(helper, "text", 44)],
                           [(_(label), _score(call.rate, score), "primary")
                            for label, score in RATINGS],
                           [(_("跳过"), call.dismiss, "secondary")])
        self._show(self.card, True)
        self._say(self._speech(state))

    def _share(self, on: bool) -> None:
        """Pictures of the screens for the helper while the resident shares the screen (the
        core checks the consent again for every picture)."""
        if not on:
            if self._share_event is not None:
                self._share_event.cancel()
                self._share_event = None
            self._shared_renders = 0
            return
        if self._share_event is None:
            self._shared_renders = 0
            self._share_event = Clock.schedule_interval(self._share_tick, SHARE_INTERVAL_S)
            Clock.schedule_once(self._share_tick, 0.3)  # the first at once (after one draw)

    def _share_tick(self, _dt: float) -> None:
        cache = self.cache
        if self._share_event is None or cache is None or cache.renders == 0 \
                or cache.renders == self._shared_renders:
            return  # nothing drawn yet, or nothing changed since the last picture
        pixels = cache.pixels()
        if pixels is None:
            return
        data, (width, height) = pixels
        if self.call.share_screenshot(ScreenImage(data, width, height)):
            self._shared_renders = cache.renders  # else tried again at the next tick
            self.screenshots_shared += 1

    def _manager(self) -> Widget | None:
        return next((w for w in self._root.children if isinstance(w, ScreenManager)), None)

    def _make_room(self, on: bool) -> None:
        """In the call the screens are shown scaled down in the top-left corner, beside the
        panel: every column of a records table and every button of the step in view and
        usable (a ScatterLayout maps touches back; the layout itself does not change, so no
        button falls out of a narrowed row). Afterwards they fill the window again."""
        room = self._room
        if on and room is None:
            manager = self._manager()
            if manager is None:
                return
            root = self._root
            room = ScatterLayout(do_rotation=False, do_scale=False, do_translation=False,
                                 auto_bring_to_front=False, size_hint=(None, None),
                                 size=root.size, pos=root.pos)
            root.remove_widget(manager)
            room.add_widget(manager)
            scale, height = STEP_SCALE_IN_CALL, root.height
            # scaled about the window's top-left corner (Matrix.multiply: m.multiply(n) = n * m)
            room.transform = Matrix().translate(root.x, root.y + height * (1 - scale), 0) \
                .multiply(Matrix().scale(scale, scale, 1))
            root.add_widget(room, index=len(root.children))  # under every layer, as before
            self._room = room
        elif not on and room is not None:
            self._room = None
            manager = room.content.children[0] if room.content.children else None
            self._root.remove_widget(room)
            if manager is not None:
                room.remove_widget(manager)
                self._root.add_widget(manager, index=len(self._root.children))

    def _cache_screens(self, on: bool) -> None:
        """Draw the screens through one texture (in the call) or directly (otherwise)."""
        if not on:
            if self.cache is not None:
                self.cache.detach()
                self.cache = None
            return
        if self.cache is None:
            manager = self._room or self._manager()
            if manager is None:
                return
            cache = ScreenCache(self._root, manager, hex_rgba(self.ctx.palette.background))
            if cache.attach():
                self.cache = cache

    def _consent(self, state: CallState) -> None:
        call, ctx = self.call, self.ctx
        # the microphone is named only when this terminal sends sound (a microphone source)
        if getattr(call.link, "has_audio", False):
            shared = (_("工作人员将看到：您的摄像头画面、麦克风声音，以及您当前所在的页面"
                        "（含页面上的个人信息）") if state.share_screen else
                      _("工作人员将看到：您的摄像头画面、麦克风声音，以及您正在办理的事项和步骤名称"
                        "（不含页面上的个人信息）"))
        else:
            shared = (_("工作人员将看到：您的摄像头画面，以及您当前所在的页面"
                        "（含页面上的个人信息）") if state.share_screen else
                      _("工作人员将看到：您的摄像头画面，以及您正在办理的事项和步骤名称"
                        "（不含页面上的个人信息）"))
        recorded = state.recording_notice or _("通话不录音、不录像")
        share_label = (_("改为只共享事项名称") if state.share_screen
                       else _("同时共享页面内容"))
        self.card.fill(ctx, _("视频帮办：由工作人员远程协助您"),
                       [(shared, "text", 40), (recorded, "primary", 44)],
                       [(_("不需要"), call.decline, "secondary"),
                        (share_label, lambda: call.set_share_screen(not state.share_screen),
                         "secondary"),
                        (_("同意并呼叫"), call.consent, "primary")])

    def _speech(self, state: CallState) -> str:
        if state.phase is CallPhase.CONSENT:
            return _("视频帮办需要使用摄像头和麦克风，请确认后点击同意并呼叫")
        if state.phase is CallPhase.WAITING:
            return _("正在为您呼叫工作人员，请稍候")
        if state.phase in (CallPhase.UNAVAILABLE, CallPhase.FAILED):
            return _("{message}。服务时间：{hours}。您也可以拨打 {hotline} 热线咨询",
                     message=state.message, hours=state.hours, hotline=state.hotline)
        if state.phase is CallPhase.ENDED:
            return _("视频帮办已结束，请您评价")
        return ""

    def _say(self, text: str) -> None:
        voice = self.ctx.voice
        if voice is None or not text or text == self.spoken:
            return
        self.spoken = text
        voice.say(text, cache=False)  # a hint may carry anything: never cached

    def _show(self, layer: Widget, shown: bool) -> None:
        if shown and layer.parent is None:
            self._root.add_widget(layer)
        elif not shown and layer.parent is not None:
            self._root.remove_widget(layer)


def _score(rate: Callable[[int], None], score: int) -> Callable[[], None]:
    return lambda: rate(score)
