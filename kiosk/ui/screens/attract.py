"""The attract screen: time, the site, and "请刷身份证或点击屏幕开始". A touch anywhere starts."""

from __future__ import annotations

import time

from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.context import UiContext
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets import Panel, Spacer, Text

WEEKDAYS = "一二三四五六日"


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
        self.prompt = Text("请刷身份证或点击屏幕开始", p.on_primary, m.font(72), halign="center",
                           bold=True)
        card.add_widget(self.prompt)
        card.add_widget(Text("也可使用社保卡或扫描个人码", p.on_primary, m.font(38),
                             halign="center"))
        self.notice = Text("", p.danger, m.font(40), halign="center")
        column = BoxLayout(orientation="vertical", spacing=m.px(24))
        for widget in (Spacer(), self.clock, self.date, Spacer(size_hint_y=0.3), card,
                       self.notice, Spacer(), self.site):
            column.add_widget(widget)
        self.body.add_widget(column)
        self.tick(0)

    def on_touch_down(self, touch: object) -> bool:
        """Any touch starts a session (the demo corner is handled by the app first)."""
        self.ctx.controller.tap_attract()
        return True

    def render(self, state: object) -> None:
        """Show a plain notice (e.g. an expired card)."""
        self.notice.text = getattr(state, "notice", "")

    def tick(self, remaining_seconds: float) -> None:
        """Update the clock."""
        now = time.localtime()
        self.clock.text = time.strftime("%H:%M", now)
        weekday = WEEKDAYS[now.tm_wday]
        self.date.text = f"{now.tm_year}年{now.tm_mon}月{now.tm_mday}日  星期{weekday}"
