"""In real headless Chromium: a month of reports from two terminals fills the 统计 page; an
operator opens it from the menu, marks a 差评 已整改 with its button, and the page says so;
a viewer sees the same figures and no button. Screenshot: var/screenshots/console/stats.png."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from kiosk.platform.console_client import ConsoleClient
from tests.console.helpers import Console
from tests.console.test_browser_journeys import _login, _logout, _shot, browser

__all__ = ["browser"]
pytestmark = pytest.mark.slow


def test_operator_rectifies_a_bad_rating_in_the_browser(console: Console,
                                                        browser: WebDriver) -> None:
    now = datetime.now(UTC).isoformat()
    for tid, site, scores in (("BJ-HD-0001", "中关村街道政务服务中心", (5, 5, 4, 1)),
                              ("BJ-CY-0001", "望京街道便民服务中心", (5, 3, 2))):
        client = ConsoleClient(console.url, tid, console.enrol(tid, site=site))
        records = [{"kind": "session", "occurred_at": now}] * len(scores)
        records += [{"kind": "completed", "service": "hukou-certificate", "occurred_at": now}]
        records += [{"kind": "rating", "service": "hukou-certificate", "score": s,
                     "occurred_at": now, **({"category": "device"} if s <= 2 else {})}
                    for s in scores]
        assert client.usage(records) == len(records)
    console.add_user("op1", "operator")
    console.add_user("viewer1", "viewer")

    _login(browser, console.url, "op1")
    browser.find_element(By.LINK_TEXT, "统计").click()
    WebDriverWait(browser, 15).until(ec.url_contains("/stats"))
    assert browser.find_element(By.ID, "sessions").text == "7"
    assert browser.find_element(By.ID, "ratings-total").text == "7"
    assert browser.find_element(By.ID, "satisfaction").text == "71.4%"
    rows = browser.find_elements(By.CSS_SELECTOR, "#bad tbody tr")
    assert len(rows) == 2 and all("待整改" in r.text and "设备故障" in r.text for r in rows)
    _shot(browser, "stats")
    rows[0].find_element(By.TAG_NAME, "button").click()
    WebDriverWait(browser, 15).until(lambda d: "已整改" in d.find_element(
        By.CSS_SELECTOR, "#bad tbody tr .status").text)
    assert "标为待整改" in browser.find_element(By.CSS_SELECTOR, "#bad tbody tr").text
    _shot(browser, "stats-rectified")
    _logout(browser)

    _login(browser, console.url, "viewer1")
    browser.get(f"{console.url}/stats")
    assert browser.find_element(By.ID, "ratings-total").text == "7"
    assert not browser.find_elements(By.CSS_SELECTOR, "#bad button")
    statuses = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#bad .status")]
    assert sorted(statuses) == sorted(["已整改", "待整改"])
