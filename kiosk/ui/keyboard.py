"""On-screen keyboards: digits (phone), ID numbers (digits + X), Latin letters (search by
pinyin initials) and enterprise credit codes (digits + the GB 32100 letters). Keys are large
touch targets; the keyboard edits a string and reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kivy.uix.gridlayout import GridLayout

from kiosk.i18n import N_, _
from kiosk.ui.context import UiContext
from kiosk.ui.widgets import KButton

#: The editing keys (their msgids are also their key names).
DELETE, CLEAR = N_("删除"), N_("清空")
LAYOUTS: dict[str, list[str]] = {
    "digits": [*list("123456789"), CLEAR, "0", DELETE],
    "id_number": [*list("123456789"), "X", "0", DELETE],
    "letters": [*list("QWERTYUIOPASDFGHJKLZXCVBNM"), DELETE, CLEAR],
    # 统一社会信用代码: digits and the 21 letters GB 32100 uses (no I, O, S, V, Z)
    "credit_code": [*list("1234567890ABCDEFGHJKLMNPQRTUWXY"), DELETE, CLEAR],
}
COLUMNS = {"digits": 3, "id_number": 3, "letters": 10, "credit_code": 11}


class OnScreenKeyboard(GridLayout):
    """Edits ``value`` key by key and calls ``on_change(value)``."""

    def __init__(self, ctx: UiContext, layout: str, on_change: Callable[[str], None],
                 value: str = "", max_length: int = 32, **kwargs: object) -> None:
        cols = COLUMNS[layout]
        super().__init__(cols=cols, spacing=ctx.metrics.px(10), size_hint_y=None, **kwargs)
        self.value = value
        self._on_change = on_change
        self._max_length = max_length
        key_height = ctx.metrics.px(110 if cols <= 3 else 100)
        for key in LAYOUTS[layout]:
            button = KButton(_(key), partial(self._press, key), ctx.metrics, ctx.palette,
                             kind="secondary", height=key_height, font_base=44)
            button.key = key
            self.add_widget(button)
        rows = -(-len(LAYOUTS[layout]) // cols)
        self.height = rows * key_height + (rows - 1) * ctx.metrics.px(10)

    def _press(self, key: str) -> None:
        if key == DELETE:
            self.value = self.value[:-1]
        elif key == CLEAR:
            self.value = ""
        elif len(self.value) < self._max_length:
            self.value += key
        self._on_change(self.value)
