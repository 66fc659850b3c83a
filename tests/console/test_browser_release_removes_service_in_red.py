"""A release journey in real headless Chromium: the admin creates a signing key, switches the
repository to two-person signing, uploads a bundle that drops a service and sees the removal in
red; the admin signs; the 审核 logs in, signs and publishes; the published TUF folder then holds
the new version. Screenshots go to var/screenshots/console/release-*.png.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser import (
    browser,
    login,
    logout,
    shot,
    text_at,
    text_of,
    wait_for_element,
    wait_for_text,
)
from tests.console.test_release_needs_two_people import (  # noqa: F401
    PASSPHRASES,
    Rig,
    rig,
)
from tests.updates.conftest import SERVICES

__all__ = ["browser"]
pytestmark = pytest.mark.slow


def _create_key(driver: WebDriver, name: str) -> None:
    driver.get(driver.current_url.split("/fleet")[0] + "/releases")
    form = driver.find_element(By.ID, "key-form")
    form.find_element(By.NAME, "passphrase").send_keys(PASSPHRASES[name])
    form.find_element(By.NAME, "confirm").send_keys(PASSPHRASES[name])
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_element(driver, By.ID, "my-key")


def _sign(driver: WebDriver, name: str) -> None:
    form = driver.find_element(By.ID, "sign-form")
    form.find_element(By.NAME, "passphrase").send_keys(PASSPHRASES[name])
    form.find_element(By.NAME, "confirm_removal").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_text(driver, "signatures", name)


def test_admin_and_approver_publish_a_release_in_the_browser(rig: Rig,  # noqa: F811
                                                             browser: WebDriver) -> None:
    from kiosk.updates.repository import Audience

    rig.repo.publish(rig.build(1), [Audience("all")])
    rig.console.add_user("wang", "admin")
    rig.console.add_user("li", "approver")
    url = rig.console.url

    login(browser, url, "li")
    _create_key(browser, "li")
    logout(browser)

    login(browser, url, "wang")
    _create_key(browser, "wang")
    browser.find_element(By.CSS_SELECTOR, "form[action='/releases/two-person'] button").click()
    wait_for_text(browser, "two-person", "已启用双人签名")
    archive = rig.build(2, drop=SERVICES[0])
    form = browser.find_element(By.ID, "upload-form")
    form.find_element(By.NAME, "bundle").send_keys(str(archive))
    audience = form.find_element(By.NAME, "audience")
    audience.clear()
    audience.send_keys("all")  # published straight to every terminal, no staged rollout
    shot(browser, "release-upload")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for_element(browser, By.ID, "removed-warning", timeout=60)
    assert "移除 1 个事项" in text_of(browser, "removed-warning")
    assert SERVICES[0] in text_at(browser, "#diff tr.removed")
    color = browser.execute_script(
        "return getComputedStyle(document.querySelector('#diff tr.removed')).color;")
    assert color in ("rgba(180, 35, 24, 1)", "rgb(180, 35, 24)")
    release_url = browser.current_url
    shot(browser, "release-diff")
    _sign(browser, "wang")
    assert not browser.find_elements(By.ID, "publish-form")
    logout(browser)

    login(browser, url, "li")
    browser.get(release_url)
    _sign(browser, "li")
    browser.find_element(By.CSS_SELECTOR, "#publish-form button").click()
    wait_for_text(browser, "state", "已发布", timeout=30)
    shot(browser, "release-published")
    assert rig.repo.latest_version() == 2
    assert rig.repo.channels()["channels/all/current.json"] == 2
