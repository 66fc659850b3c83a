"""Golden frames from the spec (docs: shared/specs/idcard-ga467.md) round-trip through the codec."""

from __future__ import annotations

import pytest

from drivers.idcard.payload import (
    READ_DATA_BYTES,
    build_added_address,
    build_read_data,
    build_sam_id,
    format_sam_id,
    parse_added_address,
    parse_read_data,
)
from drivers.idcard.protocol import (
    PREAMBLE,
    Command,
    CorruptFrame,
    Frame,
    FrameParser,
    IdCardProtocolError,
    Response,
    Sw3,
    build_baud_command,
    build_command,
    build_response,
    describe_sw3,
    parse_command,
    parse_response,
    response_from_body,
    wire_seconds,
    xor_checksum,
)

GOLDEN_COMMANDS = {
    Command.RESET_SAM: "AA AA AA 96 69 00 03 10 FF EC",
    Command.SAM_STATUS: "AA AA AA 96 69 00 03 11 FF ED",
    Command.READ_SAM_ID: "AA AA AA 96 69 00 03 12 FF EE",
    Command.FIND_CARD: "AA AA AA 96 69 00 03 20 01 22",
    Command.SELECT_CARD: "AA AA AA 96 69 00 03 20 02 21",
    Command.READ_TEXT_PHOTO: "AA AA AA 96 69 00 03 30 01 32",
    Command.READ_ADDED_ADDRESS: "AA AA AA 96 69 00 03 30 03 30",
    Command.READ_TEXT_PHOTO_FINGERPRINT: "AA AA AA 96 69 00 03 30 10 23",
}

GOLDEN_REPLIES = {
    "status ok": ("AA AA AA 96 69 00 04 00 00 90 94", Sw3.SUCCESS, b""),
    "sam self-test failed": ("AA AA AA 96 69 00 04 00 00 60 64", Sw3.SAM_SELF_TEST_FAILED, b""),
    "find ok": ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", Sw3.FIND_OK, bytes(4)),
    "find failed": ("AA AA AA 96 69 00 04 00 00 80 84", Sw3.FIND_FAILED, b""),
}


@pytest.mark.parametrize("command", list(GOLDEN_COMMANDS), ids=lambda c: c.name)
def test_golden_command_frames_are_built_byte_for_byte(command: Command) -> None:
    expected = bytes.fromhex(GOLDEN_COMMANDS[command])
    assert build_command(command) == expected
    parsed = parse_command(expected)
    assert parsed.command is command
    assert (parsed.cmd, parsed.para, parsed.data) == (*command.value, b"")


def test_rf_frame_size_command_with_its_data_byte() -> None:
    frame = bytes.fromhex("AA AA AA 96 69 00 04 61 FF 50 CA")
    assert build_command(Command.SET_RF_FRAME_SIZE, b"\x50") == frame
    assert parse_command(frame).data == b"\x50"


def test_baud_commands_carry_the_rate_in_para() -> None:
    assert build_baud_command(115200)[7:9] == b"\x60\x00"
    assert build_baud_command(9600)[7:9] == b"\x60\x04"
    assert parse_command(build_baud_command(38400)).command is Command.SET_BAUD
    with pytest.raises(IdCardProtocolError):
        build_baud_command(12345)
    with pytest.raises(IdCardProtocolError):
        build_command(Command.SET_BAUD)


@pytest.mark.parametrize("name", list(GOLDEN_REPLIES))
def test_golden_replies_parse_and_rebuild(name: str) -> None:
    text, sw3, data = GOLDEN_REPLIES[name]
    frame = bytes.fromhex(text)
    reply = parse_response(frame)
    assert reply == Response(0, 0, sw3, data)
    assert reply.status is sw3
    assert build_response(sw3, data) == frame


def test_select_ok_reply_shape() -> None:
    frame = build_response(Sw3.SUCCESS, bytes(range(8)))
    assert frame[:10] == bytes.fromhex("AA AA AA 96 69 00 0C 00 00 90")
    assert parse_response(frame).data == bytes(range(8))


def test_read_reply_is_1295_bytes_and_starts_as_captured() -> None:
    data = build_read_data(b" \x00" * 128, bytes(1024))
    frame = build_response(Sw3.SUCCESS, data)
    assert len(frame) == 1295
    assert frame[:14] == bytes.fromhex("AA AA AA 96 69 05 08 00 00 90 01 00 04 00")
    assert len(data) == READ_DATA_BYTES
    card = parse_read_data(parse_response(frame).data)
    assert len(card.text) == 256 and len(card.photo) == 1024 and card.fingerprint == b""
    assert "bytes" in repr(card)


def test_read_with_fingerprint_has_three_lengths() -> None:
    text, photo = b" \x00" * 128, bytes(1024)
    with_fp = parse_read_data(build_read_data(text, photo, bytes(range(256)) * 4), True)
    assert len(with_fp.fingerprint) == 1024
    without = parse_read_data(build_read_data(text, photo, b""), True)
    assert without.fingerprint == b""


def test_text_length_is_read_big_endian_not_with_the_java_precedence_bug() -> None:
    # b[10] << 8 + b[11] would give 1 << 8 = 256 by luck for 01 00 but 0 for the photo 04 00.
    data = build_read_data(b" \x00" * 128, bytes(1024))
    assert int.from_bytes(data[0:2], "big") == 256
    assert int.from_bytes(data[2:4], "big") == 1024


@pytest.mark.parametrize("bad", [b"", bytes(3), (300).to_bytes(2, "big") + bytes(2000),
                                 build_read_data(b" \x00" * 128, bytes(1024))[:-1]])
def test_bad_read_data_is_a_protocol_error(bad: bytes) -> None:
    with pytest.raises(IdCardProtocolError):
        parse_read_data(bad)


def test_checksum_is_xor_from_length_to_last_data_byte() -> None:
    frame = bytes.fromhex(GOLDEN_COMMANDS[Command.FIND_CARD])
    assert xor_checksum(frame[5:-1]) == frame[-1] == 0x22


def test_the_mistakes_seen_in_public_code_are_not_repeated() -> None:
    assert build_command(Command.RESET_SAM)[7] == 0x10  # not 01 FF
    assert build_command(Command.FIND_CARD)[7:9] == b"\x20\x01"  # not 20 00
    assert build_command(Command.FIND_CARD)[-1] == 0x22  # not 21


@pytest.mark.parametrize("frame", [
    b"", PREAMBLE, bytes.fromhex("AA AA AA 96 68 00 03 20 01 22"),
    bytes.fromhex("AA AA AA 96 69 00 04 20 01 22"),
    bytes.fromhex("AA AA AA 96 69 00 03 20 01 23"),
])
def test_whole_frame_parsing_rejects_damage(frame: bytes) -> None:
    with pytest.raises(IdCardProtocolError):
        parse_command(frame)


def test_sw1_sw2_pass_through_and_only_sw3_decides() -> None:
    reply = parse_response(build_response(Sw3.SUCCESS, sw1=0x12, sw2=0x34))
    assert (reply.sw1, reply.sw2, reply.status) == (0x12, 0x34, Sw3.SUCCESS)


def test_every_status_has_a_meaning_and_unknown_codes_do_not_crash() -> None:
    assert all(code.meaning for code in Sw3)
    assert Sw3.FIND_OK.ok and Sw3.SUCCESS.ok and not Sw3.READ_FAILED.ok
    assert describe_sw3(0x41) == "SW3 41 (read failed)"
    assert describe_sw3(0x55) == "SW3 55 (unknown status)"
    assert response_from_body(b"\x00\x00\x55").status is None


def test_sam_id_formatting() -> None:
    raw = build_sam_id(5, 1, 20231115, 123456789, 987654321)
    assert format_sam_id(raw) == "05.01-20231115-0123456789-0987654321"
    assert raw[:2] == b"\x05\x00"  # little-endian
    with pytest.raises(IdCardProtocolError):
        format_sam_id(raw[:-1])


def test_added_address_round_trip_and_size() -> None:
    raw = build_added_address("上海市徐汇区示例街道100弄5号")
    assert len(raw) == 70
    assert parse_added_address(raw) == "上海市徐汇区示例街道100弄5号"
    with pytest.raises(IdCardProtocolError):
        parse_added_address(raw[:68])
    with pytest.raises(IdCardProtocolError):
        build_added_address("长" * 36)


def test_wire_time_is_ten_bits_per_byte() -> None:
    assert wire_seconds(1295, 115200) == pytest.approx(0.112413, rel=1e-4)


class TestStreamParser:
    """The streaming parser: chunking, garbage, resynchronisation."""

    find_ok = bytes.fromhex("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    status_ok = bytes.fromhex("AA AA AA 96 69 00 04 00 00 90 94")

    def test_frames_split_across_chunks_byte_by_byte(self) -> None:
        parser = FrameParser()
        out: list[Frame | CorruptFrame] = []
        for byte in self.find_ok + self.status_ok:
            out += parser.feed(bytes((byte,)))
        assert [f.body for f in out if isinstance(f, Frame)] == [
            self.find_ok[7:-1], self.status_ok[7:-1]]
        assert parser.pending == 0 and parser.discarded_bytes == 0

    def test_resynchronises_after_garbage_and_partial_preambles(self) -> None:
        parser = FrameParser()
        noise = b"\x00\xff\xaa\xaa\x96\x69" + b"\xaa\xaa\xaa\x96"
        out = parser.feed(noise + self.status_ok + b"\x13\x37" + self.find_ok)
        assert [f.body for f in out if isinstance(f, Frame)] == [
            self.status_ok[7:-1], self.find_ok[7:-1]]
        assert parser.discarded_bytes == len(noise) + 2

    def test_impossible_lengths_are_skipped(self) -> None:
        parser = FrameParser()
        out = parser.feed(PREAMBLE + b"\xff\xff" + PREAMBLE + b"\x00\x01" + self.status_ok)
        assert [type(f) for f in out] == [Frame]

    def test_a_bad_checksum_is_reported_and_the_next_frame_still_found(self) -> None:
        parser = FrameParser()
        damaged = self.status_ok[:-1] + b"\x00"
        out = parser.feed(damaged + self.find_ok)
        assert isinstance(out[0], CorruptFrame) and out[0].size == len(damaged)
        assert isinstance(out[1], Frame) and out[1].body == self.find_ok[7:-1]
        assert parser.corrupt_frames == 1

    def test_a_frame_inside_a_truncated_one_is_recovered(self) -> None:
        read = build_response(Sw3.SUCCESS, build_read_data(b" \x00" * 128, bytes(1024)))
        parser = FrameParser()
        assert parser.feed(read[:600]) == []
        out = parser.feed(read)
        frames = [f for f in out if isinstance(f, Frame)]
        assert len(frames) == 1 and len(frames[0].body) == len(read) - 8

    def test_reset_forgets_a_partial_frame(self) -> None:
        parser = FrameParser()
        parser.feed(self.find_ok[:9])
        assert parser.pending == 9
        parser.reset()
        assert parser.pending == 0
        assert [type(f) for f in parser.feed(self.status_ok)] == [Frame]
