"""Technician mode on the screen: PIN entry (or a technician card), the terminal's state and
its devices, per-device connection, parameters, test and save, diagnostics export, touch test
and volume. Leaving always ends the technician session (a wipe, like any session).

The screen is one `KioskScreen` named ``technician`` whose body shows one page at a time. Its
blocking work (discovery, tests, saving, export, the platform check) runs on a short-lived
worker thread; results come back on the Kivy clock. `technician_screen_class` binds the
services, so the app's wipe-time rebuild (``type(old)(ctx)``) keeps working.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from flows.ports import DeviceName
from kiosk.core.device_labels import DEVICE_LABELS
from kiosk.core.events import log_event
from kiosk.core.session import Phase
from kiosk.technician.device_tests import TestResult
from kiosk.technician.discovery import Candidate, baud_of, with_baud
from kiosk.technician.pin import DEMO_PIN, PinOutcome
from kiosk.technician.services import VOLUME_STEP_PERCENT, TechnicianServices
from kiosk.ui.context import UiContext
from kiosk.ui.keyboard import OnScreenKeyboard
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.theme import TOUCH_TARGET_PX, hex_rgba
from kiosk.ui.widgets import KButton, Panel, Text

log = logging.getLogger(__name__)

SCREEN_NAME = "technician"
#: The PIN a demo terminal gets when none was set (shown on the PIN page in the demo only).
BAUD_RATES = (9600, 19200, 38400, 57600, 115200)
PAPER_WIDTHS_MM = (58, 80)
RESOLUTIONS = ("640x480", "1280x720", "1920x1080")
#: Cells of the touch-test grid.
TOUCH_GRID = (8, 4)
#: Device parameters offered per device: (label, hardware key or "baud", choices).
PARAMETERS: dict[str, list[tuple[str, str, tuple[Any, ...]]]] = {
    DeviceName.IDCARD: [("波特率", "baud", BAUD_RATES)],
    DeviceName.RECEIPT_PRINTER: [("纸宽 (mm)", "receipt_paper_width_mm", PAPER_WIDTHS_MM),
                                 ("波特率 (串口)", "baud", BAUD_RATES)],
    DeviceName.CAMERA: [("分辨率", "camera_resolution", RESOLUTIONS)],
    DeviceName.SCANNER: [("波特率 (串口)", "scanner_baud", BAUD_RATES)],
}

NO_PIN_TEXT = "本机尚未设置技术员密码 (kiosk technician set-pin)，请刷技术员卡"
LOCKED_PREFIX = "密码错误次数过多"
EXPORT_HINT = "选择保存位置（U 盘插入后会出现在列表中）。诊断包不含个人信息。"


def locked_text(wait_seconds: float) -> str:
    """The lockout message with the seconds left."""
    return f"{LOCKED_PREFIX}，已锁定，请 {int(wait_seconds) + 1} 秒后再试"


def _run_in_background(work: Callable[[], Any], done: Callable[[Any], None]) -> None:
    """Run ``work`` on a worker thread and ``done(result)`` on the Kivy thread."""
    def job() -> None:
        try:
            result = work()
        except Exception as exc:  # shown as a plain failure, never a traceback
            log_event(log, "technician_task_failed", logging.ERROR, error=type(exc).__name__)
            result = exc
        Clock.schedule_once(lambda _dt: done(result), 0)
    threading.Thread(target=job, name="technician-work", daemon=True).start()


class TechnicianScreen(KioskScreen):
    """The technician's pages; ``services`` is bound by `technician_screen_class`."""

    services: TechnicianServices

    def __init__(self, ctx: UiContext, **kwargs: object) -> None:
        super().__init__(ctx, name=SCREEN_NAME, **kwargs)
        self.page = ""
        self.authenticated = False
        self.pin_value = ""
        self.device = ""
        self.candidates: list[Candidate] = []
        self.choice_url = ""
        self.hardware: dict[str, Any] = {}
        self.last_test: tuple[str, dict[str, Any], TestResult] | None = None
        self.busy = False
        self.status_texts: dict[str, Text] = {}
        self.touched: set[int] = set()
        if self.header is not None:
            self.header.home_button.text = "退出"
            self.header.home_button._on_tap = self.leave
        self.message = Text("", ctx.palette.danger, ctx.metrics.font(34))
        self.show_pin()

    # -- plumbing ----------------------------------------------------------------------------
    def _m(self, base: float) -> float:
        return self.ctx.metrics.px(base)

    def _font(self, base: float) -> float:
        return self.ctx.metrics.font(base)

    def _button(self, text: str, action: Callable[[], None] | None, kind: str = "secondary",
                 **kwargs: Any) -> KButton:
        return KButton(text, action, self.ctx.metrics, self.ctx.palette, kind=kind, **kwargs)

    def _text(self, text: str, colour: str = "", size: float = 32, **kwargs: Any) -> Text:
        return Text(text, colour or self.ctx.palette.text, self._font(size), **kwargs)

    def _start_page(self, name: str, title: str, scroll: bool = True) -> BoxLayout:
        self.page = name
        self.body.clear_widgets()
        if self.header is not None:
            self.header.set_title(title)
        self.message = self._text("", self.ctx.palette.danger, 34)
        column = BoxLayout(orientation="vertical", spacing=self._m(14), size_hint_y=None)
        column.bind(minimum_height=column.setter("height"))
        if scroll:
            view = ScrollView(do_scroll_x=False)
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

    def _grid(self, buttons: list[Widget], cols: int = 3) -> GridLayout:
        grid = GridLayout(cols=cols, spacing=self._m(12), size_hint_y=None)
        grid.bind(minimum_height=grid.setter("height"))
        for button in buttons:
            grid.add_widget(button)
        return grid

    def _work(self, work: Callable[[], Any], done: Callable[[Any], None],
              busy_text: str = "") -> None:
        if self.busy:
            return
        self.busy = True
        if busy_text:
            self.message.color = hex_rgba(self.ctx.palette.muted)
            self.message.text = busy_text

        def finish(result: Any) -> None:
            self.busy = False
            if isinstance(result, Exception):
                self.message.text = f"操作失败: {type(result).__name__}"
                return
            done(result)
        _run_in_background(work, finish)

    # -- KioskScreen -------------------------------------------------------------------------
    def render(self, state: object) -> None:
        """Entering technician mode always starts at the PIN page."""
        if getattr(state, "phase", None) is Phase.TECHNICIAN and not self.authenticated \
                and self.page != "pin":
            self.show_pin()

    def on_back(self) -> None:
        """返回: up one page; from the PIN page or home, leave technician mode."""
        if self.page in ("device", "export", "touch", "errors") and self.authenticated:
            self.show_home()
        else:
            self.leave()

    def tick(self, remaining_seconds: float) -> None:
        """Live device status while the home or device page shows (no session countdown:
        technician mode has its own, longer idle timeout)."""
        if self.page == "pin":
            self._refresh_lock_message()
        if self.page in ("home", "device"):
            self.refresh_statuses()

    def refresh_statuses(self) -> None:
        """Show the hub's current status and URL of every listed device."""
        statuses = self.services.hub.statuses()
        for name, label in self.status_texts.items():
            label.text = self._status_line(name, statuses.get(name))

    def leave(self) -> None:
        """Leave technician mode: the session ends and is wiped."""
        log_event(log, "technician_leave")
        self.authenticated = False
        self.ctx.controller.lifecycle.end("technician_exit")

    # -- PIN -------------------------------------------------------------------------------
    def show_pin(self) -> None:
        """The PIN pad."""
        p = self.ctx.palette
        self.authenticated = False
        self.pin_value = ""
        column = self._start_page("pin", "技术员登录", scroll=False)
        column.add_widget(self._text("请输入技术员密码，或刷技术员卡", p.text, 44, halign="center"))
        self.pin_dots = self._text("", p.text, 60, halign="center", bold=True)
        column.add_widget(self.pin_dots)
        self.message.halign = "center"
        column.add_widget(self.message)
        pins = self.services.pins
        if pins is not None and not pins.is_set():
            if self.services.settings.profile == "demo":
                pins.set_demo_pin(DEMO_PIN)
                column.add_widget(self._text(f"演示终端：密码 {DEMO_PIN}", p.muted, 30,
                                             halign="center"))
            else:
                self.message.text = NO_PIN_TEXT
        pad = BoxLayout(orientation="horizontal", size_hint_y=None)
        keyboard = OnScreenKeyboard(self.ctx, "digits", self._pin_changed, max_length=12,
                                    size_hint_x=0.5)
        pad.height = keyboard.height
        pad.add_widget(Widget(size_hint_x=0.25))
        pad.add_widget(keyboard)
        pad.add_widget(Widget(size_hint_x=0.25))
        self.keyboard = keyboard
        column.add_widget(pad)
        column.add_widget(self._row(Widget(), self._button("确定", self.submit_pin, "primary"),
                                    self._button("退出", self.leave), Widget()))
        self._refresh_lock_message()

    def _pin_changed(self, value: str) -> None:
        self.pin_value = value
        self.pin_dots.text = "●" * len(value)

    def _refresh_lock_message(self) -> None:
        pins = self.services.pins
        if pins is None:
            return
        state = pins.state()
        if state.outcome is PinOutcome.LOCKED:
            self.message.text = locked_text(state.wait_seconds)
        elif self.message.text.startswith(LOCKED_PREFIX):
            self.message.text = ""

    def submit_pin(self) -> None:
        """确定: check the PIN (scrypt takes a moment: off the UI thread)."""
        pin, self.pin_value = self.pin_value, ""
        self.keyboard.value = ""
        self.pin_dots.text = ""
        pins = self.services.pins
        if pins is None:
            return
        self._work(lambda: pins.check(pin), self._pin_checked)

    def _pin_checked(self, check: Any) -> None:
        log_event(log, "technician_pin", outcome=check.outcome.value)
        if check.ok:
            self.authenticated = True
            self.show_home()
        elif check.outcome is PinOutcome.LOCKED:
            self.message.color = hex_rgba(self.ctx.palette.danger)
            self.message.text = locked_text(check.wait_seconds)
        elif check.outcome is PinOutcome.NOT_SET:
            self.message.text = "本机尚未设置技术员密码，请刷技术员卡"
        else:
            self.message.text = f"密码错误，还可尝试 {check.attempts_left} 次"

    def card_presented(self, card_number: str) -> bool:
        """A card was read while the PIN page shows: a technician card lets the technician in
        (wire from the controller: identity_read in Phase.TECHNICIAN -> this, card_number)."""
        pins = self.services.pins
        if self.page != "pin" or pins is None:
            return False
        if pins.card_matches(card_number):
            log_event(log, "technician_card", outcome="ok")
            self.authenticated = True
            self.show_home()
            return True
        log_event(log, "technician_card", outcome="refused")
        self.message.text = "此卡不是技术员卡"
        return False

    # -- home ------------------------------------------------------------------------------
    def _status_line(self, name: str, status: Any) -> str:
        url = self.services.hub.urls().get(name, "none")
        text = status.describe() if status is not None else "unknown"
        return f"{DEVICE_LABELS.get(name, name)}    {text}    {url}"

    def show_home(self) -> None:
        """Terminal facts, the device list with live status, and the tools."""
        if not self.authenticated:
            self.show_pin()
            return
        p = self.ctx.palette
        column = self._start_page("home", "技术员模式")
        self.volume_text = self._text("", p.text, 34, halign="center", fixed_height=True)
        self.volume_text.text = f"音量 {self.services.volume()}%"
        column.add_widget(self._grid([
            self._button("导出诊断", self.show_export), self._button("最近错误", self.show_errors),
            self._button("触摸测试", self.show_touch_test), self._button("刷新", self.show_home),
            self._button("退出技术员模式", self.leave, "danger"),
            self._button("音量 −", lambda: self.change_volume(-VOLUME_STEP_PERCENT)),
            self.volume_text,
            self._button("音量 +", lambda: self.change_volume(VOLUME_STEP_PERCENT)),
        ], cols=4))
        column.add_widget(self.message)
        self.facts_text = self._text("正在检测平台、外发队列和更新状态…", p.muted, 28)
        column.add_widget(self.facts_text)
        column.add_widget(self._text("设备（点按进入设置和测试）", p.text, 34, bold=True))
        self.status_texts = {}
        statuses = self.services.hub.statuses()
        buttons = []
        for name in DEVICE_LABELS:
            button = self._button(self._status_line(name, statuses.get(name)),
                                  partial(self.show_device, name), height=self._m(100),
                                  font_base=28)
            self.status_texts[name] = button  # type: ignore[assignment]
            buttons.append(button)
        column.add_widget(self._grid(buttons, cols=2))
        self._work(self.services.facts, self._show_facts)

    def _show_facts(self, facts: list[Any]) -> None:
        if self.page != "home":
            return
        self.facts_text.color = hex_rgba(self.ctx.palette.text)
        self.facts_text.text = "\n".join(
            f"{'正常' if f.ok else '异常'}  {f.name}: {f.detail}" for f in facts)

    def change_volume(self, delta: int) -> None:
        """音量 −/+ (stored; the voice prompts use it)."""
        value = self.services.set_volume(self.services.volume() + delta)
        self.volume_text.text = f"音量 {value}%"
        voice = getattr(self.ctx, "voice", None)
        if voice is not None:  # let the technician hear the new volume
            try:
                voice.set_volume(value)
                voice.say("音量测试")
            except Exception as exc:  # no sound device must not break the screen
                log_event(log, "technician_volume_sample_failed", logging.WARNING,
                          error=type(exc).__name__)

    # -- one device ---------------------------------------------------------------------------
    def show_device(self, name: str) -> None:
        """Connection, parameters, 测试 and 保存 for one device."""
        p = self.ctx.palette
        self.device = name
        self.last_test = None
        self.choice_url = self.services.hub.urls().get(name, "none")
        hw = self.services.settings.hardware
        self.hardware = {key: getattr(hw, key) for _, key, _ in PARAMETERS.get(name, [])
                         if key != "baud"}
        column = self._start_page("device", DEVICE_LABELS.get(name, name))
        status = self._text("", p.text, 32)
        self.status_texts = {name: status}
        status.text = self._status_line(name, self.services.hub.status(name))
        column.add_widget(status)
        column.add_widget(self._text("连接", p.text, 36, bold=True))
        self.connection_box = BoxLayout(orientation="vertical", size_hint_y=None)
        self.connection_box.bind(minimum_height=self.connection_box.setter("height"))
        self.connection_box.add_widget(self._text("正在查找可连接的设备…", p.muted, 30))
        column.add_widget(self.connection_box)
        self.parameter_box = BoxLayout(orientation="vertical", size_hint_y=None,
                                       spacing=self._m(10))
        self.parameter_box.bind(minimum_height=self.parameter_box.setter("height"))
        column.add_widget(self.parameter_box)
        self.test_button = self._button("测试", self.run_test, "primary")
        self.save_button = self._button("保存", self.save)
        column.add_widget(self._row(self.test_button, self.save_button,
                                    self._button("返回设备列表", self.show_home)))
        self.result_text = self._text("尚未测试：请先测试，测试通过后才能保存", p.muted, 32)
        column.add_widget(self.result_text)
        column.add_widget(self.message)
        self.preview = BoxLayout(size_hint_y=None, height=0)
        column.add_widget(self.preview)
        self._render_parameters()
        self._work(self.services.discover, self._show_candidates)

    def _show_candidates(self, found: Any) -> None:
        if self.page != "device":
            return
        self.candidates = found.for_device(self.device)
        self._render_candidates()
        topics: dict[str, str] = {DeviceName.SMARTCARD: "PC/SC", DeviceName.DOCUMENT_PRINTER: "IPP"}
        topic = topics.get(self.device, "-")
        notes = [n for n in found.notes if topic in n]
        if notes:
            self.connection_box.add_widget(self._text("；".join(notes), self.ctx.palette.muted,
                                                      26))

    def _render_candidates(self) -> None:
        box = self.connection_box
        box.clear_widgets()
        current = self._base_url(self.choice_url)
        buttons = [self._button(c.label, partial(self.choose, c.url),
                                "primary" if self._base_url(c.url) == current else "secondary",
                                height=self._m(90), font_base=28)
                   for c in self.candidates]
        box.add_widget(self._grid(buttons, cols=3))

    @staticmethod
    def _base_url(url: str) -> str:
        return with_baud(url, 0).replace("?baud=0", "").replace("&baud=0", "")

    def choose(self, url: str) -> None:
        """Pick a connection (a new choice needs a new test before saving)."""
        baud = baud_of(self.choice_url)
        self.choice_url = with_baud(url, baud) if baud and baud_of(url) is None else url
        self._invalidate_test()
        self._render_candidates()
        self._render_parameters()

    def _render_parameters(self) -> None:
        box = self.parameter_box
        box.clear_widgets()
        for label, key, choices in PARAMETERS.get(self.device, []):
            if key == "baud" and not self.choice_url.startswith(("serial://",
                                                                   "escpos+serial://")):
                continue
            current = baud_of(self.choice_url) if key == "baud" else self.hardware.get(key)
            buttons = [self._button(str(v), partial(self.set_parameter, key, v),
                                    "primary" if v == current else "secondary",
                                    height=self._m(90), font_base=30) for v in choices]
            title = self._text(label, self.ctx.palette.text, 32, bold=True, fixed_height=True,
                               size_hint_x=None, width=self._m(260))
            box.add_widget(self._row(title, *buttons, height=90))

    def set_parameter(self, key: str, value: Any) -> None:
        """Pick a parameter value (baud goes into the URL, the rest into [hardware])."""
        if key == "baud":
            self.choice_url = with_baud(self.choice_url, int(value))
        else:
            self.hardware[key] = value
        self._invalidate_test()
        self._render_parameters()

    def _invalidate_test(self) -> None:
        self.last_test = None
        self.message.text = ""
        self.result_text.color = hex_rgba(self.ctx.palette.muted)
        self.result_text.text = "设置已更改：请重新测试，测试通过后才能保存"

    def run_test(self) -> None:
        """测试: open the device at the chosen connection and make it work once."""
        name, url, hardware = self.device, self.choice_url, dict(self.hardware)
        self.result_text.color = hex_rgba(self.ctx.palette.muted)
        self.result_text.text = f"正在测试 {url} …（读卡/扫码测试请放卡或出示码）"
        self.message.text = ""

        def done(result: TestResult) -> None:
            if self.page != "device" or self.device != name:
                return
            self.last_test = (url, hardware, result)
            self.result_text.color = hex_rgba(self.ctx.palette.success if result.ok
                                       else self.ctx.palette.danger)
            self.result_text.text = ("测试通过: " if result.ok else "测试失败: ") + result.detail
            self._show_preview(result.preview_png)
            if not result.ok and result.confirm:
                self._ask_confirmation(result)
        self._work(lambda: self.services.test_device(name, url, hardware), done)

    def _ask_confirmation(self, result: TestResult) -> None:
        """The device could not report the outcome: ask the technician what they see."""
        self.preview.clear_widgets()
        self.preview.height = self._m(TOUCH_TARGET_PX)

        def yes() -> None:
            if self.last_test is not None and self.last_test[2] is result:
                url, hardware, _ = self.last_test
                self.last_test = (url, hardware, result.confirmed())
                self.result_text.color = hex_rgba(self.ctx.palette.success)
                self.result_text.text = "测试通过: " + self.last_test[2].detail
            self.preview.clear_widgets()
            self.preview.height = 0

        self.preview.add_widget(self._text(result.confirm, self.ctx.palette.text, 34))
        self.preview.add_widget(self._button("是，已打印", yes, "primary"))
        self.preview.add_widget(self._button("否", lambda: self._show_preview(None)))

    def _show_preview(self, png: bytes | None) -> None:
        self.preview.clear_widgets()
        if not png:
            self.preview.height = 0
            return
        texture = CoreImage(io.BytesIO(png), ext="png").texture
        self.preview.height = self._m(360)
        self.preview.add_widget(Image(texture=texture, fit_mode="contain"))

    def save_blocked_reason(self) -> str:
        """Why 保存 is refused now ("" when it may save)."""
        if self.last_test is None:
            return "不能保存：请先测试当前设置"
        url, hardware, result = self.last_test
        if url != self.choice_url or hardware != self.hardware:
            return "不能保存：设置在测试后已更改，请重新测试"
        if not result.ok:
            return f"不能保存：测试未通过（{result.detail}）"
        return ""

    def save(self) -> None:
        """保存: only after a passing test of exactly these settings."""
        reason = self.save_blocked_reason()
        if reason:
            self.message.color = hex_rgba(self.ctx.palette.danger)
            self.message.text = reason
            return
        name, url, hardware = self.device, self.choice_url, dict(self.hardware)

        def done(result: Any) -> None:
            if self.page != "device":
                return
            if result.ok:
                self.message.color = hex_rgba(self.ctx.palette.success)
                self.message.text = f"已保存并重新连接 {DEVICE_LABELS.get(name, name)}"
                self.refresh_statuses()
            else:
                self.message.color = hex_rgba(self.ctx.palette.danger)
                self.message.text = f"未保存：{result.reason}"
        self._work(lambda: self.services.save_device(name, url, hardware), done, "正在保存…")

    # -- export, errors, touch test ------------------------------------------------------------
    def show_export(self) -> None:
        """Pick a folder (a USB stick or the data folder) for the diagnostics bundle."""
        column = self._start_page("export", "导出诊断包")
        column.add_widget(self._text(EXPORT_HINT, self.ctx.palette.text, 32))
        for target in self.services.export_targets():
            column.add_widget(self._button(str(target), partial(self.export_to, target),
                                           height=self._m(90), font_base=30))
        column.add_widget(self.message)
        column.add_widget(self._button("返回", self.show_home))

    def export_to(self, target: Path) -> None:
        """Write the bundle to ``target``."""
        def done(result: Any) -> None:
            self.message.color = hex_rgba(self.ctx.palette.success if result.ok
                                   else self.ctx.palette.danger)
            self.message.text = ("已导出: " if result.ok else "导出失败: ") + result.detail
        self._work(lambda: self.services.export(target), done, "正在导出…")

    def show_errors(self) -> None:
        """The last warnings and errors of the log (already masked)."""
        column = self._start_page("errors", "最近错误")
        lines = self.services.recent_errors()
        column.add_widget(self._text("\n".join(lines) if lines else "没有最近的错误",
                                     self.ctx.palette.text, 24))
        column.add_widget(self._button("返回", self.show_home))

    def show_touch_test(self) -> None:
        """A grid of cells that turn green where touched."""
        column = self._start_page("touch", "触摸测试", scroll=False)
        cols, rows = TOUCH_GRID
        self.touched = set()
        self.cells: list[Panel] = []
        grid = GridLayout(cols=cols, rows=rows, spacing=self._m(6), size_hint_y=None,
                          height=self._m(640))
        for index in range(cols * rows):
            cell = _TouchCell(self.ctx.palette.secondary, index, self._cell_touched)
            self.cells.append(cell)
            grid.add_widget(cell)
        self.touch_text = self._text(f"请逐格点按：0 / {cols * rows}", self.ctx.palette.text,
                                     34, halign="center")
        column.add_widget(self.touch_text)
        column.add_widget(grid)
        column.add_widget(self._row(Widget(), self._button("返回", self.show_home), Widget()))

    def _cell_touched(self, cell: _TouchCell) -> None:
        cell.set_colour(self.ctx.palette.success)
        self.touched.add(cell.index)
        total = TOUCH_GRID[0] * TOUCH_GRID[1]
        self.touch_text.text = f"请逐格点按：{len(self.touched)} / {total}" + (
            "  全部正常" if len(self.touched) == total else "")


class _TouchCell(Panel):
    """One cell of the touch-test grid."""

    def __init__(self, colour: str, index: int, on_touch: Callable[[_TouchCell], None]) -> None:
        super().__init__(colour)
        self.index = index
        self._on_touch = on_touch

    def on_touch_down(self, touch: Any) -> bool:
        """Mark the cell when the touch lands in it."""
        if self.collide_point(*touch.pos):
            self._on_touch(self)
            return True
        return False


def technician_screen_class(services: TechnicianServices) -> type[TechnicianScreen]:
    """A `TechnicianScreen` subclass bound to ``services`` (constructible as ``cls(ctx)``)."""
    return type("BoundTechnicianScreen", (TechnicianScreen,), {"services": services})
