"""A whole kiosk (build_kiosk, demo profile, simulated devices) reports to the real console
served by uvicorn: its heartbeat puts it on the fleet, a paper-out on the simulated receipt
printer becomes an alert, an out-of-service command from a console operator takes it out of
service with the operator's message and is acknowledged, and back in service again. A console
that is down costs the kiosk nothing: it keeps serving, nothing is raised."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.boot.composition import KioskParts, build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.console.models import Alert, Command, Terminal, TerminalEvent
from kiosk.core.session import Phase
from kiosk.core.tasks import InlineRunner
from tests.console.helpers import Console

#: Bound for something to travel kiosk -> console (devices poll; not a timing assertion).
WAIT_SECONDS = 45.0
SIMULATED = ("idcard", "camera", "scanner", "receipt_printer", "document_printer")


def wait_until(predicate: Callable[[], object], what: str) -> None:
    """Poll ``predicate`` until it holds; fail after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _kiosk(tmp: Path, url: str, token: str, terminal_id: str,
           interval: str = "1") -> KioskParts:
    token_file = tmp / "console.token"
    token_file.write_text(token + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    env = {"KIOSK__PATHS__DATA_DIR": str(tmp / "data"), "KIOSK__DEVICES__SMARTCARD": "none",
           "KIOSK__TERMINAL_ID": terminal_id, "KIOSK__CONSOLE__URL": url,
           "KIOSK__CONSOLE__TOKEN_FILE": str(token_file),
           "KIOSK__CONSOLE__INTERVAL_SECONDS": interval, "KIOSK__CONSOLE__TIMEOUT_SECONDS": "3"}
    parts = build_kiosk(load_settings(environ=env), InlineRunner())
    parts.start_devices()
    wait_until(lambda: all(parts.hub.usable(n) for n in SIMULATED), "devices ready")
    return parts


@pytest.fixture
def kiosk_on_console(console: Console, tmp_path: Path) -> Iterator[KioskParts]:
    token = console.enrol("BJ-CY-0042", district="朝阳区", site="望京街道便民服务中心")
    parts = _kiosk(tmp_path, console.url, token, "BJ-CY-0042")
    try:
        yield parts
    finally:
        parts.close()


def _terminal(console: Console) -> Terminal:
    with console.sessions() as db:
        terminal = db.get(Terminal, "BJ-CY-0042")
        assert terminal is not None
        db.expunge(terminal)
        return terminal


@pytest.mark.slow
def test_heartbeat_paper_out_and_out_of_service(console: Console,
                                                kiosk_on_console: KioskParts) -> None:
    parts = kiosk_on_console
    assert parts.console_link is not None
    wait_until(lambda: _terminal(console).last_heartbeat_at is not None, "first heartbeat")
    terminal = _terminal(console)
    assert terminal.app_version and "receipt_printer" in terminal.devices
    assert terminal.devices["receipt_printer"]["state"] == "ready"
    console.add_user("op1", "operator")
    operator = console.login("op1")
    fleet = operator.get("/fleet").text
    assert "BJ-CY-0042" in fleet and 'data-status="online"' in fleet
    with console.sessions() as db:
        kinds = set(db.scalars(select(TerminalEvent.kind).where(
            TerminalEvent.terminal_id == "BJ-CY-0042")))
    assert "started" in kinds

    parts.hub.simulator("receipt_printer").set_paper("out")

    def paper_out_alert() -> bool:
        with console.sessions() as db:
            return db.scalar(select(Alert).where(
                Alert.terminal_id == "BJ-CY-0042", Alert.kind == "paper_out",
                Alert.device == "receipt_printer", Alert.state == "open")) is not None
    wait_until(paper_out_alert, "a paper-out alert at the console")
    assert "缺纸" in operator.get("/alerts").text
    wait_until(lambda: 'data-status="degraded"' in operator.get("/fleet").text,
               "the terminal degraded on the fleet page")

    message = "设备维护中，请到2号窗口办理"
    operator.post("/terminals/BJ-CY-0042/commands", {"kind": "out_of_service",
                                                       "message": message})

    def command_state(kind: str) -> str:
        with console.sessions() as db:
            return db.scalar(select(Command.state).where(
                Command.terminal_id == "BJ-CY-0042", Command.kind == kind)) or ""
    wait_until(lambda: command_state("out_of_service") == "done", "the command acknowledged")
    assert parts.lifecycle.phase is Phase.OUT_OF_SERVICE  # the resident was at attract
    assert parts.controller.state.screen == "out_of_service"
    assert parts.controller.state.out_of_service_reason == message
    wait_until(lambda: _terminal(console).out_of_service, "out of service on the console")
    page = operator.get("/terminals/BJ-CY-0042").text
    assert "已完成" in page and "out of service screen shown" in page

    parts.hub.simulator("receipt_printer").set_paper("ok")  # still out: the console said so
    wait_until(lambda: parts.hub.usable("receipt_printer"), "paper back")
    parts.controller.refresh_availability()
    assert parts.lifecycle.phase is Phase.OUT_OF_SERVICE

    operator.post("/terminals/BJ-CY-0042/commands", {"kind": "return_to_service"})
    wait_until(lambda: command_state("return_to_service") == "done", "back in service acked")
    assert parts.lifecycle.phase is Phase.ATTRACT
    wait_until(lambda: not _terminal(console).out_of_service, "in service on the console")

    operator.post("/terminals/BJ-CY-0042/commands", {"kind": "announce",
                                                       "message": "元旦期间自助终端照常服务",
                                                       "hours": "24"})
    wait_until(lambda: command_state("announce") == "done", "announcement acked")
    assert parts.controller.state.announcement == "元旦期间自助终端照常服务"

    operator.post("/terminals/BJ-CY-0042/commands", {"kind": "diagnostics"})
    # the PII-free bundle is uploaded (docs/adr/0702; its contents: test_diagnostics_bundle_*)
    wait_until(lambda: command_state("diagnostics") == "done", "diagnostics uploaded")

    parts.close()
    with console.sessions() as db:
        kinds = set(db.scalars(select(TerminalEvent.kind).where(
            TerminalEvent.terminal_id == "BJ-CY-0042")))
    assert {"paper_out", "paper_ok", "stopped"} <= kinds


@pytest.mark.slow
def test_console_down_kiosk_keeps_serving(tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    parts = _kiosk(tmp_path, "http://127.0.0.1:9", "no-console-here", "BJ-CY-0043")
    try:
        link = parts.console_link
        assert link is not None
        wait_until(lambda: link.failures >= 2, "two failed rounds")
        parts.controller.tap_attract()
        assert parts.controller.state.screen == "home"  # residents are served as before
        parts.hub.simulator("receipt_printer").set_paper("out")
        wait_until(lambda: not parts.hub.usable("receipt_printer"), "paper out seen")
        assert link.run_round() is False  # logged, nothing raised
        assert parts.lifecycle.phase is Phase.ACTIVE
    finally:
        parts.close()  # the stop event cannot be delivered either; close still returns
    downs = [r for r in caplog.records if "console_link_down" in r.getMessage()]
    assert len(downs) == 1  # logged once per change of state, not every round
    assert "no-console-here" not in caplog.text  # the token never reaches a log


@pytest.mark.slow
def test_enrolment_page_bundle_configures_a_kiosk(console: Console, tmp_path: Path) -> None:
    """What the admin copies from 终端登记 is a working kiosk configuration."""
    import html
    import re

    console.add_user("admin1", "admin")
    admin = console.login("admin1")
    page = admin.post("/enrol", {"terminal_id": "BJ-XC-0007", "district": "西城区",
                                 "site": "金融街街道便民服务中心", "group_name": ""}).text
    config = re.search(r'<pre id="enrolment-config">(.*?)</pre>', page, re.S)
    token = re.search(r'<pre id="enrolment-token">(.*?)</pre>', page, re.S)
    assert config and token
    token_file = tmp_path / "console.token"
    token_file.write_text(html.unescape(token.group(1)).strip() + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    site = tmp_path / "site.toml"
    site.write_text(html.unescape(config.group(1)).replace(
        "/etc/kiosk/console.token", str(token_file)) + "\ninterval_seconds = 3600\n",
        encoding="utf-8")
    settings = load_settings(site_file=site, environ={
        "KIOSK__PATHS__DATA_DIR": str(tmp_path / "data"), "KIOSK__DEVICES__SMARTCARD": "none"})
    assert settings.terminal_id == "BJ-XC-0007" and settings.console.url == console.url
    parts = build_kiosk(settings, InlineRunner())
    parts.start_devices()
    try:
        assert parts.console_link is not None
        wait_until(lambda: all(parts.hub.usable(n) for n in SIMULATED), "devices ready")
        assert parts.console_link.run_round() is True
        with console.sessions() as db:
            terminal = db.get(Terminal, "BJ-XC-0007")
            assert terminal is not None and terminal.last_heartbeat_at is not None
    finally:
        parts.close()


@pytest.mark.slow
def test_paper_out_reaches_a_console_that_limits_heartbeats(tmp_path: Path) -> None:
    """The production console answers a heartbeat sooner than 10 s after the last with 429:
    a paper-out right after a heartbeat goes out as an event at once, not behind a refused
    heartbeat."""
    from kiosk.console.app import create_app
    from kiosk.console.db import utcnow
    from kiosk.console.server import start_server
    from kiosk.console.settings import ConsoleSettings

    settings = ConsoleSettings(database_url=f"sqlite:///{tmp_path / 'console.db'}",
                               heartbeat_min_interval_seconds=10.0)
    app = create_app(settings, clock=utcnow)
    handle = start_server(app)
    console = Console(handle.url, app.state.sessions, utcnow, settings.database_url)
    try:
        token = console.enrol("BJ-CY-0042")
        parts = _kiosk(tmp_path, console.url, token, "BJ-CY-0042", interval="60")
        try:
            link = parts.console_link
            assert link is not None
            wait_until(lambda: _terminal(console).last_heartbeat_at is not None, "heartbeat")
            parts.hub.simulator("receipt_printer").set_paper("out")
            with console.sessions() as db:
                wait_until(lambda: db.scalar(select(TerminalEvent).where(
                    TerminalEvent.kind == "paper_out")) is not None, "paper_out stored")
            assert link.failures == 0  # no heartbeat was sent too soon
        finally:
            parts.close()
    finally:
        handle.stop()


@pytest.mark.slow
def test_console_that_never_answers_blocks_nothing(tmp_path: Path) -> None:
    """A console that accepts connections and never answers: the link's calls time out on its
    own thread; the resident is served meanwhile and the kiosk still stops."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections complete in the backlog; nothing is ever read
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        parts = _kiosk(tmp_path, url, "tok-silent", "BJ-CY-0044")
        try:
            link = parts.console_link
            assert link is not None
            parts.controller.tap_attract()  # while the link waits on the silent console
            assert parts.controller.state.screen == "home"
            parts.controller.finish()
            assert parts.lifecycle.phase is Phase.ATTRACT
            wait_until(lambda: link.failures >= 1, "the first call timed out")
            assert link.state == "unreachable"
        finally:
            parts.close()
        assert not link.running  # the stop waited out the call in flight, bounded


@pytest.mark.slow
def test_out_of_service_outlives_a_restart(console: Console, tmp_path: Path) -> None:
    """Taken out of service by the console, then restarted (the nightly restart, a power cut):
    the terminal comes back out of service with the operator's message, and says so."""
    token = console.enrol("BJ-CY-0042")
    console.add_user("op1", "operator")
    operator = console.login("op1")
    parts = _kiosk(tmp_path, console.url, token, "BJ-CY-0042")
    try:
        operator.post("/terminals/BJ-CY-0042/commands", {"kind": "out_of_service",
                                                           "message": "网点装修，暂停服务"})
        wait_until(lambda: parts.lifecycle.phase is Phase.OUT_OF_SERVICE, "out of service")
    finally:
        parts.close()
    with console.sessions() as db:  # the console's record is the terminal's own word
        db.get(Terminal, "BJ-CY-0042").out_of_service = False
        db.commit()

    again = _kiosk(tmp_path, console.url, token, "BJ-CY-0042")
    try:
        assert again.lifecycle.phase is Phase.OUT_OF_SERVICE
        assert again.controller.state.out_of_service_reason == "网点装修，暂停服务"
        wait_until(lambda: _terminal(console).out_of_service, "out of service on the console")
    finally:
        again.close()
