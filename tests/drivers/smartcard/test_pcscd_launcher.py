"""The pcscd launcher: private socket, readiness, restart, stop; a second one never collides."""

from __future__ import annotations

import os
import socket

import pytest

from drivers.smartcard.pcscd import Pcscd, VirtualReader, free_port_pair


def _answers(path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


@pytest.mark.slow
def test_start_restart_stop(sim) -> None:
    daemon = sim.pcscd
    assert daemon.running and _answers(daemon.socket_path)
    assert os.environ["PCSCLITE_CSOCK_NAME"] == str(daemon.socket_path)
    config = (daemon.config_dir / f"vpcd-{sim.vpcd.port}").read_text()
    assert f"CHANNELID 0x{sim.vpcd.port:04X}" in config
    first = daemon.pid
    assert daemon.restart()
    assert daemon.pid != first and _answers(daemon.socket_path)
    daemon.stop()
    daemon.stop()
    assert not daemon.running and not _answers(daemon.socket_path)


def test_two_daemons_side_by_side(sim, tmp_path) -> None:
    if not sim.pcscd.isolate:
        return  # without namespaces the launcher serialises on /run/pcscd (tested below)
    other = Pcscd(tmp_path / "other", [VirtualReader("Other Reader", free_port_pair())])
    assert other.start(), other.failure
    try:
        assert other.socket_path != sim.pcscd.socket_path
        assert _answers(other.socket_path) and _answers(sim.pcscd.socket_path)
    finally:
        other.stop()
    assert _answers(sim.pcscd.socket_path)


def test_shared_mode_refuses_when_run_dir_is_taken(tmp_path) -> None:
    first = Pcscd(tmp_path / "a", [VirtualReader("A", free_port_pair())], isolate=False)
    second = Pcscd(tmp_path / "b", [VirtualReader("B", free_port_pair())], isolate=False)
    if not first.start():
        assert "pcscd" in first.failure  # a system pcscd or another run owns /run/pcscd
        return
    try:
        assert not second.start()
        assert "another" in second.failure or "already" in second.failure
    finally:
        first.stop()
