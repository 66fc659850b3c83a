"""In real headless Chromium: an admin opens 告警规则 from the menu, types a threshold that is
not a number, and gets the page back with the reason beside the field and nothing saved; with
a good value the page says 已保存. Screenshots: var/screenshots/console/alert-rules-refused.png
and alert-rules.png."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from kiosk.console.models import AlertSetting
from tests.console.helpers import Console
from tests.console.test_browser_journeys import _login, _shot, browser

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
    _login(browser, console.url, "admin1")
    browser.find_element(By.LINK_TEXT, "告警规则").click()
    WebDriverWait(browser, 15).until(ec.url_contains("/settings/alerts"))
    _set(browser, "offline_after_minutes", "十分钟")
    problem = WebDriverWait(browser, 15).until(
        ec.presence_of_element_located((By.ID, "problem-offline_after_minutes")))
    assert problem.text == "离线判定必须是整数（2 到 1440 分钟）。"
    assert "没有保存任何更改" in browser.find_element(By.ID, "rules-message").text
    _shot(browser, "alert-rules-refused")
    with console.sessions() as db:
        assert db.scalars(select(AlertSetting)).all() == []
    _set(browser, "offline_after_minutes", "10")
    WebDriverWait(browser, 15).until(
        ec.text_to_be_present_in_element((By.ID, "rules-message"), "已保存"))
    assert browser.find_element(By.NAME, "offline_after_minutes").get_attribute("value") == "10"
    _shot(browser, "alert-rules")
    with console.sessions() as db:
        stored = {s.name: s.value for s in db.scalars(select(AlertSetting))}
    assert stored["offline_after_minutes"] == "10"
