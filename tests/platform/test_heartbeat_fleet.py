"""Terminals report heartbeats; the sandbox keeps the latest per terminal and lists the fleet."""

from __future__ import annotations

import pytest

from drivers.status import DeviceState, DeviceStatus, SupplyState
from kiosk.platform import (
    ErrorKind,
    PlatformClient,
    PlatformError,
    WireDeviceReport,
    WireHeartbeatReport,
)
from kiosk.sandbox import SandboxHandle
from kiosk.sandbox import cli as sandbox_cli
from tests.platform.conftest import TERMINAL_ID, TestPki


def _report(outbox: int, paper: SupplyState, sessions: int) -> WireHeartbeatReport:
    printer = DeviceStatus(DeviceState.READY, supplies=paper)
    return WireHeartbeatReport(
        app_version="0.1.0",
        bundle_version="2026.11.21-1",
        devices={
            "receipt_printer": WireDeviceReport.from_status(printer),
            "idcard": WireDeviceReport.from_status(DeviceStatus(DeviceState.READY)),
            "camera": WireDeviceReport(state="error", supplies="n/a", reason="no frames"),
        },
        outbox_depth=outbox,
        sessions=sessions,
        ratings=sessions // 2,
        last_update={"bundle": "2026.11.21-1", "result": "ok"},
    )


def test_latest_heartbeat_per_terminal(
    client: PlatformClient, sandbox: SandboxHandle, pki: TestPki
) -> None:
    with pki.client(sandbox.url, "T-A") as a_client, pki.client(sandbox.url, "T-B") as b_client:
        a_client.heartbeat(_report(0, SupplyState.OK, 3))
        ack = a_client.heartbeat(_report(4, SupplyState.LOW, 10))
        b_client.heartbeat(_report(0, SupplyState.OUT, 1))
    assert ack.ok and ack.server_time
    fleet = {t.terminal_id: t for t in client.terminals()}
    assert set(fleet) == {"T-A", "T-B"}
    a = fleet["T-A"]
    assert (a.outbox_depth, a.sessions, a.ratings, a.heartbeats) == (4, 10, 5, 2)
    assert a.devices["receipt_printer"] == {"state": "ready", "supplies": "low", "reason": ""}
    assert a.devices["idcard"]["supplies"] == "n/a"
    assert a.paper() == "low" and fleet["T-B"].paper() == "out"
    assert a.bundle_version == "2026.11.21-1" and a.last_seen and a.seconds_since_seen >= 0


def test_heartbeat_uses_the_clients_terminal_id(client: PlatformClient) -> None:
    client.heartbeat(_report(0, SupplyState.OK, 0))
    assert [t.terminal_id for t in client.terminals()] == [client.terminal_id]


def test_bad_heartbeat_is_invalid(client: PlatformClient) -> None:
    with pytest.raises(PlatformError) as caught:
        client.heartbeat(_report(-1, SupplyState.OK, 0))
    assert caught.value.kind is ErrorKind.INVALID


def _cli_tls(pki: TestPki, terminal_id: str = TERMINAL_ID) -> list[str]:
    files = pki.client_files(terminal_id)
    return ["--cert", files["cert_file"], "--key", files["key_file"], "--cacert", files["ca_file"]]


def test_heartbeat_for_another_terminal_is_refused(client: PlatformClient) -> None:
    with pytest.raises(PlatformError) as caught:
        client.heartbeat(_report(0, SupplyState.OK, 0), terminal_id="SOMEONE-ELSE")
    assert caught.value.status == 403 and caught.value.code == "terminal_mismatch"


def test_kiosk_sandbox_fleet_lists_terminals(
    sandbox: SandboxHandle, pki: TestPki, capsys: pytest.CaptureFixture[str]
) -> None:
    with pki.client(sandbox.url, "HALL-03") as hall:
        hall.heartbeat(_report(7, SupplyState.LOW, 2))
    assert sandbox_cli.main(["fleet", "--url", sandbox.url, *_cli_tls(pki)]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("HALL-03"))
    assert "0.1.0" in line and "2026.11.21-1" in line and " low " in line and " 7 " in line
    assert "camera=error" in line and "receipt_printer=ready/low" in line
    assert "1 terminal(s)" in out


def test_kiosk_sandbox_fleet_when_platform_down(capsys: pytest.CaptureFixture[str]) -> None:
    assert sandbox_cli.main(["fleet", "--url", "http://127.0.0.1:9", "--timeout", "1"]) == 1
    assert "unavailable" in capsys.readouterr().err


def test_kiosk_sandbox_faults_and_stats(
    client: PlatformClient, sandbox: SandboxHandle, pki: TestPki, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    tls = _cli_tls(pki)
    assert sandbox_cli.main(["faults", "--url", sandbox.url, "--fail-next", "1", *tls]) == 0
    assert json.loads(capsys.readouterr().out)["fail_next"] == 1
    with pytest.raises(PlatformError):
        client.heartbeat(_report(0, SupplyState.OK, 0))
    client.heartbeat(_report(0, SupplyState.OK, 0))
    assert sandbox_cli.main(["stats", "--url", sandbox.url, *tls]) == 0
    assert json.loads(capsys.readouterr().out)["heartbeats"] == {client.terminal_id: 1}
    assert sandbox_cli.main(["faults", "--url", sandbox.url, "--clear", *tls]) == 0
    assert json.loads(capsys.readouterr().out)["fail_next"] == 0
    assert sandbox_cli.main(["faults", "--url", sandbox.url, "--status", "200", *tls]) == 1
