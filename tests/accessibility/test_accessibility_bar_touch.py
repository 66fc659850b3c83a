"""The accessibility toggles driven with touches: each tap changes the session's preferences,
labels follow the language, and a wipe (store reset) brings the defaults back."""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.core.accessibility import Preferences, PreferenceStore
from kiosk.ui.accessibility_bar import AccessibilityBar, toggle_labels
from kiosk.ui.context import UiContext
from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, hex_rgba, metrics_for
from tests.accessibility.conftest import WINDOW_SIZE, tap

pytestmark = pytest.mark.ui


def _bar(show: Any, store: PreferenceStore) -> AccessibilityBar:
    prefs = store.current
    ctx = UiContext(metrics=metrics_for(WINDOW_SIZE[1], prefs.elderly),
                    palette=HIGH_CONTRAST if prefs.high_contrast else STANDARD, controller=None)
    return show(AccessibilityBar(ctx, store))


def test_labels_for_each_state() -> None:
    assert toggle_labels(Preferences()) == {"elderly": "长者模式", "language": "English",
                                            "mute": "静音", "contrast": "高对比度"}
    assert toggle_labels(Preferences(elderly=True, locale="en", muted=True)) == {
        "elderly": "标准模式", "language": "中文", "mute": "取消静音", "contrast": "高对比度"}


def test_each_toggle_changes_the_session(show: Any) -> None:
    store = PreferenceStore()
    heard: list[Preferences] = []
    store.subscribe(heard.append)
    bar = _bar(show, store)
    assert [b.text for b in bar.buttons.values()] == ["长者模式", "English", "静音", "高对比度"]

    tap(bar.buttons["elderly"])
    assert store.current.elderly and bar.buttons["elderly"].text == "标准模式"
    assert bar.buttons["elderly"].background_color == list(hex_rgba(STANDARD.primary))

    tap(bar.buttons["language"])
    assert store.current.locale == "en"
    assert bar.buttons["language"].text == "中文"
    assert bar.buttons["elderly"].text == "Standard text"
    assert bar.buttons["mute"].text == "Mute"

    tap(bar.buttons["mute"])
    assert store.current.muted and bar.buttons["mute"].text == "Sound on"

    tap(bar.buttons["contrast"])
    assert store.current.high_contrast
    assert len(heard) == 4

    store.reset()  # the session wipe
    assert store.current == Preferences()


def test_the_bar_in_elderly_high_contrast_english(show: Any) -> None:
    store = PreferenceStore(Preferences(elderly=True, high_contrast=True, locale="en"))
    bar = _bar(show, store)
    assert [b.text for b in bar.buttons.values()] == ["Standard text", "中文", "Mute",
                                                      "High contrast"]
    tap(bar.buttons["elderly"])
    assert store.current == Preferences(high_contrast=True, locale="en")
