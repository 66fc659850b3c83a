"""Home: the service catalogue by category (查询 / 办理 / 打印) with a search box.

The search box takes pinyin initials or full pinyin from a large letter keyboard
("SBJF" finds 社保缴费记录查询); services that need an unusable device are greyed with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView
from kivy.utils import escape_markup

from kiosk.core.controller import ALL_CATEGORY, CATEGORIES, ServiceEntry
from kiosk.i18n import _
from kiosk.ui.context import UiContext
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import hex_rgba
from kiosk.ui.widgets import KButton, Spacer, Text


class HomeScreen(KioskScreen):
    """The catalogue."""

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(ctx, name="home", **kwargs)
        m, p = ctx.metrics, ctx.palette
        self._rendered: tuple[tuple[ServiceEntry, ...], str, str] | None = None
        top = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(110),
                        spacing=m.px(16))
        self.greeting = Text("", p.text, m.font(40), bold=True, fixed_height=True)
        # as wide as their labels: in elderly mode with high contrast a fixed share of the row
        # wrapped both labels onto two lines and clipped them (the greeting takes the rest)
        self.search_button = KButton(_("搜索：输入拼音首字母"), self._toggle_keyboard, m, p,
                                     kind="secondary", fit_text=True, height=m.px(110))
        self.exit_button = KButton(_("退出并清除信息"), ctx.controller.finish, m, p, kind="danger",
                                   fit_text=True, height=m.px(110))
        top.add_widget(self.greeting)
        top.add_widget(self.search_button)
        top.add_widget(self.exit_button)
        self.body.add_widget(top)
        self.keyboard_box = BoxLayout(orientation="vertical", size_hint_y=None, height=0)
        self.body.add_widget(self.keyboard_box)
        self.keyboard: OnScreenKeyboard | None = None
        main = BoxLayout(orientation="horizontal", spacing=m.px(24))
        self.tabs = BoxLayout(orientation="vertical", size_hint_x=None, width=m.px(240),
                              spacing=m.px(16))
        self.tab_buttons: dict[str, KButton] = {}
        main.add_widget(self.tabs)
        scroll = ScrollView(do_scroll_x=False, bar_width=m.px(12))
        self.grid = GridLayout(cols=3, spacing=m.px(20), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        scroll.add_widget(self.grid)
        main.add_widget(scroll)
        self.body.add_widget(main)
        self.empty = Text("", p.muted, m.font(40), halign="center")
        self.tile_buttons: dict[str, KButton] = {}

    def _toggle_keyboard(self) -> None:
        m = self.ctx.metrics
        if self.keyboard is None:
            self.keyboard = OnScreenKeyboard(self.ctx, "letters", self._on_query,
                                             value=self.ctx.controller.state.query, max_length=16)
            self.keyboard_box.add_widget(self.keyboard)
            self.keyboard_box.height = self.keyboard.height + m.px(10)
        else:
            self.keyboard_box.clear_widgets()
            self.keyboard_box.height = 0
            self.keyboard = None

    def _on_query(self, value: str) -> None:
        self.ctx.controller.touch()
        self.ctx.controller.search(value.lower())

    def render(self, state: object) -> None:
        """Show the greeting, tabs and tiles of ``state``."""
        m, p = self.ctx.metrics, self.ctx.palette
        if self.header is not None:
            self.header.set_title(_("政务服务自助终端"))
        notice = getattr(state, "notice", "")
        self.greeting.text = notice or getattr(state, "greeting", "") or _("请选择要办理的事项")
        self.greeting.color = hex_rgba(p.danger if notice else p.text)
        query = getattr(state, "query", "")
        self.search_button.text = (_("搜索：{query}", query=query.upper()) if query
                                   else _("搜索：输入拼音首字母"))
        category = getattr(state, "category", ALL_CATEGORY)
        self.tabs.clear_widgets()
        for name in CATEGORIES:
            button = KButton(_(name), partial(self.ctx.controller.set_category, name), m, p,
                             kind="primary" if name == category else "secondary")
            self.tab_buttons[name] = button
            self.tabs.add_widget(button)
        self.tabs.add_widget(Spacer())
        services: tuple[ServiceEntry, ...] = getattr(state, "services", ())
        key = (services, category, query)
        if key == self._rendered:
            return
        self._rendered = key
        self.grid.clear_widgets()
        self.tile_buttons.clear()
        for entry in services:
            # titles and reasons come from bundles and the platform: shown as text, not markup
            label = escape_markup(entry.title)
            if not entry.available:
                label += f"\n[size={int(m.font(26))}]{escape_markup(entry.reason)}[/size]"
            tile = KButton(label, self._opener(entry.service_id), m, p,
                           kind="primary" if entry.available else "secondary",
                           height=m.px(170), font_base=40, markup=True)
            if not entry.available:
                tile.background_color = hex_rgba(p.disabled)
                tile.color = hex_rgba(p.on_disabled)
            self.tile_buttons[entry.service_id] = tile
            self.grid.add_widget(tile)
        if not services:
            self.empty.text = (_("没有找到相关事项，请换个关键词") if query
                               else _("暂无可办理的事项"))
            self.grid.add_widget(self.empty)

    def _opener(self, service_id: str) -> Callable[[], None]:
        return lambda: self.ctx.controller.open_service(service_id)
