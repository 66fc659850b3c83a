"""Fuzzing: random and mutated bytes never raise anything but IdCardProtocolError."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.idcard.failures import ReadFailure
from drivers.idcard.payload import (
    CardData,
    build_read_data,
    format_sam_id,
    parse_added_address,
    parse_read_data,
)
from drivers.idcard.protocol import (
    PREAMBLE,
    Command,
    CommandFrame,
    CorruptFrame,
    Frame,
    FrameParser,
    IdCardProtocolError,
    Response,
    Sw3,
    build_command,
    build_response,
    parse_command,
    parse_response,
)
from drivers.idcard.sim_cards import synthetic_cards
from drivers.idcard.text import check_identity, decode_text_block
from drivers.identity import Identity

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

GOLDEN = [build_command(c) for c in Command if c is not Command.SET_BAUD] + [
    build_response(Sw3.SUCCESS), build_response(Sw3.FIND_OK, bytes(4)),
    build_response(Sw3.SUCCESS, bytes(8)), build_response(Sw3.FIND_FAILED),
    build_response(Sw3.SUCCESS, build_read_data(synthetic_cards()["resident"].text, bytes(1024))),
]
TEXTS = [card.text for card in synthetic_cards().values()]


def mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, value) edits: 0 flip, 1 insert, 2 delete."""
    out = bytearray(data)
    for kind, pos, value in edits:
        if not out:
            out.append(value)
            continue
        pos %= len(out)
        if kind == 0:
            out[pos] ^= value or 1
        elif kind == 1:
            out.insert(pos, value)
        else:
            del out[pos]
    return bytes(out)


edits = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4000), st.integers(0, 255)),
                 min_size=1, max_size=8)


def outcome(func: Callable[[bytes], object], data: bytes) -> object:
    """The result, or the IdCardProtocolError raised; any other exception fails the test."""
    try:
        return func(data)
    except IdCardProtocolError as exc:
        return exc


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_in_whole_frame_parsers(data: bytes) -> None:
    for raw in (data, PREAMBLE + data):
        assert isinstance(outcome(parse_command, raw), CommandFrame | IdCardProtocolError)
        assert isinstance(outcome(parse_response, raw), Response | IdCardProtocolError)


@FUZZ
@given(st.sampled_from(GOLDEN), edits)
def test_mutated_golden_frames(frame: bytes, changes: list[tuple[int, int, int]]) -> None:
    damaged = mutate(frame, changes)
    assert isinstance(outcome(parse_response, damaged), Response | IdCardProtocolError)
    assert isinstance(outcome(parse_command, damaged), CommandFrame | IdCardProtocolError)
    items = FrameParser().feed(damaged)
    assert all(isinstance(i, Frame | CorruptFrame) for i in items)
    assert sum(i.size for i in items) <= len(damaged)


@FUZZ
@given(st.lists(st.binary(max_size=400), max_size=12))
def test_stream_parser_never_raises_on_random_chunks(chunks: list[bytes]) -> None:
    parser = FrameParser()
    for chunk in chunks:
        for item in parser.feed(chunk):
            assert isinstance(item, Frame | CorruptFrame)
    assert parser.pending <= sum(map(len, chunks))


@FUZZ
@given(st.binary(max_size=300).filter(lambda g: PREAMBLE not in g), st.sampled_from(GOLDEN),
       st.binary(max_size=50), st.lists(st.integers(1, 64), min_size=1, max_size=40))
def test_a_frame_behind_garbage_is_always_found(garbage: bytes, frame: bytes, tail: bytes,
                                                cuts: list[int]) -> None:
    stream = garbage + frame + tail
    parser = FrameParser()
    found: list[bytes] = []
    pos = 0
    for size in cuts * (len(stream) // max(1, sum(cuts)) + 1):
        found += [i.body for i in parser.feed(stream[pos : pos + size]) if isinstance(i, Frame)]
        pos += size
        if pos >= len(stream):
            break
    assert frame[7:-1] in found


@FUZZ
@given(st.sampled_from(TEXTS), edits)
def test_mutated_text_blocks_decode_or_raise_protocol_errors(
        text: bytes, changes: list[tuple[int, int, int]]) -> None:
    damaged = mutate(text, [(0, pos, value) for _, pos, value in changes])  # flips keep size
    identity = outcome(decode_text_block, damaged)
    if isinstance(identity, Identity):
        assert check_identity(identity) in (None, *ReadFailure)
    else:
        assert isinstance(identity, IdCardProtocolError)


@FUZZ
@given(st.binary(min_size=256, max_size=256))
def test_random_text_blocks(text: bytes) -> None:
    identity = outcome(decode_text_block, text)
    if isinstance(identity, Identity):
        assert check_identity(identity) in (None, *ReadFailure)
        assert repr(identity).startswith("Identity(")
    else:
        assert isinstance(identity, IdCardProtocolError)


@FUZZ
@given(st.binary(max_size=2400))
def test_random_payloads(data: bytes) -> None:
    for result in (outcome(parse_read_data, data),
                   outcome(lambda d: parse_read_data(d, True), data)):
        assert isinstance(result, CardData | IdCardProtocolError)
    assert isinstance(outcome(parse_added_address, data[:70]), str | IdCardProtocolError)
    assert isinstance(outcome(format_sam_id, data[:16]), str | IdCardProtocolError)
