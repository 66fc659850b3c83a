"""Home: 个人办事 / 法人办事 first, then the catalogue by tab (常用 first, 按主题, 按部门, 全部,
查询 / 办理 / 打印) and a search box.

Hundreds of items are paged (9 tiles a page, 4 larger ones in elderly mode); the browse tabs
first show their themes or departments with counts (12 a page, 6 in elderly mode), so any item
is three taps from home: tab, group, item. The search box takes pinyin initials or full pinyin
from a large letter keyboard ("SBJF" finds 社保缴费记录查询); services that need an unusable
device are greyed with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget
from kivy.utils import escape_markup

from kiosk.core.accessibility import HOME_COLUMNS, HOME_ROWS
from kiosk.core.browse import BY_THEME
from kiosk.core.controller import CATEGORIES, FREQUENT, ServiceEntry
from kiosk.core.enterprise import AUDIENCE_LABELS, AUDIENCES, PERSON
from kiosk.i18n import _
from kiosk.ui.context import UiContext
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import Palette, hex_rgba
from kiosk.ui.video_help import video_button
from kiosk.ui.widgets import KButton, KScrollView, Spacer, Text

#: Tiles per page (standard, elderly) and their columns (kiosk.core.accessibility); groups
#: (themes, departments: short names) four and three a row.
TILE_COLUMNS = HOME_COLUMNS
TILES_PER_PAGE = tuple(c * r for c, r in zip(HOME_COLUMNS, HOME_ROWS, strict=True))
GROUP_COLUMNS = (4, 3)
GROUPS_PER_PAGE = (12, 6)


def page_count(total: int, size: int) -> int:
    """How many pages ``total`` items take (at least one)."""
    return max(1, -(-total // size))


class HomeScreen(KioskScreen):
    """The catalogue."""

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(ctx, name="home", **kwargs)
        m, p = ctx.metrics, ctx.palette
        self._rendered: tuple[object, ...] | None = None
        # Search and exit across the top; below, the tabs on the left (they overflowed onto
        # the top row and hid the greeting, "**" in elderly mode) and on the right 个人办事 /
        # 法人办事 (the first choice) with the greeting beside them, then the tiles.
        # (search and exit as wide as their labels: in elderly mode in English they take most
        # of the row)
        tools = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(100),
                          spacing=m.px(16))
        tools.add_widget(Spacer())
        self.search_button = KButton(_("搜索：输入拼音首字母"), self._toggle_keyboard, m, p,
                                     kind="secondary", fit_text=True, height=m.px(100))
        self.exit_button = KButton(_("退出并清除信息"), ctx.controller.finish, m, p, kind="danger",
                                   fit_text=True, height=m.px(100))
        tools.add_widget(self.search_button)
        self.video_button = video_button(ctx, fit_text=True, height=m.px(100))
        if self.video_button is not None:  # 视频帮办 (kiosk/ui/video_help.py)
            tools.add_widget(self.video_button)
        tools.add_widget(self.exit_button)
        self.body.add_widget(tools)
        main = BoxLayout(orientation="horizontal", spacing=m.px(24))
        self.tabs = BoxLayout(orientation="vertical", size_hint_x=None, width=m.px(240),
                              spacing=m.px(16))
        self.tab_buttons: dict[str, KButton] = {}
        main.add_widget(self.tabs)
        right = BoxLayout(orientation="vertical", spacing=m.px(16))
        self._main, self._right = main, right
        top = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(110),
                        spacing=m.px(16))
        self.audience_buttons: dict[str, KButton] = {}
        for audience in AUDIENCES:
            button = KButton(_(AUDIENCE_LABELS[audience]), self._audience_opener(audience), m,
                             p, kind="secondary", fit_text=True, height=m.px(110), font_base=40)
            self.audience_buttons[audience] = button
            top.add_widget(button)
        self.greeting = Text("", p.text, m.font(34, cap=1.3), bold=True, fixed_height=True,
                             shorten=True, shorten_from="right")
        top.add_widget(self.greeting)
        right.add_widget(top)
        self.keyboard_box = BoxLayout(orientation="vertical", size_hint_y=None, height=0)
        right.add_widget(self.keyboard_box)
        self.keyboard: OnScreenKeyboard | None = None  # while it is shown
        self._keyboard: OnScreenKeyboard | None = None
        scroll = KScrollView(do_scroll_x=False, bar_width=m.px(12))
        self.grid = GridLayout(cols=3, spacing=m.px(20), size_hint_y=None)
        self.grid.bind(minimum_height=self.grid.setter("height"))
        scroll.add_widget(self.grid)
        right.add_widget(scroll)
        self.pager = BoxLayout(orientation="horizontal", size_hint_y=None, height=m.px(100),
                               spacing=m.px(16))
        right.add_widget(self.pager)
        main.add_widget(right)
        self.body.add_widget(main)
        self.empty = Text("", p.muted, m.font(40), halign="center")
        # Built once and updated (docs/adr/0805-home-updates-in-place.md): a page of tiles or
        # groups reuses these buttons; only their text, colours and action change.
        self._tile_pool: list[KButton] = []
        self._group_pool: list[KButton] = []
        self._tile_targets: list[str] = []  # the service id behind each pooled tile
        self._group_targets: list[str] = []
        self._grid_shows: list[Widget] = []  # what the grid holds now, in order
        self.tile_buttons: dict[str, KButton] = {}
        self.group_buttons: dict[str, KButton] = {}
        controller = ctx.controller
        self._page = 0
        self._back_button = KButton("", lambda: controller.open_group(""), m, p,
                                    kind="secondary", size_hint_x=0.3, height=m.px(96),
                                    opacity=0)
        self._back_button.disabled = True  # hidden until a theme or department is open
        self.prev_button: KButton | None = KButton(
            _("上一页"), lambda: controller.show_page(self._page - 1), m, p, kind="secondary",
            size_hint_x=0.2, height=m.px(96))
        self.next_button: KButton | None = KButton(
            _("下一页"), lambda: controller.show_page(self._page + 1), m, p, kind="secondary",
            size_hint_x=0.2, height=m.px(96))
        self._where = Text("", p.muted, m.font(30, cap=1.2), halign="center",
                           fixed_height=True, size_hint_x=0.3)
        for widget in (self._back_button, self.prev_button, self._where, self.next_button):
            self.pager.add_widget(widget)
        self.groups_button: KButton | None = None
        self._tab_labels: tuple[str, ...] = ()
        self._pager_key: tuple[object, ...] = ()

    def _toggle_keyboard(self) -> None:
        m = self.ctx.metrics
        if self.keyboard is None:
            if self._keyboard is None:  # built at the first search, kept for the next ones
                self._keyboard = OnScreenKeyboard(self.ctx, "letters", self._on_query,
                                                  max_length=16)
            self._keyboard.value = self.ctx.controller.state.query
            self._show_tabs(False)
            # the widths without the tabs now, so the keys are laid out once at the width
            # they had last time (a key whose size changes draws its text again)
            self._main.do_layout()
            self._right.do_layout()
            self.keyboard = self._keyboard
            self.keyboard_box.add_widget(self.keyboard)
            self.keyboard_box.height = self.keyboard.height + m.px(10)
        else:
            self.keyboard_box.clear_widgets()
            self.keyboard_box.height = 0
            self.keyboard = None
            self._show_tabs(True)

    def forget(self) -> None:
        """The session was wiped: drop everything the resident typed or was shown (the search
        text, the greeting, the tiles' page) without building the screen again."""
        if self.keyboard is not None:
            self._toggle_keyboard()
        if self._keyboard is not None:
            self._keyboard.value = ""
        self.greeting.text = ""
        self.search_button.text = _("搜索：输入拼音首字母")
        self._rendered = None
        self._pager_key = ()
        self._show_grid([])
        for button in (*self._tile_pool, *self._group_pool):
            button.text = ""
        self.tile_buttons.clear()
        self.group_buttons.clear()

    def _show_tabs(self, shown: bool) -> None:
        """The tabs step aside while the keyboard is open (a search looks everywhere, and seven
        tabs do not fit beside the keyboard). Hidden tabs leave the widget tree: a transparent
        widget is still drawn (docs/adr/0810-cheap-frames-on-software-gl.md)."""
        if shown and self.tabs.parent is None:
            self._main.add_widget(self.tabs, index=len(self._main.children))  # leftmost
        elif not shown and self.tabs.parent is not None:
            self._main.remove_widget(self.tabs)

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
        self.greeting.color = hex_rgba(p.danger if notice and getattr(
            state, "notice_kind", "error") == "error" else p.text)
        audience = getattr(state, "audience", PERSON)
        for name, button in self.audience_buttons.items():
            _paint(button, name == audience, p)
        query = getattr(state, "query", "")
        self.search_button.text = (_("搜索：{query}", query=query.upper()) if query
                                   else _("搜索：输入拼音首字母"))
        category = getattr(state, "category", FREQUENT)
        labels = tuple(_(name) for name in CATEGORIES)
        if labels != self._tab_labels:  # built once per language: text costs a texture each
            self._tab_labels = labels
            self.tabs.clear_widgets()
            for name, label in zip(CATEGORIES, labels, strict=True):
                button = KButton(label, self._tab_opener(name), m, p, height=m.px(96),
                                 font_base=34, font_cap=1.3)
                self.tab_buttons[name] = button
                self.tabs.add_widget(button)
            self.tabs.add_widget(Spacer())
        for name, button in self.tab_buttons.items():
            _paint(button, name == category and not query, p)
        services: tuple[ServiceEntry, ...] = getattr(state, "services", ())
        groups: tuple[tuple[str, int], ...] = getattr(state, "groups", ())
        group = getattr(state, "group", "")
        elderly = self._elderly()
        key = (services, groups, category, group, query, getattr(state, "page", 0), elderly)
        if key == self._rendered:
            return
        self._rendered = key
        if groups and not query:
            self._show_groups(groups, getattr(state, "page", 0), elderly)
            return
        size = TILES_PER_PAGE[elderly]
        pages = page_count(len(services), size)
        page = min(getattr(state, "page", 0), pages - 1)
        shown = services[page * size:(page + 1) * size]
        self.grid.cols = TILE_COLUMNS[elderly]
        while len(self._tile_pool) < len(shown):
            self._tile_pool.append(KButton("", self._tile_opener(len(self._tile_pool)), m, p,
                                           kind="primary", font_base=38, markup=True))
            self._tile_targets.append("")
        self.tile_buttons.clear()
        self.group_buttons.clear()
        height = m.px(240 if elderly else 160)
        for index, entry in enumerate(shown):
            tile = self._tile_pool[index]
            self._tile_targets[index] = entry.service_id
            # titles and reasons come from bundles and the platform: shown as text, not markup
            label = escape_markup(entry.title)
            if not entry.available:
                label += f"\n[size={int(m.font(26))}]{escape_markup(entry.reason)}[/size]"
            if entry.available:
                _colour(tile, p.primary, p.on_primary)
            else:
                _colour(tile, p.disabled, p.on_disabled)
            tile.text = label
            tile.height = height
            self.tile_buttons[entry.service_id] = tile
        if shown:
            self._show_grid(self._tile_pool[:len(shown)])
        else:
            self.empty.text = (_("没有找到相关事项，请换个关键词") if query
                               else _("暂无可办理的事项"))
            self._show_grid([self.empty])
        self._show_pager(page, pages, len(services), back_to_groups=bool(group) and not query)

    def _show_grid(self, widgets: Sequence[Widget]) -> None:
        """Make the grid hold exactly ``widgets`` (pooled ones: nothing is created here); only
        the difference from what it holds is added or removed."""
        same = 0
        for old, new in zip(self._grid_shows, widgets, strict=False):
            if old is not new:
                break
            same += 1
        if same == len(self._grid_shows) == len(widgets):
            return
        for old in self._grid_shows[same:]:
            self.grid.remove_widget(old)
        for new in widgets[same:]:
            self.grid.add_widget(new)
        self._grid_shows = list(widgets)

    def _elderly(self) -> int:
        prefs = getattr(self.ctx.prefs, "current", None)
        return int(bool(getattr(prefs, "elderly", False)))

    def _show_groups(self, groups: tuple[tuple[str, int], ...], page: int, elderly: int) -> None:
        """Themes or departments as tiles with their counts."""
        m, p = self.ctx.metrics, self.ctx.palette
        size = GROUPS_PER_PAGE[elderly]
        pages = page_count(len(groups), size)
        page = min(page, pages - 1)
        shown = groups[page * size:(page + 1) * size]
        self.grid.cols = GROUP_COLUMNS[elderly]
        while len(self._group_pool) < len(shown):
            self._group_pool.append(KButton("", self._group_opener(len(self._group_pool)), m, p,
                                            kind="primary", font_base=34, markup=True))
            self._group_targets.append("")
        self.tile_buttons.clear()
        self.group_buttons.clear()
        height = m.px(200 if elderly else 130)
        for index, (name, count) in enumerate(shown):
            tile = self._group_pool[index]
            self._group_targets[index] = name
            items = _("{count} 项", count=count)
            tile.text = f"{_(name)}\n[size={int(m.font(26))}]{items}[/size]"
            tile.height = height
            self.group_buttons[name] = tile
        self._show_grid(self._group_pool[:len(shown)])
        self._show_pager(page, pages, len(groups), back_to_groups=False)

    def _show_pager(self, page: int, pages: int, total: int, back_to_groups: bool) -> None:
        """上一页 / 第 i 页 共 n 页 / 下一页, and 返回分类 inside a theme or department (the
        pager's buttons are built once; their text and state change)."""
        p = self.ctx.palette
        self._page = page
        key = (page, pages, total, back_to_groups, _("上一页"),
               getattr(self.ctx.controller.state, "category", ""))
        if key == self._pager_key:
            return
        self._pager_key = key
        back = self._back_button
        if back_to_groups:
            themes = getattr(self.ctx.controller.state, "category", "") == BY_THEME
            back.text = _("返回主题列表") if themes else _("返回部门列表")
            _colour(back, p.secondary, p.on_secondary)
        else:
            back.text = ""
        back.disabled = not back_to_groups
        back.opacity = 1 if back_to_groups else 0
        self.groups_button = back if back_to_groups else None
        assert self.prev_button is not None and self.next_button is not None
        for button, enabled in ((self.prev_button, page > 0),
                                (self.next_button, page + 1 < pages)):
            button.disabled = not enabled
            if enabled:
                _colour(button, p.secondary, p.on_secondary)
            else:
                _colour(button, p.disabled, p.on_disabled)
        self._where.text = _("第 {page} 页 共 {pages} 页 · {total} 项", page=page + 1,
                             pages=pages, total=total)

    def _audience_opener(self, audience: str) -> Callable[[], None]:
        return lambda: self.ctx.controller.set_audience(audience)

    def _tab_opener(self, name: str) -> Callable[[], None]:
        return lambda: self.ctx.controller.set_category(name)

    def _group_opener(self, index: int) -> Callable[[], None]:
        """The action of the pooled group button ``index``: the group it shows now."""
        return lambda: self.ctx.controller.open_group(self._group_targets[index])

    def _tile_opener(self, index: int) -> Callable[[], None]:
        """The action of the pooled tile ``index``: the service it shows now."""
        return lambda: self.ctx.controller.open_service(self._tile_targets[index])


def _paint(button: KButton, selected: bool, palette: Palette) -> None:
    """Show a tab as chosen (primary) or not, without making a new button."""
    if selected:
        _colour(button, palette.primary, palette.on_primary)
    else:
        _colour(button, palette.secondary, palette.on_secondary)


def _colour(button: KButton, background: str, foreground: str) -> None:
    """Give a built button other colours (what KButton's ``kind`` / ``enabled`` choose when it
    is made); a property set to the value it has costs nothing."""
    button.background_color = hex_rgba(background)
    button._colour = hex_rgba(background)
    button._pressed_colour = hex_rgba(background, 0.75)
    button.color = hex_rgba(foreground)
