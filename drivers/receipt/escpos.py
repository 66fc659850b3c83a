"""Pure ESC/POS byte building (no I/O): a `Receipt` in, the bytes for the printer out.

Chinese is sent explicitly: every run of non-ASCII text goes inside FS & ... FS . (Chinese
double-byte mode) encoded as GB18030; ASCII runs are sent as ASCII outside it. python-escpos is
used for transports only, because its text path writes CJK without FS & and rewrites full-width
punctuation (see specs/cards-codes-receipts.md).
"""

from __future__ import annotations

from drivers.receipt.model import Align, Feed, QrCode, Receipt, Rule, TextLine, display_width

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
LF = b"\n"
INIT = ESC + b"@"
CHINESE_ON = FS + b"&"
CHINESE_OFF = FS + b"."
ENCODING = "gb18030"


def align(value: Align) -> bytes:
    """ESC a n."""
    return ESC + b"a" + bytes([int(value)])


def bold(on: bool) -> bytes:
    """ESC E n."""
    return ESC + b"E" + (b"\x01" if on else b"\x00")


def char_size(width: int, height: int) -> bytes:
    """GS ! n (high nibble width-1, low nibble height-1)."""
    return GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])


def text_bytes(text: str) -> bytes:
    """ASCII runs as ASCII, other runs inside FS & ... FS . as GB18030."""
    out = bytearray()
    run = ""
    run_ascii = True
    for char in text:
        is_ascii = ord(char) < 0x80
        if run and is_ascii != run_ascii:
            out += _run(run, run_ascii)
            run = ""
        run += char
        run_ascii = is_ascii
    if run:
        out += _run(run, run_ascii)
    return bytes(out)


def _run(run: str, is_ascii: bool) -> bytes:
    if is_ascii:
        return run.encode("ascii")
    return CHINESE_ON + run.encode(ENCODING, errors="replace") + CHINESE_OFF


def _qr_function(fn: int, data: bytes) -> bytes:
    size = len(data) + 2
    return GS + b"(k" + bytes([size & 0xFF, size >> 8, 0x31, fn]) + data


def qr_bytes(code: QrCode) -> bytes:
    """GS ( k: model 2, module size, error level, store, print."""
    data = code.payload.encode("utf-8")
    return b"".join((
        GS + b"(k" + bytes([4, 0, 0x31, 0x41, 0x32, 0x00]),  # model 2
        _qr_function(0x43, bytes([code.module_size])),
        _qr_function(0x45, bytes([int(code.error_level)])),
        _qr_function(0x50, b"\x30" + data),  # store: pL pH = len(data) + 3
        _qr_function(0x51, b"\x30"),  # print
    ))


def cut_bytes(partial: bool, feed_lines: int) -> bytes:
    """GS V 66/65 n: feed ``feed_lines`` then cut."""
    return GS + b"V" + bytes([66 if partial else 65, max(0, min(feed_lines, 255))])


def build_receipt(receipt: Receipt) -> bytes:
    """The complete byte stream for ``receipt``, starting with ESC @."""
    out = bytearray(INIT)
    for item in receipt.items:
        match item:
            case TextLine():
                out += align(item.align)
                if item.bold:
                    out += bold(True)
                if (item.width, item.height) != (1, 1):
                    out += char_size(item.width, item.height)
                out += text_bytes(item.text) + LF
                if (item.width, item.height) != (1, 1):
                    out += char_size(1, 1)
                if item.bold:
                    out += bold(False)
            case QrCode():
                out += align(item.align) + qr_bytes(item) + LF
            case Feed():
                out += LF * max(0, item.lines)
            case Rule():
                repeat = receipt.width_chars // max(1, display_width(item.char))
                out += align(Align.LEFT) + text_bytes(item.char * repeat) + LF
    out += align(Align.LEFT)
    if receipt.cut:
        out += cut_bytes(receipt.partial_cut, receipt.feed_before_cut)
    return bytes(out)
