"""A large-key pinyin keyboard for Chinese text fields (names, addresses, a problem report).

Top: the letters typed so far, split into syllables (zhang'san), or a hint. Below: a bar of
candidate words with 上一页 / 下一页, then QWERTY letter keys with 删除, 分隔 (') and 清空.
Tapping a candidate appends it to the field and calls ``on_change(value)``, like
`kiosk.ui.keyboard.OnScreenKeyboard`. 删除 removes a typed letter first, then committed text.

The engine is `kiosk.input.pinyin.PinyinInput` (pure); this widget only shows it and forwards
taps. Elderly mode passes a smaller ``page_size`` (Preferences.pinyin_candidates_per_page).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk import REPO_ROOT
from kiosk.i18n import _
from kiosk.input.dictionary import shared_lexicon
from kiosk.input.pinyin import SEPARATOR, Lexicon, PinyinInput
from kiosk.ui.context import UiContext
from kiosk.ui.keyboard import CLEAR, DELETE
from kiosk.ui.theme import hex_rgba
from kiosk.ui.widgets import KButton, Panel, Text

ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
#: Key and bar heights at 1080 px (touch targets stay >= 90 px).
KEY_HEIGHT_PX = 100
BAR_HEIGHT_PX = 100
SPACING_PX = 10
LEXICON_CACHE_DIR = REPO_ROOT / "var" / "cache"


class PinyinKeyboard(BoxLayout):
    """Edits ``value`` through pinyin and calls ``on_change(value)`` after each change."""

    def __init__(self, ctx: UiContext, on_change: Callable[[str], None], value: str = "",
                 max_length: int = 32, page_size: int = 8, lexicon: Lexicon | None = None,
                 tr: Callable[..., str] = _, names: bool = False, **kwargs: object) -> None:
        """``names``: a name field (family names offered first); ``tr``: the translator."""
        m, p = ctx.metrics, ctx.palette
        spacing = m.px(SPACING_PX)
        super().__init__(orientation="vertical", spacing=spacing, size_hint_y=None, **kwargs)
        self.input = PinyinInput(lexicon or shared_lexicon(LEXICON_CACHE_DIR),
                                 page_size=page_size, value=value, max_length=max_length,
                                 names=names)
        self._on_change = on_change
        self._tr = tr
        self._palette = p
        bar_height, key_height = m.px(BAR_HEIGHT_PX), m.px(KEY_HEIGHT_PX)

        bar = Panel(p.surface, radius=m.px(10), orientation="horizontal", size_hint_y=None,
                    height=bar_height * 0.8, padding=[m.px(20), 0])
        self.composition_label = Text("", p.muted, m.font(40), fixed_height=True)
        bar.add_widget(self.composition_label)
        self.add_widget(bar)

        candidates = BoxLayout(orientation="horizontal", size_hint_y=None, height=bar_height,
                               spacing=spacing)
        self.previous_button = self._key(ctx, tr("上一页"), self._previous, bar_height,
                                         size_hint_x=None, width=m.px(150), font_base=30)
        candidates.add_widget(self.previous_button)
        self.candidate_buttons: list[KButton] = []
        for index in range(self.input.page_size):
            button = self._key(ctx, "", partial(self._choose, index), bar_height,
                               kind="primary", font_base=44)
            self.candidate_buttons.append(button)
            candidates.add_widget(button)
        self.next_button = self._key(ctx, tr("下一页"), self._next, bar_height,
                                     size_hint_x=None, width=m.px(150), font_base=30)
        candidates.add_widget(self.next_button)
        self.add_widget(candidates)

        self.keys: dict[str, KButton] = {}
        specials = {2: [(DELETE, self._backspace)], 1: [(SEPARATOR, self._separator)],
                    0: [(CLEAR, self._clear)]}
        for number, letters in enumerate(ROWS):
            row = BoxLayout(orientation="horizontal", size_hint_y=None, height=key_height,
                            spacing=spacing)
            for letter in letters:
                button = self._key(ctx, letter.upper(), partial(self._type, letter),
                                   key_height, font_base=44)
                self.keys[letter] = button
                row.add_widget(button)
            for name, action in specials[number]:
                label = tr("分隔") + " '" if name == SEPARATOR else tr(name)
                button = self._key(ctx, label, action, key_height, font_base=34,
                                   size_hint_x=1.6)
                self.keys[name] = button
                row.add_widget(button)
            self.add_widget(row)
        self.height = bar_height * 1.8 + key_height * len(ROWS) + spacing * (len(ROWS) + 1)
        self._refresh()

    @property
    def value(self) -> str:
        """The committed text."""
        return self.input.value

    def _key(self, ctx: UiContext, text: str, action: Callable[[], None], height: float,
             kind: str = "secondary", font_base: float = 40, **kwargs: Any) -> KButton:
        return KButton(text, action, ctx.metrics, ctx.palette, kind=kind, height=height,
                       font_base=font_base, **kwargs)

    # -- taps ----------------------------------------------------------------------------------
    def _type(self, letter: str) -> None:
        if self.input.type(letter):
            self._refresh()

    def _separator(self) -> None:
        if self.input.type(SEPARATOR):
            self._refresh()

    def _backspace(self) -> None:
        had_letters = bool(self.input.composition)
        self.input.backspace()
        self._refresh()
        if not had_letters:
            self._on_change(self.input.value)

    def _clear(self) -> None:
        self.input.clear()
        self._refresh()
        self._on_change(self.input.value)

    def _choose(self, index: int) -> None:
        if self.input.choose(index) is not None:
            self._refresh()
            self._on_change(self.input.value)

    def _previous(self) -> None:
        if self.input.previous_page():
            self._refresh()

    def _next(self) -> None:
        if self.input.next_page():
            self._refresh()

    # -- drawing -------------------------------------------------------------------------------
    def _refresh(self) -> None:
        p = self._palette
        if self.input.composition:
            shown = self.input.display
            if not self.input.candidates:
                shown += "    " + self._tr("没有对应的汉字，请检查拼音")
            self.composition_label.text = shown
            self.composition_label.color = hex_rgba(p.text)
        else:
            self.composition_label.text = self._tr("请输入拼音")
            self.composition_label.color = hex_rgba(p.muted)
        page = self.input.page_candidates
        for index, button in enumerate(self.candidate_buttons):
            word = page[index].text if index < len(page) else ""
            button.text = word
            button.disabled = not word
            button.opacity = 1 if word else 0
        self._enable(self.previous_button, self.input.page > 0)
        self._enable(self.next_button, self.input.page + 1 < self.input.pages)

    def _enable(self, button: KButton, enabled: bool) -> None:
        """Grey a paging key out (palette disabled / on_disabled) or restore it."""
        p = self._palette
        button.disabled = not enabled
        background, foreground = ((p.secondary, p.on_secondary) if enabled
                                  else (p.disabled, p.on_disabled))
        button.background_color = hex_rgba(background)
        button.color = button.disabled_color = hex_rgba(foreground)
