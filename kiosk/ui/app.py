"""The Kivy application: one ScreenManager, the overlays, a one-second tick, and the single
hop from worker threads onto the Kivy clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.config import Config
from kivy.core.window import Window
from kivy.uix.floatlayout import FloatLayout

from kiosk.core.accessibility import stretch_timing
from kiosk.core.controller import KioskController, UiState
from kiosk.core.events import log_event
from kiosk.core.session import Phase
from kiosk.i18n import N_, _, set_locale
from kiosk.ops.collector import collect_in_idle, freeze_after_start
from kiosk.technician.controller import TechnicianController, TechnicianState
from kiosk.ui.context import UiContext
from kiosk.ui.drawing import FlatScreenManager, export_png, paint_window_background
from kiosk.ui.lockdown import lock_window
from kiosk.ui.overlays import Busy, DemoPanel, StillThere
from kiosk.ui.screen_set import Factory, ScreenSet
from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.screens.document_capture import with_document_preview
from kiosk.ui.screens.enterprise_identify import EnterpriseIdentifyScreen
from kiosk.ui.screens.face import FACE_SCREENS
from kiosk.ui.screens.home import HomeScreen
from kiosk.ui.screens.identify import IdentifyScreen
from kiosk.ui.screens.out_of_service import OutOfServiceScreen
from kiosk.ui.screens.steps import STEP_SCREENS
from kiosk.ui.screens.technician import SCREEN_NAME as TECHNICIAN_SCREEN
from kiosk.ui.screens.technician import TechnicianScreen
from kiosk.ui.technician_entry import TechnicianCorner
from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, metrics_for
from kiosk.voice.prompts import prompt_for

log = logging.getLogger(__name__)
#: The demo panel's buttons: label and action.
DemoActions = list[tuple[str, Callable[[], None]]]

#: The hidden demo gesture: three taps within this many seconds in the top-right corner.
DEMO_GESTURE_SECONDS = 2.0
DEMO_CORNER_FRACTION = 0.06
#: Back at attract for this long with nobody touching: the full garbage collection runs.
IDLE_COLLECT_SECONDS = 3.0
#: After the first frame the other screens are built one per this interval (one per frame).
FILL_SECONDS = 1 / 60


def after_first_drawn_frame(callback: Callable[[], None]) -> None:
    """Call ``callback`` once on the Kivy thread right after the next frame has been drawn and
    handed to the screen (Window ``on_flip`` runs before the buffer swap: the call waits for the
    next clock tick, which comes after it)."""
    def flipped(*_args: Any) -> None:
        Window.unbind(on_flip=flipped)
        Clock.schedule_once(lambda _dt: callback(), 0)
    Window.bind(on_flip=flipped)


def dispatch_to_ui(fn: Callable[[], None]) -> None:
    """Run ``fn`` on the Kivy thread at the next frame (safe from any thread)."""
    Clock.schedule_once(lambda _dt: fn(), 0)


class KioskRoot(FloatLayout):
    """The root: screens plus overlays; every touch keeps the session alive."""

    def __init__(self, app: KioskApp, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.app = app
        self._corner_taps: list[float] = []

    def on_touch_down(self, touch: Any) -> bool:
        """Watch for the demo gesture, then let the screens have the touch."""
        if self.app.demo and self._in_demo_corner(touch):
            now = time.monotonic()
            self._corner_taps = [t for t in self._corner_taps if now - t < DEMO_GESTURE_SECONDS]
            self._corner_taps.append(now)
            if len(self._corner_taps) >= 3:
                self._corner_taps.clear()
                self.app.show_demo_panel()
                return True
        if self.app.still_there.parent is None:
            self.app.controller.touch()
        # else the question answers itself: its buttons, or "continue" for a touch beside them
        # (touching first would take the question away and drop the tap on the screen below)
        return super().on_touch_down(touch)

    def _in_demo_corner(self, touch: Any) -> bool:
        size = self.width * DEMO_CORNER_FRACTION
        return touch.x >= self.right - size and touch.y >= self.top - size


class KioskApp(App):
    """The full-screen kiosk. Built only by the composition root (kiosk.boot.composition.compose),
    which gives it every part production has: preferences, voice, technician mode."""

    title = N_("政务服务自助终端")
    #: No Kivy settings panel, in any profile (docs/adr/0430-window-lockdown.md).
    use_kivy_settings = False

    def __init__(self, controller: KioskController, site_name: str = "",
                 demo_actions: DemoActions | Callable[[], DemoActions] | None = None,
                 remaining: Callable[[], float] | None = None,
                 on_frame: Callable[[], None] | None = None, prefs: Any = None,
                 voice: Any = None, technician: TechnicianController | None = None,
                 video: Any = None, video_media: Any = None,
                 camera: Callable[[], Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.video = video
        self._video_media = video_media
        self._camera = camera or (lambda: None)
        self.video_layer: Any = None
        self.controller = controller
        self.prefs = prefs
        self.voice = voice
        self.technician = technician
        self._base_timing = controller.lifecycle.timing
        self.site_name = site_name
        #: The demo panel's buttons, or what makes them when the panel first opens.
        self._demo_actions = demo_actions
        self.demo = callable(demo_actions) or bool(demo_actions)
        self._on_frame = on_frame
        self.screens: ScreenSet
        self.demo_panel: DemoPanel | None = None
        self.state: UiState | None = None

    @property
    def demo_actions(self) -> DemoActions:
        """The demo panel's buttons (none outside the demo profile); made on first use."""
        actions = self._demo_actions
        if callable(actions):
            actions = self._demo_actions = actions()
        return list(actions or [])

    def build(self) -> KioskRoot:
        """Create the screens and overlays and subscribe to the controller."""
        self.ctx = self._context()
        root = KioskRoot(self)
        self.manager = FlatScreenManager()
        self.screens = ScreenSet(self.manager)
        self._fill_trigger = Clock.create_trigger(self._fill_screens, FILL_SECONDS)
        self.root_widget = root
        self._build_screens(fill=False)
        root.add_widget(self.manager)
        if self.technician is not None:
            self.technician_corner = TechnicianCorner(self.technician,
                                                      on_tap=self.controller.tap_attract)
            root.add_widget(self.technician_corner)
            self.technician.subscribe(self._render_technician)
        if self.prefs is not None:
            self._applied = self.prefs.current
            self.prefs.subscribe(self._on_preferences)
        self._idle_collection = Clock.create_trigger(self._collect_if_still_idle,
                                                     IDLE_COLLECT_SECONDS)
        self.controller.subscribe(self.render)
        if self.video is not None:
            self.video.subscribe(self._render_video)
        self.controller.lifecycle.on_wipe(self._rebuild_after_wipe)
        self.window_lock = lock_window(Window, Config.getint("graphics", "rotation"))
        Clock.schedule_interval(self._tick, 1.0)
        after_first_drawn_frame(self._first_frame_drawn)
        return root

    def _first_frame_drawn(self) -> None:
        """The attract screen is on the glass: start-up's callback, then freeze what start-up
        made so the collector never walks it on a resident's touch (kiosk/ops/collector.py)."""
        if self._on_frame is not None:
            self._on_frame()
        freeze_after_start()
        self._fill_trigger()

    def _collect_if_still_idle(self, _dt: float) -> None:
        """The idle-time full collection, unless a resident has started meanwhile."""
        if self.manager.current == "attract" and (
                self.state is None or self.state.phase is Phase.ATTRACT):
            collect_in_idle(trim=True)

    def _context(self) -> UiContext:
        prefs = self.prefs.current if self.prefs is not None else None
        elderly = bool(prefs and prefs.elderly)
        palette = HIGH_CONTRAST if prefs is not None and prefs.high_contrast else STANDARD
        return UiContext(metrics=metrics_for(Window.height, elderly), palette=palette,
                         controller=self.controller, site_name=self.site_name,
                         demo=self.demo, prefs=self.prefs, voice=self.voice,
                         video=self.video, video_media=self._video_media, camera=self._camera)

    def _screen_factories(self) -> dict[str, Factory]:
        """One constructor per screen name, for the current context."""
        ctx = self.ctx
        factories: dict[str, Factory] = {
            "attract": lambda: AttractScreen(ctx), "home": lambda: HomeScreen(ctx),
            "identify": lambda: IdentifyScreen(ctx),
            "enterprise_identify": lambda: EnterpriseIdentifyScreen(ctx),
            "out_of_service": lambda: OutOfServiceScreen(ctx)}
        for cls in with_document_preview(STEP_SCREENS):
            factories[f"step_{cls.kind.value}"] = partial(cls, ctx)
        for face in FACE_SCREENS:
            factories[face.screen_name] = partial(face, ctx)
        technician = self.technician
        if technician is not None:
            factories[TECHNICIAN_SCREEN] = lambda: TechnicianScreen(ctx, technician)
        return factories

    def _build_screens(self, fill: bool = True) -> None:
        """(Re)start the screens for the current context: attract at once, the others when
        first needed or one per frame in idle time (`_fill_screens`; at start-up only after the
        first frame is drawn), and the overlays."""
        self.screens.reset(self._screen_factories())
        paint_window_background(self.ctx.palette.background)
        self.screens["attract"]  # built now: the first frame shows it
        self._shown: set[str] = set()
        self._build_overlays()
        if fill:
            self._fill_trigger()

    def _fill_screens(self, _dt: float) -> None:
        """Build one more screen per frame until all exist (after the first frame), while nobody
        is using the terminal: during a session a screen not built yet is built when it is
        first needed (one build in that touch, not one in every frame of the first touches);
        the next wipe starts the filling again."""
        if self.controller.lifecycle.phase not in (Phase.ATTRACT, Phase.OUT_OF_SERVICE):
            return
        if self.screens.fill_one():
            self._fill_trigger()

    def _build_overlays(self) -> None:
        """(Re)create the overlays (您还在吗, busy) and forget the demo panel."""
        ctx = self.ctx
        for overlay in ("still_there", "busy"):
            shown = getattr(self, overlay, None)
            if shown is not None and shown.parent is not None:
                self.root_widget.remove_widget(shown)
        self.still_there = StillThere(ctx, on_continue=self.controller.still_here,
                                      on_quit=self.controller.finish)
        self.busy = Busy(ctx)
        self.demo_panel = None
        if self.video_layer is not None:
            self.video_layer.detach()
            self.video_layer = None
        if self.video is not None:
            from kiosk.ui.video_help import VideoHelpLayer

            self.video_layer = VideoHelpLayer(ctx, self.root_widget)
            self._render_video(self.video.state)

    def _rebuild_shown_screens(self) -> None:
        """After a wipe, nothing a resident saw stays on a screen, and nothing is built inside
        the touch that ended the session: a screen that can forget what it showed in place
        (home: ``forget``) does so; every other screen that showed something since it was
        built is dropped and built again in idle time, one per frame (`_fill_screens`), or
        when it is first needed. A screen never rendered holds nobody's text (rebuilding all of
        them on every leave cost most of the touch: docs/adr/0780-touch-to-drawn.md,
        docs/adr/0805-home-updates-in-place.md)."""
        current = self.manager.current
        for name in sorted(self._shown):
            forget = getattr(dict.get(self.screens, name), "forget", None)
            if callable(forget):
                forget()
            else:
                self.screens.drop(name)
        self._shown.clear()
        if self.screens.built(current) and self.manager.current != current:
            self.manager.current = current
        self._build_overlays()
        after_first_drawn_frame(self._fill_trigger)  # the attract frame first

    def _on_preferences(self, prefs: Any) -> None:
        """长者模式 / language / contrast / mute changed: apply everywhere, then re-render."""
        old, self._applied = self._applied, prefs
        set_locale(prefs.locale)
        if self.voice is not None:
            self.voice.apply(prefs)
        self.controller.lifecycle.timing = stretch_timing(self._base_timing, prefs)
        if (old.elderly, old.high_contrast, old.locale) != (
                prefs.elderly, prefs.high_contrast, prefs.locale):
            self.ctx = self._context()
            self._build_screens()
            self.controller.relocalize(prefs.locale)
            if self.state is not None:
                self.manager.current = "attract"
                self.render(self.controller.state)
        if self.voice is not None and old.elderly != prefs.elderly and prefs.elderly:
            self.voice.say(_("已开启长者模式：字更大，每页内容更少，操作时间更长，语音更慢"))

    # -- rendering -----------------------------------------------------------------------
    def screen_name_for(self, state: UiState) -> str:
        """Which screen shows ``state``."""
        if state.screen == "step" and state.view is not None:
            name = f"step_{state.view.kind.value}"
            return name if name in self.screens else "step_message"
        return state.screen if state.screen in self.screens else "attract"

    def render(self, state: UiState) -> None:
        """Show ``state``: the right screen, and the overlays."""
        self.state = state
        name = self.screen_name_for(state)
        self._shown.add(name)
        try:
            self.screens[name].render(state)
        except Exception as exc:  # a rendering bug must never show a traceback to a resident
            log_event(log, "render_failed", logging.ERROR, screen=name, error=type(exc).__name__)
            log.debug("render failure", exc_info=True)
            name = "home" if state.phase in (Phase.ACTIVE, Phase.STILL_THERE) else "attract"
        if self.manager.current != name:
            self.manager.current = name
            if name == "attract":  # back at attract: collect once nobody is touching
                self._idle_collection.cancel()
                self._idle_collection()
        self._speak(name, state)
        self._show_overlay(self.busy, state.busy)
        if state.busy:
            self.busy.text.text = state.busy_text or _("正在处理，请稍候")
        self._show_overlay(self.still_there, state.phase is Phase.STILL_THERE)
        if state.phase is Phase.STILL_THERE:
            self.still_there.set_ask(state.ask)
            self.still_there.set_seconds(self.controller.lifecycle.countdown_seconds())
            # the header's time left drops to the countdown now, not at the next tick
            self.screens[name].tick(self.controller.lifecycle.remaining_seconds())

    def _speak(self, name: str, state: UiState) -> None:
        """Voice guidance: each screen's prompt once, and any notice."""
        if self.voice is None:
            return
        locale = self.prefs.current.locale if self.prefs is not None else "zh-CN"
        speech = state.view.speech if state.view is not None else ""
        key = f"{name}:{state.view.step_id if state.view is not None else ''}"
        self.voice.say_once(key, prompt_for(name, speech, locale), locale=locale)
        if state.notice:
            self.voice.say_once("notice", state.notice, locale=locale, cache=False)

    def _show_overlay(self, overlay: Any, shown: bool) -> None:
        if shown and overlay.parent is None:
            self.root_widget.add_widget(overlay)
        elif not shown and overlay.parent is not None:
            self.root_widget.remove_widget(overlay)

    def _tick(self, _dt: float) -> None:
        try:
            self.controller.tick()
            if self.technician is not None:
                self.technician.tick()
            screen = self.screens.get(self.manager.current)
            if screen is not None:
                screen.tick(self.controller.lifecycle.remaining_seconds())
            if self.controller.lifecycle.phase is Phase.STILL_THERE:
                self.still_there.set_seconds(self.controller.lifecycle.countdown_seconds())
        except Exception as exc:  # the tick must survive anything
            log_event(log, "tick_failed", logging.ERROR, error=type(exc).__name__)

    def _rebuild_after_wipe(self) -> None:
        """After a wipe, rebuild every screen that showed anything, so no widget keeps the last
        resident's text."""
        if self.demo_panel is not None and self.demo_panel.parent is not None:
            self.root_widget.remove_widget(self.demo_panel)
        self._rebuild_shown_screens()

    def _render_video(self, state: Any) -> None:
        """The 视频帮办 call changed: redraw its layer (over the screens, under the overlays)."""
        layer = self.video_layer
        if layer is None:
            return
        try:
            layer.render(state)
        except Exception as exc:  # a rendering bug must never show a traceback
            log_event(log, "render_failed", logging.ERROR, screen="video_help",
                      error=type(exc).__name__)
            log.debug("render failure", exc_info=True)

    def _render_technician(self, state: TechnicianState) -> None:
        """The technician controller changed: redraw the technician screen if it is built (a
        screen built later shows the state it is built in)."""
        if not self.screens.built(TECHNICIAN_SCREEN):
            return
        screen = self.screens.get(TECHNICIAN_SCREEN)
        if isinstance(screen, TechnicianScreen):
            try:
                screen.show(state)
            except Exception as exc:  # a rendering bug must never show a traceback
                log_event(log, "render_failed", logging.ERROR, screen="technician",
                          error=type(exc).__name__)
                log.debug("render failure", exc_info=True)

    # -- lockdown: Kivy's settings panel can never open ----------------------------------
    def _install_settings_keys(self, window: Any) -> None:
        """Kivy would bind F1 (settings) and Escape here: nothing is bound."""

    def open_settings(self, *_args: Any) -> bool:
        """Kivy's settings panel is not part of a kiosk: never opens."""
        log_event(log, "settings_panel_refused")
        return False

    def display_settings(self, settings: Any) -> bool:
        """Never shown (see `open_settings`)."""
        return False

    # -- demo panel ------------------------------------------------------------------------
    def show_demo_panel(self) -> None:
        """Open the hidden demo control panel."""
        if self.demo_panel is None:
            actions = [(label, self._then_close(action)) for label, action in self.demo_actions]
            self.demo_panel = DemoPanel(self.ctx, actions, on_close=self.hide_demo_panel)
        self._show_overlay(self.demo_panel, True)

    def hide_demo_panel(self) -> None:
        """Close the demo control panel."""
        if self.demo_panel is not None:
            self._show_overlay(self.demo_panel, False)

    def _then_close(self, action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            self.hide_demo_panel()
            try:
                action()
            except Exception as exc:  # a demo action must never crash the kiosk
                log_event(log, "demo_action_failed", logging.WARNING, error=type(exc).__name__)
        return run

    # -- screenshots -----------------------------------------------------------------------
    def screenshot(self, path: Path) -> Path:
        """Write the whole root (screens and overlays) to a PNG (works offscreen too)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        return export_png(self.root_widget, path, self.ctx.palette.background)
