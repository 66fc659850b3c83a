"""The attract screen: time, the site, and "请刷身份证或点击屏幕开始". A touch anywhere starts."""

from __future__ import annotations

import datetime
import time
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import _, current_locale, format_long_date
from kiosk.ui.context import UiContext
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import hex_rgba
from kiosk.ui.widgets import Panel, Spacer, Text


class AttractScreen(KioskScreen):
    """Shown between sessions."""

    with_header = False

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(ctx, name="attract", **kwargs)
        m, p = ctx.metrics, ctx.palette
        self.clock = Text("", p.text, m.font(120), halign="center", bold=True)
        self.date = Text("", p.muted, m.font(40), halign="center")
        self.site = Text(ctx.site_name, p.muted, m.font(40), halign="center")
        card = Panel(p.primary, radius=m.px(24), orientation="vertical", size_hint=(0.8, None),
                     height=m.px(300), pos_hint={"center_x": 0.5}, padding=m.px(30))
        self.prompt = Text(_("请刷身份证或点击屏幕开始"), p.on_primary, m.font(72), halign="center",
                           bold=True)
        card.add_widget(self.prompt)
        card.add_widget(Text(_("也可使用社保卡或扫描个人码"), p.on_primary, m.font(38),
                             halign="center"))
        self.notice = Text("", p.danger, m.font(40), halign="center")
        self.announcement = Text("", p.primary, m.font(36), halign="center")
        column = BoxLayout(orientation="vertical", spacing=m.px(24))
        self.bar = None
        if ctx.prefs is not None:
            from kiosk.ui.accessibility_bar import AccessibilityBar

            top = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(110))
            self.bar = AccessibilityBar(ctx, ctx.prefs, size_hint=(None, 1),
                                        width=m.px(4 * 190))
            top.add_widget(Spacer())
            top.add_widget(self.bar)
            column.add_widget(top)
        for widget in (Spacer(), self.clock, self.date, Spacer(size_hint_y=0.3), card,
                       self.notice, self.announcement, Spacer(), self.site):
            column.add_widget(widget)
        self.body.add_widget(column)
        self.tick(0)

    def on_touch_down(self, touch: Any) -> bool:
        """Any touch starts a session, except on the 长者模式/language toggles (the demo
        corner is handled by the app first)."""
        if self.bar is not None and self.bar.collide_point(*self.bar.parent.to_widget(*touch.pos)):
            return bool(super().on_touch_down(touch))
        self.ctx.controller.tap_attract()
        return True

    def render(self, state: object) -> None:
        """Show a plain notice (e.g. an expired card)."""
        self.notice.text = getattr(state, "notice", "")
        kind = getattr(state, "notice_kind", "error")
        palette = self.ctx.palette
        self.notice.color = hex_rgba(palette.danger if kind == "error" else palette.primary)
        announcement = getattr(state, "announcement", "")
        self.announcement.text = _("通知公告：{text}").format(text=announcement) \
            if announcement else ""

    def forget(self) -> None:
        """The session was wiped: its notice is the only text it could have left here (each
        render sets it again), so the screen is kept rather than built anew inside the touch
        that ended the session (docs/adr/0805-home-updates-in-place.md)."""
        self.notice.text = ""

    def tick(self, remaining_seconds: float) -> None:
        """Update the clock."""
        now = time.localtime()
        self.clock.text = time.strftime("%H:%M", now)
        self.date.text = format_long_date(datetime.date.today(), current_locale())
