"""Identify: ask for the ID card (or social security card, or personal QR code)."""

from __future__ import annotations

from kiosk.i18n import _
from kiosk.ui.context import UiContext
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import hex_rgba
from kiosk.ui.widgets import Panel, Spacer, Text


class IdentifyScreen(KioskScreen):
    """Shown when a service needs to know who the resident is."""

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(ctx, name="identify", **kwargs)
        m, p = ctx.metrics, ctx.palette
        card = Panel(p.surface, radius=m.px(24), orientation="vertical", size_hint=(0.85, None),
                     height=m.px(560), pos_hint={"center_x": 0.5}, padding=m.px(40),
                     spacing=m.px(28))
        card.add_widget(Text(_("请将身份证放在下方感应区"), p.text, m.font(64), halign="center",
                             bold=True))
        card.add_widget(Text(_("放好后请不要移动，读取约需 2 秒"), p.muted, m.font(40),
                             halign="center"))
        card.add_widget(Text(_("没有带身份证？也可以插入社保卡，或在扫码口出示个人码"), p.muted,
                             m.font(38), halign="center"))
        self.notice = Text("", p.danger, m.font(42), halign="center")
        card.add_widget(self.notice)
        for widget in (Spacer(), card, Spacer()):
            self.body.add_widget(widget)

    def render(self, state: object) -> None:
        """Show the service's title and any read failure."""
        if self.header is not None:
            self.header.set_title(getattr(state, "service_title", "") or _("身份核验"))
        self.notice.text = getattr(state, "notice", "")
        kind = getattr(state, "notice_kind", "error")
        palette = self.ctx.palette
        self.notice.color = hex_rgba(palette.danger if kind == "error" else palette.primary)
