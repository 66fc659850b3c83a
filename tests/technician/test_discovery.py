"""Discovery on this machine: a pty behind a link is offered to every serial device, the
simulators are offered in the demo profile only, PC/SC and IPP probes never raise."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.technician.discovery import SIM_URLS, discover, pcsc_readers, printer_uris, with_baud


@pytest.fixture
def pty_link(tmp_path: Path) -> Iterator[Path]:
    """A pty (like a USB serial adapter) behind a stable link name."""
    master, slave = os.openpty()
    link = tmp_path / "ttyKIOSKTEST0"
    link.symlink_to(os.ttyname(slave))
    yield link
    os.close(master)
    os.close(slave)


def test_pty_is_offered_to_serial_devices_with_sim_choices(pty_link: Path) -> None:
    found = discover({"idcard": "sim://idcard"}, demo=True,
                     serial_globs=[str(pty_link.parent / "tty*")], probe_ipp=False)
    assert any(p.device == str(pty_link) for p in found.serial_ports)
    idcard = [c.url for c in found.for_device("idcard")]
    assert idcard[0] == "sim://idcard"  # the configured one first
    assert f"serial://{pty_link}" in idcard
    assert f"escpos+serial://{pty_link}" in [c.url for c in found.for_device("receipt_printer")]
    assert f"serial://{pty_link}" in [c.url for c in found.for_device("scanner")]
    for device, url in SIM_URLS.items():
        assert url in [c.url for c in found.for_device(device)]
        assert found.for_device(device)[-1].url == "none"


def test_site_profile_offers_no_simulators(pty_link: Path) -> None:
    found = discover({"idcard": f"serial://{pty_link}"}, demo=False,
                     serial_globs=[str(pty_link)], probe_ipp=False)
    urls = [c.url for cands in found.candidates.values() for c in cands]
    assert not any(u.startswith("sim://") for u in urls)


def test_pcsc_without_pcscd_is_a_note() -> None:
    def no_service() -> list[str]:
        raise RuntimeError("Service not available")
    readers, note = pcsc_readers(no_service)
    assert readers == [] and "Service not available" in note
    readers, note = pcsc_readers(lambda: ["ACS ACR39U 00 00"])
    assert readers == ["ACS ACR39U 00 00"] and note == ""
    found = discover({}, demo=False, list_readers=lambda: ["ACS ACR39U 00 00"], probe_ipp=False)
    assert next(c.url for c in found.for_device("smartcard")) == r"pcsc://ACS\ ACR39U\ 00\ 00"


def test_local_ipp_server_is_probed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        uris, note = printer_uris(["ipp://10.0.0.9/ipp/print"], port=port)
    finally:
        server.close()
    assert note == ""
    assert uris[0] == "ipp://10.0.0.9/ipp/print"
    assert any(u.startswith(f"ipp://localhost:{port}/") for u in uris)
    uris, note = printer_uris([], port=port)  # closed now
    assert uris == [] and "no IPP server" in note


def test_baud_goes_into_serial_urls_only() -> None:
    assert with_baud("serial:///dev/ttyUSB0", 9600) == "serial:///dev/ttyUSB0?baud=9600"
    assert with_baud("serial:///dev/ttyUSB0?baud=9600", 115200) == \
        "serial:///dev/ttyUSB0?baud=115200"
    assert with_baud("sim://idcard", 9600) == "sim://idcard"
