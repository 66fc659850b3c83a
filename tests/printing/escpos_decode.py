"""Test-side ESC/POS decoder: parse printed bytes back into lines of text and QR payloads.

No PyPI package parses ESC/POS, so the tests read the bytes themselves. Only the commands the
kiosk sends are understood; anything else raises, so a stray byte cannot slip through unnoticed.
Text outside Chinese mode must be ASCII; inside FS & ... FS . it is decoded as GB18030.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PrintedLine:
    """One printed line and the modes in force when it ended."""

    text: str
    align: int = 0
    bold: bool = False
    size: int = 0  # GS ! n value


@dataclass
class Decoded:
    """Everything a receipt printed."""

    lines: list[PrintedLine] = field(default_factory=list)
    qr_payloads: list[str] = field(default_factory=list)
    qr_settings: list[dict[str, int]] = field(default_factory=list)
    cuts: int = 0
    inits: int = 0
    status_requests: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All lines joined with newlines."""
        return "\n".join(line.text for line in self.lines)


class DecodeError(Exception):
    """Bytes the decoder does not understand."""


def decode(data: bytes) -> Decoded:
    """Decode a byte stream (as captured by the receipt simulator)."""
    out = Decoded()
    i = 0
    chinese = False
    text = bytearray()
    align = 0
    bold = False
    size = 0
    qr_store = b""
    qr_setting: dict[str, int] = {}

    def flush_text() -> str:
        nonlocal text
        raw = bytes(text)
        text = bytearray()
        return raw.decode("gb18030") if chinese else raw.decode("ascii")

    line = ""
    while i < len(data):
        b = data[i]
        if b == 0x1B:  # ESC
            cmd = data[i + 1]
            if cmd == 0x40:
                out.inits += 1
                align, bold, size = 0, False, 0
                i += 2
            elif cmd == 0x61:
                align = data[i + 2]
                i += 3
            elif cmd == 0x45:
                bold = bool(data[i + 2])
                i += 3
            elif cmd == 0x21:
                size = data[i + 2]
                i += 3
            else:
                raise DecodeError(f"unknown ESC {cmd:#x} at {i}")
        elif b == 0x1D:  # GS
            cmd = data[i + 1]
            if cmd == 0x21:
                size = data[i + 2]
                i += 3
            elif cmd == 0x56:
                out.cuts += 1
                i += 4 if data[i + 2] in (65, 66) else 3
            elif cmd == 0x28 and data[i + 2] == 0x6B:
                p_len = data[i + 3] | (data[i + 4] << 8)
                body = data[i + 5:i + 5 + p_len]
                if len(body) != p_len or body[0] != 0x31:
                    raise DecodeError(f"bad GS ( k at {i}")
                fn = body[1]
                if fn == 0x41:
                    qr_setting["model"] = body[2]
                elif fn == 0x43:
                    qr_setting["module_size"] = body[2]
                elif fn == 0x45:
                    qr_setting["error_level"] = body[2]
                elif fn == 0x50:
                    if body[2] != 0x30:
                        raise DecodeError("QR store m must be 0x30")
                    qr_store = body[3:]
                elif fn == 0x51:
                    out.qr_payloads.append(qr_store.decode("utf-8"))
                    out.qr_settings.append(dict(qr_setting))
                else:
                    raise DecodeError(f"unknown QR function {fn:#x}")
                i += 5 + p_len
            else:
                raise DecodeError(f"unknown GS {cmd:#x} at {i}")
        elif b == 0x1C:  # FS
            cmd = data[i + 1]
            line += flush_text()
            if cmd == 0x26:
                chinese = True
            elif cmd == 0x2E:
                chinese = False
            else:
                raise DecodeError(f"unknown FS {cmd:#x} at {i}")
            i += 2
        elif b == 0x10 and data[i + 1] == 0x04:  # DLE EOT n
            out.status_requests.append(data[i + 2])
            i += 3
        elif b == 0x0A:
            line += flush_text()
            out.lines.append(PrintedLine(line, align, bold, size))
            line = ""
            i += 1
        elif b < 0x20:
            raise DecodeError(f"unexpected control byte {b:#x} at {i}")
        else:
            text.append(b)
            i += 1
    line += flush_text()
    if line:
        out.lines.append(PrintedLine(line, align, bold, size))
    return out
