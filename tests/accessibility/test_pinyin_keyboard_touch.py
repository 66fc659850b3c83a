"""The pinyin keyboard in a real Kivy window, driven by touches: type a name, page through
candidates, commit, delete; in standard and elderly mode, in both palettes and languages."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.i18n import Translator
from kiosk.ui.context import UiContext
from kiosk.ui.pinyin_keyboard import PinyinKeyboard
from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, metrics_for
from tests.accessibility.conftest import WINDOW_SIZE, pump, tap

pytestmark = pytest.mark.ui


def _keyboard(show: Any, lexicon: Any, elderly: bool = False, contrast: bool = False,
              locale: str = "zh-CN", page_size: int = 6) -> tuple[PinyinKeyboard, list[str]]:
    ctx = UiContext(metrics=metrics_for(WINDOW_SIZE[1], elderly=elderly),
                    palette=HIGH_CONTRAST if contrast else STANDARD, controller=None)
    changes: list[str] = []
    keyboard = PinyinKeyboard(ctx, changes.append, page_size=page_size, lexicon=lexicon,
                              tr=Translator(locale))
    show(keyboard)
    return keyboard, changes


def _type(keyboard: PinyinKeyboard, letters: str) -> None:
    for letter in letters:
        tap(keyboard.keys[letter])


def _shown_candidates(keyboard: PinyinKeyboard) -> list[str]:
    return [b.text for b in keyboard.candidate_buttons if b.text]


def test_typing_beijing_offers_and_commits_the_word(show: Any, lexicon: Any) -> None:
    keyboard, changes = _keyboard(show, lexicon)
    _type(keyboard, "beijing")
    assert keyboard.composition_label.text == "bei'jing"
    assert _shown_candidates(keyboard)[0] == "北京"
    tap(keyboard.candidate_buttons[0])
    assert keyboard.value == "北京" and changes[-1] == "北京"
    assert keyboard.composition_label.text == "请输入拼音"


def test_a_name_committed_piece_by_piece(show: Any, lexicon: Any) -> None:
    keyboard, changes = _keyboard(show, lexicon)
    _type(keyboard, "zhangsan")
    shown = _shown_candidates(keyboard)
    assert shown[0] == "张三"
    surname = shown.index("张")
    tap(keyboard.candidate_buttons[surname])
    assert changes[-1] == "张" and keyboard.input.composition == "san"
    tap(keyboard.candidate_buttons[0])
    assert changes[-1] == "张三"


def test_paging_through_candidates(show: Any, lexicon: Any) -> None:
    keyboard, _changes = _keyboard(show, lexicon, page_size=5)
    _type(keyboard, "shi")
    first = _shown_candidates(keyboard)
    assert len(first) == 5 and keyboard.previous_button.disabled
    tap(keyboard.next_button)
    second = _shown_candidates(keyboard)
    assert second and not set(first) & set(second)
    assert not keyboard.previous_button.disabled
    tap(keyboard.previous_button)
    assert _shown_candidates(keyboard) == first


def test_delete_separator_and_clear(show: Any, lexicon: Any) -> None:
    keyboard, changes = _keyboard(show, lexicon)
    _type(keyboard, "xi")
    tap(keyboard.keys["'"])
    _type(keyboard, "an")
    assert keyboard.composition_label.text == "xi'an"
    assert _shown_candidates(keyboard)[0] == "西安"
    tap(keyboard.candidate_buttons[0])
    tap(keyboard.keys["删除"])  # no letters left: deletes committed text
    assert changes[-1] == "西"
    _type(keyboard, "q")
    tap(keyboard.keys["删除"])  # deletes the letter, the text stays
    assert keyboard.value == "西" and keyboard.input.composition == ""
    tap(keyboard.keys["清空"])
    assert changes[-1] == "" and keyboard.value == ""


def test_nonsense_letters_say_so(show: Any, lexicon: Any) -> None:
    keyboard, changes = _keyboard(show, lexicon)
    _type(keyboard, "vvv")
    assert "没有对应的汉字" in keyboard.composition_label.text
    assert _shown_candidates(keyboard) == [] and all(b.disabled for b in
                                                      keyboard.candidate_buttons)
    tap(keyboard.candidate_buttons[0])  # an empty slot does nothing
    assert changes == []


def test_elderly_mode_larger_keys_fewer_candidates(show: Any, lexicon: Any) -> None:
    standard, _ = _keyboard(show, lexicon, page_size=8)
    elderly, changes = _keyboard(show, lexicon, elderly=True, contrast=True, page_size=5)
    pump(2)
    assert len(elderly.candidate_buttons) == 5 < len(standard.candidate_buttons)
    assert elderly.keys["a"].font_size >= standard.keys["a"].font_size * 1.5
    _type(elderly, "beijing")
    tap(elderly.candidate_buttons[0])
    assert changes == ["北京"]


def test_english_labels(show: Any, lexicon: Any) -> None:
    keyboard, _ = _keyboard(show, lexicon, locale="en")
    assert keyboard.composition_label.text == "Type the pinyin"
    assert keyboard.keys["删除"].text == "Delete"
    assert keyboard.next_button.text == "Next page"


def test_every_key_is_a_large_touch_target(show: Any, lexicon: Any) -> None:
    keyboard, _ = _keyboard(show, lexicon)
    pump(2)
    scale = WINDOW_SIZE[1] / 1080
    for button in keyboard.keys.values():
        assert button.height >= 90 * scale and button.width >= 90 * scale * 0.9
