"""The whole journey with a real kiosk *process* (issue 17, docs/adr/0703): a headless kiosk
started as `kiosk run` composes it (`console_kiosk_runner`, SDL offscreen, demo devices) reports
to a console under test over mutual TLS with its own certificate. In headless Chromium an admin
adds a group-robot webhook; an operator watches the fleet page; the kiosk's simulated receipt
printer runs out of paper and its row turns amber without a reload; the alert reaches the
webhook receiver; the operator acknowledges it and puts the terminal out of service from its
page; the kiosk process shows the out-of-service screen with the operator's message (a
screenshot from the kiosk process); the audit log shows each step.

Screenshots (1920x1080) go to var/screenshots/console/kiosk-process-*.png.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import (
    SHOTS,
    chromium,
    login,
    logout,
    shot,
    text_of,
    wait_for_element,
    wait_for_text,
    wait_until,
)
from tests.console.kiosk_process import KioskProcess, kiosk_env
from tests.console.mtls import TlsConsole, tls_console

pytestmark = pytest.mark.slow  # a kiosk process, a console, Chromium (~60 s)

TERMINAL = "BJ-CY-0042"
MESSAGE = "凭条打印机缺纸，请到3号窗口办理"
#: Bounds for what travels kiosk -> console -> page (the page polls every 3 s; a loaded
#: machine); not timing assertions.
LIVE_WAIT_SECONDS = 45


class _Robot(ThreadingHTTPServer):
    """A WeCom group robot on loopback: records what it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RobotHandler)
        self.received: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/cgi-bin/webhook/send?key=k-42"


class _RobotHandler(BaseHTTPRequestHandler):
    server: _Robot

    def do_POST(self) -> None:
        self.server.received.append(json.loads(self.rfile.read(
            int(self.headers["Content-Length"]))))
        answer = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def robot() -> Iterator[_Robot]:
    server = _Robot()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[TlsConsole]:
    with tls_console(tmp_path) as served:
        yield served


def _spki(cert_file: Path) -> str:
    """Chromium's pin for one certificate: base64 SHA-256 of its public key info."""
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    der = cert.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode("ascii")


@pytest.fixture
def browser(fleet: TlsConsole, tmp_path: Path) -> Iterator[WebDriver]:
    """Headless Chromium at 1920x1080 trusting exactly the console's certificate."""
    pin = _spki(fleet.folder / "console" / "server.pem")
    with chromium(f"--user-data-dir={tmp_path}/chrome",
                  f"--ignore-certificate-errors-spki-list={pin}") as driver:
        yield driver


@pytest.fixture
def kiosk(fleet: TlsConsole, tmp_path: Path) -> Iterator[KioskProcess]:
    fleet.console.enrol(TERMINAL, district="朝阳区", site="望京街道便民服务中心", group="大厅")
    creds = fleet.certificate(TERMINAL)
    process = KioskProcess(kiosk_env(tmp_path / "kiosk", TERMINAL, fleet.url, creds))
    try:
        yield process
    finally:
        try:
            process.stop()
        finally:
            process.kill()


def _shot(driver: WebDriver, name: str) -> Path:
    return shot(driver, f"kiosk-process-{name}")


def _login(driver: WebDriver, url: str, username: str) -> None:
    login(driver, url, username, password="correct-horse-42")


#: The fleet row, read once htmx has settled its class (the new class lands ~20 ms after the
#: new data attributes: htmx.config.attributesToSettle).
ROW_JS = ("const r = document.getElementById('terminal-" + TERMINAL + "');"
          "return r && r.classList.contains('status-' + r.dataset.status)"
          " && [r.dataset.status, r.innerText,"
          " getComputedStyle(r.querySelector('td')).backgroundColor];")


def test_paper_out_alert_webhook_ack_out_of_service_on_the_kiosk(
        fleet: TlsConsole, kiosk: KioskProcess, browser: WebDriver, robot: _Robot) -> None:
    console, driver, url = fleet.console, browser, fleet.url
    console.add_user("admin1", "admin")
    console.add_user("yunwei", "operator")

    _login(driver, url, "admin1")
    driver.get(f"{url}/notifications")
    form = driver.find_element(By.ID, "webhook-form")
    form.find_element(By.NAME, "name").send_keys("朝阳区运维群")
    form.find_element(By.NAME, "url").send_keys(robot.url)
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait_until(driver, lambda: "朝阳区运维群" in driver.page_source, what="the webhook saved")
    logout(driver)

    _login(driver, url, "yunwei")
    wait_until(driver, lambda: (driver.execute_script(ROW_JS) or [""])[0] == "online",
               LIVE_WAIT_SECONDS, "the row online")
    _shot(driver, "01-fleet-online")
    driver.execute_script("window.__notReloaded = true;")

    assert kiosk.send("paper out", "paper out") == "paper out"

    def degraded_row() -> list[str] | None:
        row = driver.execute_script(ROW_JS)
        return row if row and row[0] == "degraded" else None

    status, text, background = wait_until(driver, degraded_row, LIVE_WAIT_SECONDS,
                                          "the row to turn degraded")
    assert driver.execute_script("return window.__notReloaded === true;")
    assert status == "degraded"
    assert background == "rgb(255, 244, 222)"  # amber
    assert "缺纸" in text
    _shot(driver, "02-fleet-paper-out-live")

    wait_until(driver, lambda: any(TERMINAL in json.dumps(m, ensure_ascii=False)
                                   for m in robot.received), LIVE_WAIT_SECONDS, "the robot")
    notice = json.dumps(robot.received[0], ensure_ascii=False)
    assert "msgtype" in robot.received[0] and "缺纸" in notice

    driver.get(f"{url}/alerts")
    alert_row = next(r for r in driver.find_elements(By.CSS_SELECTOR, "#alerts tbody tr")
                     if TERMINAL in r.text)
    _shot(driver, "03-alert-open")
    alert_row.find_element(By.CSS_SELECTOR, "button.ack").click()
    WebDriverWait(driver, 15).until(ec.staleness_of(alert_row))
    driver.get(f"{url}/alerts?state=acknowledged")
    assert "已确认（yunwei）" in text_of(driver, "alerts")

    driver.get(f"{url}/terminals/{TERMINAL}")
    driver.find_element(By.CSS_SELECTOR, "#command-kind option[value='out_of_service']").click()
    driver.find_element(By.NAME, "message").send_keys(MESSAGE)
    driver.find_element(By.ID, "command-send").click()  # a form post: a new page comes
    wait_for_text(driver, "commands", "暂停服务")  # the post's answer page lists the command

    def done() -> bool:
        driver.refresh()
        return "已完成" in text_of(driver, "commands")

    wait_until(driver, done, LIVE_WAIT_SECONDS, "the command done")
    assert text_of(driver, "terminal-status") == "暂停服务"
    _shot(driver, "04-terminal-out-of-service")

    wait_until(driver, lambda: kiosk.screen() == "out_of_service", LIVE_WAIT_SECONDS,
               "the kiosk's out-of-service screen")
    kiosk_shot = SHOTS / "kiosk-process-05-kiosk-screen-out-of-service.png"
    assert kiosk.send(f"shot {kiosk_shot}", "shot ") == f"shot {kiosk_shot}"
    assert kiosk_shot.stat().st_size > 20_000
    logout(driver)

    _login(driver, url, "admin1")
    driver.get(f"{url}/audit")
    audit_text = text_of(driver, "audit")
    for step in ("添加告警通知", "确认告警", "远程暂停服务", "yunwei", "admin1", "127.0.0.1"):
        assert step in audit_text, step
    _shot(driver, "06-audit")

    driver.get(f"{url}/enrol")  # the mutual-TLS bundle: the URL, the id and the fleet CA
    form = driver.find_element(By.ID, "enrol-form")
    for name, value in (("terminal_id", "BJ-CY-0043"), ("district", "朝阳区"),
                        ("site", "望京街道便民服务中心"), ("group_name", "大厅")):
        form.find_element(By.NAME, name).send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait_for_element(driver, By.ID, "enrolment-bundle")
    bundle = text_of(driver, "enrolment-bundle")
    assert f'url = "{url}"' in bundle and "ca_file = " in bundle
    assert "BEGIN CERTIFICATE" in text_of(driver, "enrolment-ca")
    assert not driver.find_elements(By.ID, "enrolment-token")
    _shot(driver, "07-enrol-bundle-mutual-tls")
