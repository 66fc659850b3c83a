"""Overlays drawn above every screen: "还在吗？" countdown, busy, and the demo control panel.

They live in the root FloatLayout (not ModalView) so the screenshot of the root shows them.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import _
from kiosk.ui.context import UiContext
from kiosk.ui.widgets import KButton, Panel, Spacer, Text


class Cover(FloatLayout):
    """A dimmed full-screen layer that swallows touches while shown."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        with self.canvas.before:
            Color(0, 0, 0, 0.55)
            self._rect = Rectangle()
        self.bind(pos=self._sync, size=self._sync)

    def _sync(self, *_: object) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size

    def on_touch_down(self, touch: object) -> bool:
        """Children first; never let a touch through to the screen below."""
        super().on_touch_down(touch)
        return True

    def on_touch_up(self, touch: object) -> bool:
        """Swallow."""
        super().on_touch_up(touch)
        return True


class StillThere(Cover):
    """您还在吗？ (idle) or 还需要办理其他事项吗？ (a service just ended), with the countdown and
    a big 继续办理 button; 退出 or the end of the countdown wipes the session."""

    def __init__(self, ctx: UiContext, on_continue: Callable[[], None],
                 on_quit: Callable[[], None], **kwargs: object) -> None:
        super().__init__(**kwargs)
        m, p = ctx.metrics, ctx.palette
        card = Panel(p.surface, radius=m.px(24), orientation="vertical", size_hint=(0.6, 0.5),
                     pos_hint={"center_x": 0.5, "center_y": 0.5}, padding=m.px(40),
                     spacing=m.px(24))
        self.question = Text(_("您还在吗？"), p.text, m.font(72), halign="center", bold=True)
        card.add_widget(self.question)
        self.countdown = Text("", p.muted, m.font(44), halign="center")
        card.add_widget(self.countdown)
        row = BoxLayout(orientation="horizontal", spacing=m.px(24), size_hint_y=None,
                        height=m.px(130))
        self.quit_button = KButton(_("退出"), on_quit, m, p, kind="secondary", height=m.px(130))
        self.continue_button = KButton(_("继续办理"), on_continue, m, p, kind="primary",
                                       height=m.px(130))
        row.add_widget(self.quit_button)
        row.add_widget(self.continue_button)
        card.add_widget(Spacer())
        card.add_widget(row)
        self.add_widget(card)
        self._on_continue = on_continue

    def on_touch_down(self, touch: object) -> bool:
        """A button answers; a touch anywhere else on the question means "still here"."""
        if not FloatLayout.on_touch_down(self, touch):
            self._on_continue()
        return True

    def set_ask(self, ask: str) -> None:
        """The question for ``ask`` ("idle" or "continue", kiosk.core.session.Ask)."""
        self.question.text = _("还需要办理其他事项吗？") if ask == "continue" else _("您还在吗？")

    def set_seconds(self, seconds: float) -> None:
        """Show the remaining seconds."""
        self.countdown.text = _("{seconds} 秒后将退出并清除您的信息", seconds=int(seconds))


class Busy(Cover):
    """正在处理，请稍候 while blocking work runs."""

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(**kwargs)
        m, p = ctx.metrics, ctx.palette
        card = Panel(p.surface, radius=m.px(24), orientation="vertical", size_hint=(0.5, 0.3),
                     pos_hint={"center_x": 0.5, "center_y": 0.5}, padding=m.px(40))
        self.text = Text(_("正在处理，请稍候"), p.text, m.font(56), halign="center", bold=True)
        card.add_widget(Spacer())
        card.add_widget(self.text)
        card.add_widget(Spacer())
        self.add_widget(card)


#: Rows of buttons the demo panel shows above its 关闭 button.
DEMO_PANEL_ROWS = 5


class DemoPanel(Cover):
    """The hidden demo control panel: drive the simulated devices (demo profile only)."""

    def __init__(self, ctx: UiContext, actions: list[tuple[str, Callable[[], None]]],
                 on_close: Callable[[], None], **kwargs: object) -> None:
        super().__init__(**kwargs)
        m, p = ctx.metrics, ctx.palette
        card = Panel(p.surface, radius=m.px(24), orientation="vertical", size_hint=(0.8, 0.8),
                     pos_hint={"center_x": 0.5, "center_y": 0.5}, padding=m.px(30),
                     spacing=m.px(20))
        card.add_widget(Text(_("演示控制面板（模拟设备）"), p.text, m.font(48), bold=True))
        # at most five rows fit above 关闭: more actions, more columns
        grid = GridLayout(cols=max(3, -(-len(actions) // DEMO_PANEL_ROWS)), spacing=m.px(16))
        self.buttons: dict[str, KButton] = {}
        for label, action in actions:
            button = KButton(label, action, m, p, kind="secondary", font_base=32,
                             size_hint_y=1)  # the rows share the room above 关闭
            self.buttons[label] = button
            grid.add_widget(button)
        card.add_widget(grid)
        card.add_widget(KButton(_("关闭"), on_close, m, p, kind="primary"))
        self.add_widget(card)
