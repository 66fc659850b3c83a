"""The driver's contract: Device protocol, events, status changes, photo plug-in, ports, logs."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from drivers.idcard import (
    Command,
    IdCardSimulator,
    PortUrlError,
    ReadFailure,
    open_idcard_reader,
)
from drivers.idcard.photo import PhotoDecoderError
from drivers.idcard.port import PortSpec, parse_port_url
from drivers.idcard.sim_cards import synthetic_cards
from drivers.interfaces import Device
from drivers.status import DeviceState
from tests.drivers.idcard.conftest import FAST_OPTIONS, WAIT_S, EventLog, SimReader


def test_reader_is_a_device_and_stop_is_idempotent() -> None:
    reader = open_idcard_reader("sim://idcard", **FAST_OPTIONS)
    try:
        assert isinstance(reader, Device)
        assert reader.name == "idcard"
        assert reader.status().state is DeviceState.NO_DEVICE  # not started yet
        log = EventLog()
        reader.start(log)
        reader.start(log)  # ignored
        log.wait_status(DeviceState.READY)
        assert reader.status().usable
    finally:
        reader.stop()
        reader.stop()
    assert not reader.simulator.plugged  # the owned simulator stops with the reader


def test_status_is_published_only_on_change(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    for card in ("resident", "hmt_permit", "resident_bad_check"):
        reader.read(card)
        reader.remove()
    statuses = reader.log.of_kind("status")
    assert [e.payload.state for e in statuses] == [DeviceState.READY]


def test_sam_id_is_read_once_at_start(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    assert reader.reader.sam_id == "05.01-20231115-0123456789-0987654321"


def test_photo_is_dropped_without_a_decoder(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    assert reader.read("resident").payload.photo is None


def test_photo_decoder_by_dotted_path(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(photo_decoder="tests.drivers.idcard.photo_plugin:decode")
    photo = reader.read("resident").payload.photo
    wlt = synthetic_cards()["resident"].photo
    assert photo == b"IMG:" + hashlib.sha256(wlt).digest()[:8]


def test_photo_decoder_named_in_the_url(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(url="sim://idcard?photo_decoder=tests.drivers.idcard.photo_plugin:decode")
    assert reader.read("hmt_permit").payload.photo.startswith(b"IMG:")
    real = open_idcard_reader("serial:///dev/ttyUSB0?photo_decoder=tests.drivers.idcard."
                              "photo_plugin:decode")
    assert real.options.photo_decoder == "tests.drivers.idcard.photo_plugin:decode"


def test_a_failing_photo_decoder_does_not_fail_the_read(
        sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(photo_decoder="tests.drivers.idcard.photo_plugin.BrokenDecoder")
    event = reader.read("foreigner_2017")
    assert event.kind == "identity_read" and event.payload.photo is None


@pytest.mark.parametrize("spec", ["nope", "no.such.module:decode",
                                  "tests.drivers.idcard.photo_plugin:missing"])
def test_a_bad_photo_decoder_path_is_a_configuration_error(spec: str) -> None:
    with pytest.raises(PhotoDecoderError):
        open_idcard_reader("serial:///dev/null", photo_decoder=spec)


def test_reader_that_stops_finding_a_read_card(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(url="sim://idcard?quiet_after_read=1")
    assert reader.read("resident").kind == "identity_read"
    seen = len(reader.sim.exchanges)
    # let it poll a while: find fails, select still sees the card, so it is not "removed"
    _wait_exchanges(reader.sim, seen + 20)
    polled = list(reader.sim.exchanges)[seen:]
    assert Command.SELECT_CARD in {record.command for record in polled}
    assert reader.log.kinds()[-2:] == ["card_presented", "identity_read"]
    reader.remove()
    assert len(reader.log.of_kind("card_presented")) == 1


def test_a_listener_that_raises_does_not_stop_the_reader(
        sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    log = reader.log

    def angry(event):  # type: ignore[no-untyped-def]
        log(event)
        if event.kind == "card_presented":
            raise RuntimeError("UI bug")

    reader.reader._listener = angry  # swap in a faulty listener
    assert reader.read("resident").kind == "identity_read"


def test_logs_carry_no_personal_data(sim_reader: Callable[..., SimReader],
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    reader = sim_reader()
    people = []
    for card in ("resident", "resident_bad_check", "foreigner_2023"):
        event = reader.read(card)
        reader.remove()
        if event.kind == "identity_read":
            people.append(event.payload)
    assert reader.log.of_kind("read_failed")[0].payload is ReadFailure.BAD_CHECK_CHARACTER
    assert "read failed" in caplog.text
    for person in people:
        for secret in (person.name, person.id_number, person.address, person.english_name):
            if secret:
                assert secret not in caplog.text


def test_real_serial_url_to_a_port_that_appears_later(tmp_path: Path) -> None:
    link = tmp_path / "usb-Vendor_IDCard-if00"
    reader = open_idcard_reader(f"serial://{link}?baud=115200", **FAST_OPTIONS)
    log = EventLog()
    sim = IdCardSimulator(link)
    try:
        reader.start(log)
        missing = log.wait_status(DeviceState.NO_DEVICE).payload
        assert missing.reason == "port not found"
        sim.start()
        log.wait_status(DeviceState.READY)
        sim.insert("resident_long_term")
        assert log.wait_for("identity_read").payload.long_term
    finally:
        reader.stop()
        sim.stop()
    assert reader.simulator is None


@pytest.mark.parametrize(("url", "spec"), [
    ("serial:///dev/ttyUSB0?baud=9600", PortSpec("/dev/ttyUSB0", 9600)),
    ("serial:///dev/ttyUSB0", PortSpec("/dev/ttyUSB0", 115200)),
    ("serial://usb-1a86_USB_Serial-if00-port0",
     PortSpec("/dev/serial/by-id/usb-1a86_USB_Serial-if00-port0", 115200)),
    ("serial:///dev/serial/by-id/usb-X-if00", PortSpec("/dev/serial/by-id/usb-X-if00", 115200)),
    ("/dev/ttyS1", PortSpec("/dev/ttyS1", 115200)),
    ("socket://127.0.0.1:7000", PortSpec("socket://127.0.0.1:7000", 115200, pyserial_url=True)),
    ("rfc2217://10.0.0.5:4000", PortSpec("rfc2217://10.0.0.5:4000", 115200, pyserial_url=True)),
])
def test_port_urls(url: str, spec: PortSpec) -> None:
    assert parse_port_url(url) == spec


@pytest.mark.parametrize("url", ["serial://", "serial:///dev/x?baud=fast",
                                 "serial:///dev/x?parity=E", "", "sim://idcard"])
def test_bad_port_urls(url: str) -> None:
    with pytest.raises(PortUrlError):
        parse_port_url(url)


@pytest.mark.parametrize("url", ["sim://smartcard", "sim://idcard?card=nobody",
                                 "sim://idcard?colour=red", "sim://idcard?card_time=slow"])
def test_bad_sim_urls(url: str) -> None:
    with pytest.raises(PortUrlError):
        open_idcard_reader(url)


def test_baud_from_url_reaches_the_driver_and_unknown_options_are_refused() -> None:
    assert open_idcard_reader("serial:///dev/ttyUSB0?baud=9600").options.baud == 9600
    with pytest.raises(ValueError, match="poll_intreval_s"):
        open_idcard_reader("serial:///dev/ttyUSB0", poll_intreval_s=1)


def test_sim_url_with_a_card_already_on(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(url="sim://idcard?card=hmt_permit&baud=57600")
    assert reader.log.wait_for("identity_read").payload.card_number == "H01234567"
    assert reader.reader.options.baud == 57600 == reader.sim.baud


def _wait_exchanges(sim: IdCardSimulator, count: int) -> None:
    """Wait until the simulator has answered ``count`` commands in all."""
    pause = threading.Event()
    deadline = time.monotonic() + WAIT_S
    while len(sim.exchanges) < count:
        assert time.monotonic() < deadline, "the reader stopped polling"
        pause.wait(0.01)
