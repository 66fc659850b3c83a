"""Headless Chromium for the browser tests, in one place (docs/adr/0800): the driver (Debian's
/usr/bin/chromium and /usr/bin/chromedriver, no downloads), screenshots, console login and
logout, and reads that survive the page changing under them.

Why the reads are special: htmx swaps parts of a page (the fleet table every few seconds) and a
form post navigates to a new page, so an element handle found a moment ago can point at a node
that is gone. Chrome then answers either StaleElementReferenceException or a bare
WebDriverException ("Node with given id does not belong to the document"), and WebDriverWait
ignores neither by default. So a read here is one `execute_script` that finds the element and
reads it in the same step ("" when it is absent or hidden, like Selenium's `.text`), and a wait
finds everything again on each poll and treats those errors as "not yet".

Fixtures: `browser` (plain) and `media_browser` (fake camera and microphone, for 视频帮办);
tests that need other flags (a pinned certificate) use `chromium(*extra_args)` themselves.
A test module imports the fixture it uses and lists it in ``__all__``.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from kiosk import REPO_ROOT
from tests.console.helpers import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: Where the console pages' screenshots go.
SHOTS = REPO_ROOT / "var" / "screenshots" / "console"
BASE_ARGS = ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
             "--window-size=1920,1080", "--lang=zh-CN")
#: A fake camera and microphone, permission granted, video plays without a gesture.
MEDIA_ARGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--autoplay-policy=no-user-gesture-required")
#: How long a wait for the page lasts unless a test says otherwise (a loaded 2-core machine).
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.25
#: Words of Chrome's answers that mean "the node or the page was replaced while you read it".
_REPLACED = ("does not belong to the document", "stale element",
             "execution context was destroyed", "cannot find context with specified id",
             "document unloaded", "node with given id")
T = TypeVar("T")


@contextmanager
def chromium(*extra_args: str) -> Iterator[WebDriver]:
    """Headless Chromium showing pages at 1920x1080 (zh-CN), with `extra_args` added."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.fail("chromium and chromium-driver are needed: apt-get install chromium "
                    "chromium-driver (scripts/setup.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (*BASE_ARGS, *extra_args):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Headless Chromium at 1920x1080."""
    with chromium() as driver:
        yield driver


@pytest.fixture
def media_browser() -> Iterator[WebDriver]:
    """Headless Chromium at 1920x1080 with a fake camera and microphone, permission granted."""
    with chromium(*MEDIA_ARGS) as driver:
        yield driver


def shot(driver: WebDriver, name: str, folder: Path = SHOTS) -> Path:
    """Save a screenshot of the page as `folder`/`name`.png and check it is not empty."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000, path
    return path


def not_yet(exc: Exception) -> bool:
    """Whether `exc` only says "not there yet": the element is missing, or it or its page was
    replaced while it was being read."""
    if isinstance(exc, StaleElementReferenceException | NoSuchElementException):
        return True
    return isinstance(exc, WebDriverException) and any(
        word in str(exc).lower() for word in _REPLACED)


def wait_until(driver: WebDriver, predicate: Callable[[], T], timeout: float = WAIT_SECONDS,
               what: str = "the page") -> T:
    """Poll `predicate` until it returns something truthy (and return that). Each poll must find
    its elements again; a poll that hits a replaced node or page counts as "not yet"."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        try:
            value = predicate()
            if value:
                return value
            last = value
        except WebDriverException as exc:
            if not not_yet(exc):
                raise
            last = exc
        if time.monotonic() >= deadline:
            raise TimeoutException(f"waited {timeout:.0f} s for {what} "
                                   f"(at {driver.current_url}); last: {last!r}")
        time.sleep(POLL_SECONDS)


def _script(driver: WebDriver, script: str, *args: object) -> object:
    """Run `script`, again (for up to a few seconds) if a navigation destroyed its page."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return driver.execute_script(script, *args)
        except WebDriverException as exc:
            if not not_yet(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(POLL_SECONDS)


#: The visible text of the element matching a CSS selector ("" when absent or not shown),
#: with what Selenium's `.text` also does: no-break spaces as spaces, ends trimmed.
_TEXT_JS = """
const e = document.querySelector(arguments[0]);
if (!e || !e.checkVisibility({visibilityProperty: true})) return '';
return e.innerText.replace(/\\u00a0/g, ' ').trim();
"""
_ATTRIBUTE_JS = """
const e = document.querySelector(arguments[0]);
if (!e) return '';
const v = arguments[1] === 'value' ? e.value : e.getAttribute(arguments[1]);
return v === null || v === undefined ? '' : String(v);
"""


def _by_id(element_id: str) -> str:
    return f'[id="{element_id}"]'


def text_at(driver: WebDriver, selector: str) -> str:
    """The visible text of the first element matching CSS `selector`, read in one step."""
    return str(_script(driver, _TEXT_JS, selector))


def text_of(driver: WebDriver, element_id: str) -> str:
    """The visible text of the element with id `element_id`, read in one step ("" if absent)."""
    return text_at(driver, _by_id(element_id))


def attribute_at(driver: WebDriver, selector: str, name: str) -> str:
    """Attribute `name` (the live value for "value") of the first element matching CSS
    `selector`, read in one step ("" if absent)."""
    return str(_script(driver, _ATTRIBUTE_JS, selector, name))


def attribute_of(driver: WebDriver, element_id: str, name: str) -> str:
    """Attribute `name` (the live value for "value") of element `element_id` ("" if absent)."""
    return attribute_at(driver, _by_id(element_id), name)


def wait_for_text(driver: WebDriver, element_id: str, needle: str,
                  timeout: float = WAIT_SECONDS, *, exact: bool = False) -> str:
    """Wait until element `element_id` shows `needle` (or exactly `needle`); its text."""
    def shown() -> str:
        text = text_of(driver, element_id)
        return text if (text == needle if exact else needle in text) else ""
    return wait_until(driver, shown, timeout, f"{needle!r} in #{element_id}")


def wait_for_url(driver: WebDriver, part: str, timeout: float = WAIT_SECONDS) -> None:
    """Wait until the page's address contains `part`."""
    wait_until(driver, lambda: part in driver.current_url, timeout, f"an address with {part!r}")


def wait_for_element(driver: WebDriver, by: str, value: str,
                     timeout: float = WAIT_SECONDS) -> None:
    """Wait until an element matching (`by`, `value`) is on the page."""
    wait_until(driver, lambda: driver.find_elements(by, value), timeout, f"{by} {value!r}")


def login(driver: WebDriver, url: str, username: str, *, password: str = PASSWORD,
          shot_name: str = "") -> None:
    """Log in to the console at `url` and land on the fleet page."""
    driver.get(f"{url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    if shot_name:
        shot(driver, shot_name)
    driver.find_element(By.ID, "login-button").click()
    wait_for_url(driver, "/fleet")


def logout(driver: WebDriver) -> None:
    """Log out of the console and land on the login page."""
    driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait_for_url(driver, "/login")
