"""Pure ESC/POS building: golden bytes, Chinese inside FS & ... FS ., QR via GS ( k, decoding."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.receipt.escpos import build_receipt, qr_bytes, text_bytes
from drivers.receipt.model import (
    Align,
    Feed,
    QrCode,
    QrErrorLevel,
    Receipt,
    Rule,
    TextLine,
    label_value_line,
)
from tests.printing.escpos_decode import decode


def test_chinese_goes_inside_fs_and_as_gb18030() -> None:
    assert text_bytes("回执 No.1，谢谢") == (
        b"\x1c&" + "回执".encode("gb18030") + b"\x1c." + b" No.1"
        + b"\x1c&" + "，谢谢".encode("gb18030") + b"\x1c.")
    assert text_bytes("ABC") == b"ABC"


def test_full_width_punctuation_is_kept_as_gb18030() -> None:
    data = text_bytes("（已缴）：「是」")
    assert data == b"\x1c&" + "（已缴）：「是」".encode("gb18030") + b"\x1c."


def test_qr_commands_match_the_spec() -> None:
    data = qr_bytes(QrCode("ABC", module_size=6, error_level=QrErrorLevel.M))
    assert data == bytes.fromhex(
        "1d286b0400314132 00".replace(" ", "")
        + "1d286b03003143 06".replace(" ", "")
        + "1d286b03003145 31".replace(" ", "")
        + "1d286b0600315030 414243".replace(" ", "")  # pL = len(data) + 3 = 6
        + "1d286b0300315130")


def test_long_qr_payload_uses_both_length_bytes() -> None:
    payload = "Z" * 300
    data = qr_bytes(QrCode(payload))
    store = data.index(b"1P0") - 5  # GS ( k pL pH 31 50 30 (store)
    assert data[store + 3] == (303 & 0xFF) and data[store + 4] == 303 >> 8


def test_golden_receipt_bytes() -> None:
    receipt = Receipt((TextLine("回执", Align.CENTER, bold=True, width=2, height=2),
                       TextLine("No.7"), Feed(1)), feed_before_cut=3)
    assert build_receipt(receipt) == (
        b"\x1b@"
        b"\x1ba\x01\x1bE\x01\x1d!\x11\x1c&" + "回执".encode("gb18030") + b"\x1c.\n"
        b"\x1d!\x00\x1bE\x00"
        b"\x1ba\x00No.7\n"
        b"\n"
        b"\x1ba\x00\x1dVB\x03")


def test_decoder_reads_back_text_modes_and_qr() -> None:
    receipt = Receipt((
        TextLine("政务服务回执", Align.CENTER, bold=True, width=2, height=2),
        Rule(),
        TextLine(label_value_line("业务", "社保缴费证明", 32)),
        TextLine("编号 SB2026112100017", Align.RIGHT),
        QrCode("ZWC1:ABCDEF", module_size=5),
    ))
    decoded = decode(build_receipt(receipt))
    assert decoded.inits == 1 and decoded.cuts == 1
    title = decoded.lines[0]
    assert (title.text, title.align, title.bold, title.size) == ("政务服务回执", 1, True, 0x11)
    assert decoded.lines[1].text == "-" * 32
    line = decoded.lines[2].text
    assert line.startswith("业务") and line.endswith("社保缴费证明")
    assert len(decoded.lines[2].text.encode("gb18030")) == 32  # fits the 32-column paper
    assert decoded.lines[3].align == 2
    assert decoded.qr_payloads == ["ZWC1:ABCDEF"]
    assert decoded.qr_settings == [{"model": 0x32, "module_size": 5, "error_level": 0x31}]


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x9FFF,
                                      blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_text_round_trips(text: str) -> None:
    decoded = decode(build_receipt(Receipt((TextLine(text),), cut=False)))
    assert decoded.lines[0].text == text
