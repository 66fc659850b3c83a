"""What elderly mode, high contrast, language and sound choices imply, and the reset at wipe."""

from __future__ import annotations

import pytest

from kiosk.core.accessibility import (
    ELDERLY_TEXT_SCALE,
    LOCALES,
    PaletteName,
    Preferences,
    PreferenceStore,
)
from kiosk.ui.theme import ELDERLY_SCALE, metrics_for


def test_defaults_are_standard_chinese_with_sound() -> None:
    prefs = Preferences()
    assert (prefs.elderly, prefs.high_contrast, prefs.locale, prefs.muted) == \
        (False, False, "zh-CN", False)
    assert prefs.text_scale == 1.0
    assert prefs.palette is PaletteName.STANDARD


def test_elderly_mode_means_larger_fewer_longer_slower() -> None:
    standard, elderly = Preferences(), Preferences(elderly=True)
    assert elderly.text_scale >= 1.5
    assert elderly.home_columns < standard.home_columns
    assert (standard.home_columns, elderly.home_columns) == (3, 2)
    assert elderly.home_page_size < standard.home_page_size
    assert (standard.records_page_size, elderly.records_page_size) == (10, 5)
    assert elderly.options_per_page < standard.options_per_page
    assert elderly.pinyin_candidates_per_page < standard.pinyin_candidates_per_page
    assert elderly.timeout_seconds(120) == 240 and standard.timeout_seconds(120) == 120
    for locale in LOCALES:
        assert elderly.with_locale(locale).speech_rate_wpm < \
            standard.with_locale(locale).speech_rate_wpm


def test_text_scale_agrees_with_the_theme() -> None:
    assert ELDERLY_TEXT_SCALE == ELDERLY_SCALE
    elderly = metrics_for(1080, elderly=Preferences(elderly=True).elderly)
    assert elderly.font(34) / metrics_for(1080).font(34) >= 1.5


def test_high_contrast_and_sound() -> None:
    prefs = Preferences().with_high_contrast(True).with_muted(True).with_volume(140)
    assert prefs.palette is PaletteName.HIGH_CONTRAST
    assert prefs.volume == 100 and prefs.effective_volume == 0
    assert prefs.with_muted(False).effective_volume == 100
    assert Preferences().with_volume(-5).volume == 0


def test_language_toggle_cycles() -> None:
    prefs = Preferences()
    assert prefs.next_locale().locale == "en"
    assert prefs.next_locale().next_locale().locale == "zh-CN"


def test_bad_values_are_refused() -> None:
    with pytest.raises(ValueError):
        Preferences(locale="fr")
    with pytest.raises(ValueError):
        Preferences(volume=101)


def test_store_tells_listeners_and_resets_at_wipe() -> None:
    store = PreferenceStore()
    heard: list[Preferences] = []
    store.subscribe(heard.append)
    store.update(lambda p: p.with_elderly(True))
    store.update(lambda p: p.with_locale("en"))
    store.update(lambda p: p.with_locale("en"))  # no change, no call
    assert store.current == Preferences(elderly=True, locale="en")
    assert len(heard) == 2
    store.reset()  # the session wipe
    assert store.current == Preferences()
    assert heard[-1] == Preferences()


def test_site_defaults_survive_the_reset() -> None:
    site = Preferences(elderly=True)  # e.g. a terminal in an elderly-care centre
    store = PreferenceStore(site)
    store.update(lambda p: p.with_elderly(False).with_muted(True))
    assert store.reset() == site


def test_session_timeouts_stretch_in_elderly_mode() -> None:
    from kiosk.core.accessibility import stretch_timing
    from kiosk.core.session import SessionTiming

    base = SessionTiming()
    stretched = stretch_timing(base, Preferences(elderly=True))
    assert stretched.idle_timeout_seconds == base.idle_timeout_seconds * 2
    assert stretched.still_there_countdown_seconds == base.still_there_countdown_seconds * 2
    assert stretched.hard_cap_seconds == base.hard_cap_seconds * 2
    assert stretch_timing(base, Preferences()) is base


def test_unsubscribe() -> None:
    store = PreferenceStore()
    heard: list[Preferences] = []
    store.subscribe(heard.append)
    store.unsubscribe(heard.append)
    store.update(lambda p: p.with_muted(True))
    assert heard == []
