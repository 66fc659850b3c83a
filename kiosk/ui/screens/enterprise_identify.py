"""法人办事 identification: the enterprise's code first (its electronic business licence QR code
at the scanner, or the 统一社会信用代码 typed here), then the legal representative's ID card.

The typed code is checked on the terminal (length and GB 32100 check characters) before the
card is asked for; the platform decides whether the card holder is the representative.
"""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from kiosk.core.enterprise import masked_credit_code, normalise_credit_code
from kiosk.i18n import _
from kiosk.ui.context import UiContext
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import hex_rgba
from kiosk.ui.widgets import KButton, Panel, Spacer, Text

CODE_LENGTH = 18


class EnterpriseIdentifyScreen(KioskScreen):
    """Shown when a 法人办事 item needs to know the enterprise and its representative."""

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(ctx, name="enterprise_identify", **kwargs)
        m, p = ctx.metrics, ctx.palette
        card = Panel(p.surface, radius=m.px(24), orientation="vertical", padding=m.px(28),
                     spacing=m.px(14))
        self.step_one = Text(_("第一步：出示电子营业执照二维码，或输入统一社会信用代码"), p.text,
                             m.font(40, cap=1.25), bold=True)
        card.add_widget(self.step_one)
        row = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(100),
                        spacing=m.px(16))
        self.code = Text("", p.text, m.font(46, cap=1.25), bold=True, fixed_height=True)
        self.confirm = KButton(_("确认代码"), self._confirm, m, p, kind="primary", fit_text=True,
                               height=m.px(100))
        row.add_widget(self.code)
        row.add_widget(self.confirm)
        card.add_widget(row)
        self.keyboard = OnScreenKeyboard(ctx, "credit_code", self._typed, max_length=CODE_LENGTH)
        card.add_widget(self.keyboard)
        self.step_two = Text(_("第二步：法定代表人将身份证放在下方感应区"), p.muted,
                             m.font(40, cap=1.25), bold=True)
        card.add_widget(self.step_two)
        self.notice = Text("", p.danger, m.font(38, cap=1.25), halign="center")
        card.add_widget(self.notice)
        card.add_widget(Spacer())  # the steps from the top, the room left below them
        self.body.add_widget(card)

    def _typed(self, value: str) -> None:
        self.ctx.controller.touch()
        self._show_code(value)

    def _show_code(self, value: str) -> None:
        shown = value or _("请输入18位统一社会信用代码")
        self.code.text = f"{shown}  ({len(value)}/{CODE_LENGTH})" if value else shown

    def _confirm(self) -> None:
        self.ctx.controller.enter_credit_code(normalise_credit_code(self.keyboard.value))

    def render(self, state: object) -> None:
        """The service's title, the code typed so far, which step is next, and any notice."""
        p = self.ctx.palette
        if self.header is not None:
            self.header.set_title(getattr(state, "service_title", "") or _("法人身份核验"))
        ready = bool(getattr(state, "enterprise_code_ready", False))
        session = self.ctx.controller.lifecycle.session
        if ready and session is not None and session.credit_code:
            self.code.text = _("企业代码：{code}", code=masked_credit_code(session.credit_code))
        elif ready:
            self.code.text = _("已识别电子营业执照")
        else:
            self._show_code(self.keyboard.value)
        self.step_one.color = hex_rgba(p.muted if ready else p.text)
        self.step_two.color = hex_rgba(p.text if ready else p.muted)
        self.notice.text = getattr(state, "notice", "")
        kind = getattr(state, "notice_kind", "error")
        self.notice.color = hex_rgba(p.danger if kind == "error" else p.primary)
        if getattr(state, "screen", "") != "enterprise_identify":
            self.keyboard.value = ""
