"""Technician mode on the screen: a view of `kiosk.technician.controller.TechnicianController`.

The screen keeps no state and starts no threads: it renders the controller's
`TechnicianState` and turns taps into the controller's intents. A page is rebuilt when its
structure changes (another page, another device, new candidates, another parameter value);
otherwise only its texts are updated, so a PIN pad keeps its keys while digits are typed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.core.image import Image as CoreImage
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from kiosk.core.device_labels import DEVICE_LABELS
from kiosk.technician.controller import TechnicianController
from kiosk.technician.state import TOUCH_GRID, Note, Page, TechnicianState
from kiosk.technician.words import fact_line
from kiosk.ui.context import UiContext
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import TOUCH_TARGET_PX, hex_rgba
from kiosk.ui.widgets import KButton, KScrollView, Panel, Text

SCREEN_NAME = "technician"

EXPORT_HINT = "选择保存位置（U 盘插入后会出现在列表中）。诊断包不含个人信息。"
PAGE_TITLES = {Page.PIN: "技术员登录", Page.HOME: "技术员模式", Page.EXPORT: "导出诊断包",
               Page.ERRORS: "最近错误", Page.TOUCH: "触摸测试"}


class TechnicianScreen(KioskScreen):
    """The technician's pages, drawn from the controller's state."""

    def __init__(self, ctx: UiContext, technician: TechnicianController,
                 **kwargs: object) -> None:
        super().__init__(ctx, name=SCREEN_NAME, **kwargs)
        self.technician = technician
        self._shape: tuple[Any, ...] | None = None
        self._device_shape: tuple[Any, ...] | None = None
        self.status_texts: dict[str, Text] = {}
        self.cells: list[_TouchCell] = []
        if self.header is not None:
            self.header.home_button.text = "退出"
            self.header.home_button._on_tap = technician.leave
        self.message = self._text("", "", 34)
        self.show(technician.state)

    # -- the state -------------------------------------------------------------------------
    @property
    def state(self) -> TechnicianState:
        """The controller's current state."""
        return self.technician.state

    @property
    def page(self) -> str:
        """The page now shown (``pin``, ``home``, ``device`` ...)."""
        return self.state.page.value

    def render(self, state: object) -> None:
        """The kiosk's UiState says technician: show the controller's state."""
        self.show(self.technician.state)

    def on_back(self) -> None:
        """返回: up one page, or leave technician mode."""
        self.technician.back()

    def tick(self, remaining_seconds: float) -> None:
        """No session countdown here: technician mode has its own, longer idle timeout."""

    def show(self, state: TechnicianState) -> None:
        """Draw ``state``: rebuild the page if its structure changed, then update the texts."""
        device = state.device
        shape = (state.page, state.authenticated, state.demo_pin,
                 device.name if device is not None else "", state.export_targets,
                 state.errors)
        if shape != self._shape:
            self._shape = shape
            self._device_shape = None
            self._build(state)
        self._update(state)

    # -- plumbing ----------------------------------------------------------------------------
    def _m(self, base: float) -> float:
        return self.ctx.metrics.px(base)

    def _button(self, text: str, action: Callable[[], None] | None, kind: str = "secondary",
                **kwargs: Any) -> KButton:
        return KButton(text, action, self.ctx.metrics, self.ctx.palette, kind=kind, **kwargs)

    def _text(self, text: str, colour: str = "", size: float = 32, **kwargs: Any) -> Text:
        return Text(text, colour or self.ctx.palette.text, self.ctx.metrics.font(size), **kwargs)

    def _colour(self, note: Note) -> tuple[float, float, float, float]:
        p = self.ctx.palette
        return hex_rgba({"success": p.success, "muted": p.muted, "info": p.text}.get(
            note.kind, p.danger))

    def _show_note(self, label: Text, note: Note) -> None:
        label.color = self._colour(note)
        label.text = note.text

    def _column(self, title: str, scroll: bool = True) -> BoxLayout:
        self.body.clear_widgets()
        if self.header is not None:
            self.header.set_title(title)
        self.message = self._text("", "", 34)
        column = BoxLayout(orientation="vertical", spacing=self._m(14), size_hint_y=None)
        column.bind(minimum_height=column.setter("height"))
        if scroll:
            view = KScrollView(do_scroll_x=False)
            view.add_widget(column)
            self.body.add_widget(view)
        else:
            self.body.add_widget(column)
        return column

    def _row(self, *widgets: Widget, height: float = TOUCH_TARGET_PX) -> BoxLayout:
        row = BoxLayout(orientation="horizontal", spacing=self._m(14), size_hint_y=None,
                        height=self._m(height))
        for widget in widgets:
            row.add_widget(widget)
        return row

    def _grid(self, widgets: list[Widget], cols: int = 3) -> GridLayout:
        grid = GridLayout(cols=cols, spacing=self._m(12), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for widget in widgets:
            grid.add_widget(widget)
        return grid

    def _build(self, state: TechnicianState) -> None:
        self.status_texts = {}
        builders = {Page.PIN: self._build_pin, Page.HOME: self._build_home,
                    Page.DEVICE: self._build_device, Page.EXPORT: self._build_export,
                    Page.ERRORS: self._build_errors, Page.TOUCH: self._build_touch}
        builders[state.page](state)

    def _update(self, state: TechnicianState) -> None:
        self._show_note(self.message, state.message)
        for name, label in self.status_texts.items():
            label.text = state.statuses.get(name, label.text)
        if state.page is Page.PIN:
            self.pin_dots.text = "●" * state.pin_length
            if state.pin_length == 0:
                self.keyboard.value = ""
        elif state.page is Page.HOME:
            self.volume_text.text = f"音量 {state.volume}%"
            if state.facts is None:
                self._show_note(self.facts_text, Note("正在检测平台、外发队列和更新状态…", "muted"))
            else:
                self._show_note(self.facts_text, Note("\n".join(
                    fact_line(f) for f in state.facts), "info"))
        elif state.page is Page.DEVICE:
            self._update_device(state)
        elif state.page is Page.TOUCH:
            total = TOUCH_GRID[0] * TOUCH_GRID[1]
            for cell in self.cells:
                cell.set_colour(self.ctx.palette.success if cell.index in state.touched
                                else self.ctx.palette.secondary)
            self.touch_text.text = f"请逐格点按：{len(state.touched)} / {total}" + (
                "  全部正常" if len(state.touched) == total else "")

    # -- pages -------------------------------------------------------------------------------
    def _build_pin(self, state: TechnicianState) -> None:
        p = self.ctx.palette
        column = self._column(PAGE_TITLES[Page.PIN], scroll=False)
        column.add_widget(self._text("请输入技术员密码，或刷技术员卡", p.text, 44, halign="center"))
        self.pin_dots = self._text("", p.text, 60, halign="center", bold=True)
        column.add_widget(self.pin_dots)
        self.message.halign = "center"
        column.add_widget(self.message)
        if state.demo_pin:
            column.add_widget(self._text(f"演示终端：密码 {state.demo_pin}", p.muted, 30,
                                         halign="center"))
        pad = BoxLayout(orientation="horizontal", size_hint_y=None)
        keyboard = OnScreenKeyboard(self.ctx, "digits", self.technician.set_pin_entry,
                                    max_length=12, size_hint_x=0.5)
        pad.height = keyboard.height
        pad.add_widget(Widget(size_hint_x=0.25))
        pad.add_widget(keyboard)
        pad.add_widget(Widget(size_hint_x=0.25))
        self.keyboard = keyboard
        column.add_widget(pad)
        column.add_widget(self._row(Widget(),
                                    self._button("确定", self.technician.submit_pin, "primary"),
                                    self._button("退出", self.technician.leave), Widget()))

    def _build_home(self, state: TechnicianState) -> None:
        t = self.technician
        column = self._column(PAGE_TITLES[Page.HOME])
        self.volume_text = self._text("", "", 34, halign="center", fixed_height=True)
        column.add_widget(self._grid([
            self._button("导出诊断", t.show_export), self._button("最近错误", t.show_errors),
            self._button("触摸测试", t.show_touch_test), self._button("刷新", t.show_home),
            self._button("退出技术员模式", t.leave, "danger"),
            self._button("音量 −", t.volume_down), self.volume_text,
            self._button("音量 +", t.volume_up),
        ], cols=4))
        column.add_widget(self.message)
        self.facts_text = self._text("", "", 28)
        column.add_widget(self.facts_text)
        column.add_widget(self._text("设备（点按进入设置和测试）", "", 34, bold=True))
        buttons = []
        for name in DEVICE_LABELS:
            button = self._button(state.statuses.get(name, name),
                                  partial(t.show_device, name), height=self._m(100),
                                  font_base=28)
            self.status_texts[name] = button  # type: ignore[assignment]
            buttons.append(button)
        column.add_widget(self._grid(buttons, cols=2))

    def _build_device(self, state: TechnicianState) -> None:
        t = self.technician
        edit = state.device
        assert edit is not None
        column = self._column(edit.label)
        status = self._text("", "", 32)
        self.status_texts = {edit.name: status}
        column.add_widget(status)
        column.add_widget(self._text("连接", "", 36, bold=True))
        self.connection_box = BoxLayout(orientation="vertical", size_hint_y=None)
        self.connection_box.bind(minimum_height=self.connection_box.setter("height"))
        column.add_widget(self.connection_box)
        self.parameter_box = BoxLayout(orientation="vertical", size_hint_y=None,
                                       spacing=self._m(10))
        self.parameter_box.bind(minimum_height=self.parameter_box.setter("height"))
        column.add_widget(self.parameter_box)
        column.add_widget(self._row(self._button("测试", t.run_test, "primary"),
                                    self._button("保存", t.save),
                                    self._button("返回设备列表", t.show_home)))
        self.result_text = self._text("", "", 32)
        column.add_widget(self.result_text)
        column.add_widget(self.message)
        self.preview = BoxLayout(size_hint_y=None, height=0)
        column.add_widget(self.preview)

    def _update_device(self, state: TechnicianState) -> None:
        edit = state.device
        if edit is None:
            return
        self._show_note(self.result_text, edit.result)
        shape = (edit.candidates, edit.notes, edit.discovering, edit.url,
                 tuple(sorted(edit.hardware.items())), edit.confirm, edit.preview_png)
        if shape == self._device_shape:
            return
        self._device_shape = shape
        t = self.technician
        box = self.connection_box
        box.clear_widgets()
        if edit.discovering:
            box.add_widget(self._text("正在查找可连接的设备…", self.ctx.palette.muted, 30))
        else:
            current = t.base_url(edit.url)
            box.add_widget(self._grid([
                self._button(c.label, partial(t.choose, c.url),
                             "primary" if t.base_url(c.url) == current else "secondary",
                             height=self._m(90), font_base=28) for c in edit.candidates], cols=3))
            if edit.notes:
                box.add_widget(self._text("；".join(edit.notes), self.ctx.palette.muted, 26))
        self.parameter_box.clear_widgets()
        for label, key, choices, current_value in edit.parameters():
            buttons = [self._button(str(v), partial(t.set_parameter, key, v),
                                    "primary" if v == current_value else "secondary",
                                    height=self._m(90), font_base=30) for v in choices]
            title = self._text(label, "", 32, bold=True, fixed_height=True, size_hint_x=None,
                               width=self._m(260))
            self.parameter_box.add_widget(self._row(title, *buttons, height=90))
        self.preview.clear_widgets()
        self.preview.height = 0
        if edit.confirm:
            self.preview.height = self._m(TOUCH_TARGET_PX)
            self.preview.add_widget(self._text(edit.confirm, "", 34))
            self.preview.add_widget(self._button("是，已打印", lambda: t.confirm(True),
                                                 "primary"))
            self.preview.add_widget(self._button("否", lambda: t.confirm(False)))
        elif edit.preview_png:
            texture = CoreImage(io.BytesIO(edit.preview_png), ext="png").texture
            self.preview.height = self._m(360)
            self.preview.add_widget(Image(texture=texture, fit_mode="contain"))

    def _build_export(self, state: TechnicianState) -> None:
        column = self._column(PAGE_TITLES[Page.EXPORT])
        column.add_widget(self._text(EXPORT_HINT, "", 32))
        for target in state.export_targets:
            column.add_widget(self._button(str(target),
                                           partial(self.technician.export_to, target),
                                           height=self._m(90), font_base=30))
        column.add_widget(self.message)
        column.add_widget(self._button("返回", self.technician.show_home))

    def _build_errors(self, state: TechnicianState) -> None:
        column = self._column(PAGE_TITLES[Page.ERRORS])
        if state.errors is None:
            text = "正在读取日志…"
        else:
            text = "\n".join(state.errors) if state.errors else "没有最近的错误"
        column.add_widget(self._text(text, "", 24))
        column.add_widget(self.message)
        column.add_widget(self._button("返回", self.technician.show_home))

    def _build_touch(self, state: TechnicianState) -> None:
        column = self._column(PAGE_TITLES[Page.TOUCH], scroll=False)
        cols, rows = TOUCH_GRID
        self.cells = []
        grid = GridLayout(cols=cols, rows=rows, spacing=self._m(6), size_hint_y=None,
                          height=self._m(640))
        for index in range(cols * rows):
            cell = _TouchCell(self.ctx.palette.secondary, index, self.technician.cell_touched)
            self.cells.append(cell)
            grid.add_widget(cell)
        self.touch_text = self._text("", "", 34, halign="center")
        column.add_widget(self.touch_text)
        column.add_widget(grid)
        column.add_widget(self._row(Widget(), self._button("返回", self.technician.show_home),
                                    Widget()))


class _TouchCell(Panel):
    """One cell of the touch-test grid."""

    def __init__(self, colour: str, index: int, on_touch: Callable[[int], None]) -> None:
        super().__init__(colour)
        self.index = index
        self._on_touch = on_touch

    def on_touch_down(self, touch: Any) -> bool:
        """Report the cell when the touch lands in it."""
        if self.collide_point(*touch.pos):
            self._on_touch(self.index)
            return True
        return False
