"""The simulator itself, spoken to with pyserial as a host would (host-side error codes)."""

from __future__ import annotations

import serial

from drivers.idcard import Command, IdCardSimulator, Sw3
from drivers.idcard.protocol import (
    Frame,
    FrameParser,
    Response,
    build_command,
    build_frame,
    response_from_body,
)


def exchange(port: serial.Serial) -> Response:
    """Read until one reply frame is complete."""
    parser = FrameParser()
    for _ in range(200):  # 200 x 50 ms read timeout at most
        for item in parser.feed(port.read(max(1, port.in_waiting))):
            assert isinstance(item, Frame)
            return response_from_body(item.body)
    raise AssertionError("no reply")


def test_host_errors_and_command_set() -> None:
    with IdCardSimulator() as sim:
        port = serial.Serial(str(sim.port_path), 115200, timeout=0.05)
        try:
            def ask(frame: bytes) -> Response:
                port.write(frame)
                return exchange(port)

            damaged = build_command(Command.FIND_CARD)[:-1] + b"\x00"
            assert ask(damaged).sw3 == Sw3.HOST_CHECKSUM_ERROR
            assert ask(build_frame(b"\x99\x01")).sw3 == Sw3.BAD_COMMAND
            port.write(build_frame(b"\x20"))  # too short to be a command: ignored as noise
            assert ask(build_command(Command.FIND_CARD)).sw3 == Sw3.FIND_FAILED
            assert ask(build_command(Command.SELECT_CARD)).sw3 == Sw3.SELECT_FAILED
            sim.insert("resident")
            assert ask(build_command(Command.READ_TEXT_PHOTO)).sw3 == Sw3.READ_FAILED  # no select
            assert ask(build_command(Command.FIND_CARD)).data == bytes(4)
            assert len(ask(build_command(Command.SELECT_CARD)).data) == 8
            with_fp = ask(build_command(Command.READ_TEXT_PHOTO_FINGERPRINT))
            assert with_fp.data[4:6] == b"\x00\x00"  # no fingerprint on this card
            assert ask(build_command(Command.READ_ADDED_ADDRESS)).sw3 == Sw3.NO_CONTENT
            assert ask(build_command(Command.SET_RF_FRAME_SIZE, b"\x50")).sw3 == Sw3.SUCCESS
            assert ask(build_command(Command.SET_BAUD, para=0x04)).sw3 == Sw3.SUCCESS
            assert sim.baud == 9600
        finally:
            port.close()
    records = list(sim.exchanges)
    assert records[0].command is None and records[0].bytes_in == 10
    assert sum(r.bytes_out for r in records) > 1295
    assert not sim.port_path.exists()
