"""A console operator takes a running kiosk (real Kivy window, real console on uvicorn) out of
service: the resident sees 本机暂停服务 with the operator's message; an announcement appears on
the attract screen as 通知公告; back in service, the attract screen returns. Each command's
outcome is acknowledged to the console. Screenshots of both screens are written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.console.models import Command
from tests.console.conftest import console  # noqa: F401  (the real console fixture)
from tests.console.helpers import Console
from tests.ui.conftest import RunningKiosk, start_kiosk, stop_kiosk

pytestmark = pytest.mark.slow  # a kiosk start and a console (~20 s)
TERMINAL = "BJ-DC-0005"


@pytest.fixture
def kiosk_on_console(console: Console, tmp_path: Path) -> Iterator[RunningKiosk]:  # noqa: F811
    token_file = tmp_path / "console.token"
    token_file.write_text(console.enrol(TERMINAL), encoding="utf-8")
    token_file.chmod(0o600)
    running = start_kiosk(tmp_path, {"KIOSK__TERMINAL_ID": TERMINAL,
                                     "KIOSK__CONSOLE__URL": console.url,
                                     "KIOSK__CONSOLE__TOKEN_FILE": str(token_file),
                                     "KIOSK__CONSOLE__INTERVAL_SECONDS": "1"})
    try:
        running.wait_devices_ready("idcard", "document_printer", "receipt_printer")
        yield running
    finally:
        stop_kiosk(running)


def _state(console: Console, kind: str) -> str:  # noqa: F811
    with console.sessions() as db:
        return db.scalar(select(Command.state).where(Command.terminal_id == TERMINAL,
                                                     Command.kind == kind)) or ""


def test_out_of_service_message_and_announcement_on_screen(
        console: Console, kiosk_on_console: RunningKiosk, tmp_path: Path) -> None:  # noqa: F811
    kiosk = kiosk_on_console
    driver, app = kiosk.driver, kiosk.app
    driver.wait_for_screen("attract")
    console.add_user("op1", "operator")
    operator = console.login("op1")
    message = "系统升级中，请到1号窗口办理"
    operator.post(f"/terminals/{TERMINAL}/commands", {"kind": "out_of_service",
                                                      "message": message})
    driver.wait_for_screen("out_of_service", timeout=45)
    assert app.screens["out_of_service"].reason.text == message
    driver.wait_for(lambda: _state(console, "out_of_service") == "done", 45, "acknowledged")
    shot = driver.screenshot(tmp_path / "out-of-service.png")
    assert shot.stat().st_size > 20_000

    operator.post(f"/terminals/{TERMINAL}/commands", {"kind": "announce",
                                                      "message": "元旦期间照常服务",
                                                      "hours": "24"})
    operator.post(f"/terminals/{TERMINAL}/commands", {"kind": "return_to_service"})
    driver.wait_for_screen("attract", timeout=45)
    driver.wait_for(lambda: app.screens["attract"].announcement.text
                    == "通知公告：元旦期间照常服务", 45, "announcement on attract")
    driver.wait_for(lambda: _state(console, "return_to_service") == "done", 45, "acked")
    assert _state(console, "announce") == "done"
    shot = driver.screenshot(tmp_path / "attract-announcement.png")
    assert shot.stat().st_size > 20_000
