"""Out of service: nothing usable; the terminal recovers by itself when devices come back."""

from __future__ import annotations

from kiosk.i18n import _
from kiosk.ui.context import UiContext
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.widgets import Panel, Spacer, Text


class OutOfServiceScreen(KioskScreen):
    """暂停服务, with what is wrong and where to go instead."""

    with_header = False

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(ctx, name="out_of_service", **kwargs)
        m, p = ctx.metrics, ctx.palette
        card = Panel(p.warning_bg, radius=m.px(24), orientation="vertical", size_hint=(0.8, None),
                     height=m.px(520), pos_hint={"center_x": 0.5}, padding=m.px(40),
                     spacing=m.px(24))
        card.add_widget(Text(_("本机暂停服务"), p.warning_text, m.font(84), halign="center",
                             bold=True))
        self.reason = Text("", p.warning_text, m.font(44), halign="center")
        card.add_widget(self.reason)
        card.add_widget(Text(_("请到人工窗口或使用其他自助终端办理。给您带来不便，敬请谅解。"),
                             p.warning_text, m.font(40), halign="center"))
        for widget in (Spacer(), card, Spacer()):
            self.body.add_widget(widget)

    def render(self, state: object) -> None:
        """Show why."""
        self.reason.text = getattr(state, "out_of_service_reason", "") or _("设备维护中")
