"""长者模式, 中文|English and 静音 through touches on the real UI; all reset at the wipe."""

from __future__ import annotations

import pytest

from kiosk.ui.theme import ELDERLY_SCALE
from tests.ui.conftest import RunningKiosk

pytestmark = pytest.mark.slow

SERVICE = "social-insurance-payments"


def _identify(kiosk: RunningKiosk) -> None:
    kiosk.present_id_card("worker")


def test_elderly_mode_from_the_attract_screen_enlarges_text_and_slows_timeouts(
        kiosk: RunningKiosk) -> None:
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    standard_font = app.screens["home"].search_button.font_size
    standard_idle = parts.lifecycle.timing.idle_timeout_seconds
    driver.tap(app.screens["attract"].bar.buttons["elderly"])
    driver.wait_for(lambda: parts.prefs.current.elderly, what="elderly on")
    assert app.manager.current == "attract"  # a toggle does not start a session
    assert parts.lifecycle.session is None
    _identify(kiosk)
    driver.wait_for_screen("home")
    home = app.screens["home"]
    assert home.search_button.font_size >= standard_font * ELDERLY_SCALE * 0.99
    assert parts.lifecycle.timing.idle_timeout_seconds >= standard_idle * 2
    kiosk.back_to_attract()
    assert not parts.prefs.current.elderly  # the next resident starts in the standard mode
    assert app.screens["home"].search_button.font_size == standard_font


def test_language_switch_on_a_step_screen_redraws_it_in_english(kiosk: RunningKiosk) -> None:
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    _identify(kiosk)
    driver.wait_for_screen("home")
    driver.tap(app.screens["home"].tile_buttons[SERVICE])
    driver.wait_for_screen("step_records")
    chinese_service = app.screens["step_records"].header.title.text
    driver.tap(app.screens["step_records"].header.accessibility.buttons["language"])
    driver.wait_for(lambda: parts.prefs.current.locale == "en", what="english")
    driver.wait_for_screen("step_records")
    records = app.screens["step_records"]
    assert records.header.title.text != chinese_service
    assert records.header.title.text.isascii()  # the service's own English title
    assert records.header.back_button.text == "Back"
    assert records.buttons["next"].text.isascii()
    kiosk.back_to_attract()
    assert parts.prefs.current.locale == "zh-CN"
    assert app.screens["home"].header.back_button.text == "返回"


def test_mute_stops_speech_and_prompts_are_spoken_otherwise(kiosk: RunningKiosk) -> None:
    driver, app, parts = kiosk.driver, kiosk.app, kiosk.parts
    voice = parts.voice
    assert voice is not None
    _identify(kiosk)
    driver.wait_for_screen("home")
    spoken = sorted(voice.cache_dir.glob("*.wav"))
    assert spoken, "the home screen's prompt was turned into speech"
    driver.tap(app.screens["home"].header.accessibility.buttons["mute"])
    driver.wait_for(lambda: parts.prefs.current.muted, what="muted")
    assert voice.muted
