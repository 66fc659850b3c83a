"""Journeys in real headless Chromium (Debian's chromium + chromedriver through Selenium):
an admin logs in and sees the fleet; a terminal's printer runs out of paper and its row turns
amber on the open page without a reload; an operator acknowledges the alert and puts the
terminal out of service; the audit log shows each step; a read-only user sees no buttons.
Screenshots of each page at 1920x1080 go to var/screenshots/console/.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from kiosk.platform.console_client import ConsoleClient, event
from kiosk.platform.models import WireDeviceReport, WireHeartbeatReport
from tests.browser import (
    attribute_of,
    browser,
    login,
    logout,
    shot,
    text_of,
    wait_for_element,
    wait_for_text,
    wait_until,
)
from tests.console.helpers import Console

__all__ = ["browser"]
#: The fleet page polls every 3 s; allow for a loaded machine.
LIVE_WAIT_SECONDS = 20

pytestmark = pytest.mark.slow


def _report(paper: str) -> WireHeartbeatReport:
    return WireHeartbeatReport(app_version="0.1.0", bundle_version="2026.11.3", devices={
        "printer": WireDeviceReport(state="ready", supplies=paper),
        "id_reader": WireDeviceReport(state="ready", supplies="n/a"),
        "camera": WireDeviceReport(state="ready", supplies="n/a")},
        outbox_depth=0, sessions=23, ratings=9,
        last_update={"outcome": "ok", "version": "2026.11.3"})


def _fleet(console: Console) -> dict[str, ConsoleClient]:
    clients = {}
    for tid, district, site in (
            ("BJ-HD-0001", "海淀区", "中关村街道政务服务中心"),
            ("BJ-HD-0002", "海淀区", "中关村街道政务服务中心"),
            ("BJ-HD-0101", "海淀区", "学院路街道便民服务站"),
            ("BJ-CY-0001", "朝阳区", "望京街道便民服务中心"),
            ("BJ-CY-0002", "朝阳区", "望京街道便民服务中心")):
        token = console.enrol(tid, district=district, site=site, group="大厅")
        clients[tid] = ConsoleClient(console.url, tid, token)
    for tid, client in clients.items():
        if tid != "BJ-CY-0002":  # never reports: offline
            client.heartbeat(_report("ok"))
    clients["BJ-HD-0101"].events([event("device_fault", "camera", "摄像头无响应")])
    return clients


def test_paper_out_alert_acknowledged_out_of_service_audited(
        console: Console, browser: WebDriver) -> None:
    console.add_user("admin1", "admin")
    console.add_user("yunwei", "operator")
    console.add_user("guancha", "viewer")
    clients = _fleet(console)
    driver = browser

    login(driver, console.url, "admin1", shot_name="01-login")
    assert "终端总览" in driver.page_source
    # htmx swaps the fleet table every few seconds: every read is one script, never a handle
    assert attribute_of(driver, "terminal-BJ-HD-0001", "data-status") == "online"
    assert attribute_of(driver, "terminal-BJ-CY-0002", "data-status") == "offline"
    assert attribute_of(driver, "terminal-BJ-HD-0101", "data-status") == "degraded"
    shot(driver, "02-fleet")

    driver.execute_script("window.__notReloaded = true;")
    clients["BJ-HD-0001"].events([event("paper_out", "printer", "纸盒空")])
    # htmx settles a swapped row's class ~20 ms after its data attributes
    # (htmx.config.attributesToSettle): read the row only once its class is the new one
    row_js = ("const r = document.getElementById('terminal-BJ-HD-0001');"
              "return r && r.classList.contains('status-' + r.dataset.status)"
              " && [r.dataset.status, r.innerText,"
              " getComputedStyle(r.querySelector('td')).backgroundColor];")

    def degraded_row() -> list[str] | None:
        row = driver.execute_script(row_js)
        return row if row and row[0] == "degraded" else None

    status, text, background = wait_until(driver, degraded_row, LIVE_WAIT_SECONDS,
                                          "the row to turn degraded")
    assert driver.execute_script("return window.__notReloaded === true;")
    assert status == "degraded"
    assert background == "rgb(255, 244, 222)"  # amber row
    assert "缺纸" in text
    shot(driver, "03-fleet-paper-out-live")
    logout(driver)

    login(driver, console.url, "yunwei")
    driver.get(f"{console.url}/alerts")
    alert_row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "#alerts tbody tr")
                     if "BJ-HD-0001" in r.text)
    assert "缺纸" in alert_row.text
    shot(driver, "04-alerts-open")
    alert_row.find_element(By.CSS_SELECTOR, "button.ack").click()
    WebDriverWait(driver, 15).until(ec.staleness_of(alert_row))  # the answer page replaced it
    driver.get(f"{console.url}/alerts?state=acknowledged")
    assert "已确认（yunwei）" in text_of(driver, "alerts")

    driver.get(f"{console.url}/terminals/BJ-HD-0001")
    driver.find_element(By.CSS_SELECTOR, "#command-kind option[value='out_of_service']").click()
    driver.find_element(By.NAME, "message").send_keys("打印机缺纸，请到3号窗口办理")
    driver.find_element(By.ID, "command-send").click()  # a form post: a new page comes
    wait_for_text(driver, "commands", "待领取")
    commands = clients["BJ-HD-0001"].heartbeat(_report("out"))
    assert [c.kind for c in commands] == ["out_of_service"]
    clients["BJ-HD-0001"].ack(commands[0].id, True, "out-of-service screen shown")
    driver.refresh()
    assert "已完成" in text_of(driver, "commands")
    assert text_of(driver, "terminal-status") == "暂停服务"
    shot(driver, "05-terminal-out-of-service")
    logout(driver)

    login(driver, console.url, "admin1")
    driver.get(f"{console.url}/enrol")
    form = driver.find_element(By.ID, "enrol-form")
    for name, value in (("terminal_id", "BJ-XC-0001"), ("district", "西城区"),
                        ("site", "金融街街道便民服务中心"), ("group_name", "大厅")):
        form.find_element(By.NAME, name).send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait_for_element(driver, By.ID, "enrolment-bundle")
    bundle = text_of(driver, "enrolment-bundle")
    assert 'terminal_id = "BJ-XC-0001"' in bundle and "token_file = " in bundle
    assert len(text_of(driver, "enrolment-token")) >= 32
    shot(driver, "09-enrol-bundle")
    driver.get(f"{console.url}/notifications")
    assert "尚未配置群机器人" in driver.page_source
    shot(driver, "10-notifications")
    driver.get(f"{console.url}/users")
    shot(driver, "11-users")
    driver.get(f"{console.url}/audit")
    audit_text = text_of(driver, "audit")
    for step in ("login", "alert_acknowledge", "command_out_of_service", "logout",
                 "terminal_enrol", "确认告警", "远程暂停服务", "登记终端"):
        assert step in audit_text
    assert "yunwei" in audit_text and "127.0.0.1" in audit_text
    shot(driver, "06-audit")
    logout(driver)

    login(driver, console.url, "guancha")
    driver.get(f"{console.url}/alerts?state=all")
    assert driver.find_elements(By.CSS_SELECTOR, "button.ack") == []
    driver.get(f"{console.url}/terminals/BJ-HD-0101")
    assert driver.find_elements(By.ID, "command-form") == []
    assert "您的角色不能进行远程操作" in driver.page_source
    shot(driver, "07-viewer-terminal")
    driver.get(f"{console.url}/audit")
    assert "您的角色没有执行此操作的权限" in driver.page_source
    shot(driver, "08-viewer-refused")
