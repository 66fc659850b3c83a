"""In real headless Chromium: an admin opens 告警规则 from the menu, types a threshold that is
not a number, and gets the page back with the reason beside the field and nothing saved; with
a good value the page says 已保存. Screenshots: var/screenshots/console/alert-rules-refused.png
and alert-rules.png."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select

from kiosk.console.models import AlertSetting
from tests.browser import (
    attribute_at,
    browser,
    login,
    shot,
    text_of,
    wait_for_element,
    wait_for_text,
    wait_for_url,
)
from tests.console.helpers import Console

__all__ = ["browser"]
pytestmark = pytest.mark.slow


def _set(browser: WebDriver, name: str, value: str) -> None:
    field = browser.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "#alert-rules-form button[type=submit]").click()


def test_admin_sets_thresholds_and_a_bad_one_is_refused(console: Console,
                                                        browser: WebDriver) -> None:
    console.add_user("admin1", "admin")
    login(browser, console.url, "admin1")
    browser.find_element(By.LINK_TEXT, "告警规则").click()
    wait_for_url(browser, "/settings/alerts")
    _set(browser, "offline_after_minutes", "十分钟")
    wait_for_element(browser, By.ID, "problem-offline_after_minutes")
    problem = text_of(browser, "problem-offline_after_minutes")
    assert problem == "离线判定必须是整数（2 到 1440 分钟）。"
    assert "没有保存任何更改" in text_of(browser, "rules-message")
    shot(browser, "alert-rules-refused")
    with console.sessions() as db:
        assert db.scalars(select(AlertSetting)).all() == []
    _set(browser, "offline_after_minutes", "10")
    wait_for_text(browser, "rules-message", "已保存")
    assert attribute_at(browser, "input[name=offline_after_minutes]", "value") == "10"
    shot(browser, "alert-rules")
    with console.sessions() as db:
        stored = {s.name: s.value for s in db.scalars(select(AlertSetting))}
    assert stored["offline_after_minutes"] == "10"
