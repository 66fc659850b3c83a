"""A virtual social security card: an APDU applet and a vpcd client that puts it in a reader.

`SocialSecurityApplet` answers APDUs like a real card (AID, EF05/EF06, READ RECORD by number, by
tag and by SFI, exact-Le T=0 behaviour with 6C xx) and can misbehave on purpose (`CardFault`).
`VpcdCard` connects it to a vpcd reader in a running pcscd: the reader listens on a TCP port; the
card is the client; messages are a 2-byte big-endian length then a payload; a 1-byte payload is
control (0 power off, 1 power on, 2 reset, 4 get ATR), anything else an APDU. Insert = connect,
remove = close. TCP_QUICKACK is set before each recv, or every APDU costs ~40 ms of delayed ACK.

The cardholders are invented: names made up, ID numbers synthetic with a valid check character.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from drivers.smartcard.sscard import EF05_FIELDS, EF06_FIELDS, SOCIAL_SECURITY_AID
from identifiers.masking import mask_id_number
from identifiers.resident_id import id_check_character

#: A minimal T=0 ATR: TS 3B, T0 02 (no interface bytes, 2 historical bytes).
DEFAULT_ATR = bytes.fromhex("3B021450")
CONNECT_TIMEOUT_S = 5.0


class CardFault(StrEnum):
    """Ways the virtual card can misbehave (one at a time)."""

    NONE = "none"
    REGIONAL_AID = "regional_aid"  # AID -> 6A 82; EF05/EF06 selectable directly
    WRONG_CARD = "wrong_card"  # not a social security card: AID and EF05 -> 6A 82
    TRUNCATED_RECORD = "truncated_record"  # name record cut short, still 90 00
    REMOVE_MID_READ = "remove_mid_read"  # the card leaves after ``after_apdus`` APDUs
    #: the card leaves while answering APDU number ``after_apdus``: one byte, then gone
    REMOVE_MID_COMMAND = "remove_mid_command"
    T0_GET_RESPONSE = "t0_get_response"  # every data answer is 61 xx, data via GET RESPONSE
    T0_RESEND_LE = "t0_resend_le"  # first READ RECORD of each record answers 6C xx
    MUTE = "mute"  # power on and ATR, then every APDU answered 6F 00


@dataclass(frozen=True, slots=True)
class Cardholder:
    """An invented cardholder and card."""

    name: str
    id_number: str
    sex_code: str  # "1" male, "2" female
    ethnicity_code: int
    birthplace: str  # 6-digit region code
    card_number: str  # 9 characters
    region_code: str  # 6 digits, start of the card identification code
    issue_date: date
    valid_until: date | None

    def __repr__(self) -> str:
        return f"Cardholder(id={mask_id_number(self.id_number)}, card={self.card_number[:2]}***)"

    @property
    def birth_date(self) -> date:
        """From the ID number."""
        n = self.id_number
        return date(int(n[6:10]), int(n[10:12]), int(n[12:14]))


def synthetic_id_number(region: str, birth: date, sequence: int) -> str:
    """An ID number with a valid GB 11643 check character (odd sequence = male)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


CARDHOLDERS: tuple[Cardholder, ...] = (
    Cardholder("林晓测", synthetic_id_number("310104", date(1956, 3, 8), 27), "1", 1, "310104",
               "S31000001", "310104", date(2019, 6, 1), date(2029, 5, 31)),
    Cardholder("赵模拟", synthetic_id_number("110105", date(1948, 11, 30), 44), "2", 11,
               "110105", "B11000002", "110105", date(2018, 1, 15), date(2028, 1, 14)),
    Cardholder("欧阳虚卡", synthetic_id_number("440305", date(1990, 2, 28), 19), "1", 8,
               "440305", "G44000003", "440305", date(2021, 9, 9), date(2031, 9, 8)),
    Cardholder("阿依·测试", synthetic_id_number("650102", date(1972, 7, 1), 62), "2", 5,
               "650102", "X65000004", "650102", date(2012, 4, 1), date(2022, 3, 31)),
)


def _bcd_date(value: date | None) -> bytes:
    return bytes.fromhex(f"{value:%Y%m%d}") if value else b"\xff" * 4


def card_records(holder: Cardholder) -> dict[int, bytes]:
    """tag -> value bytes for EF05 and EF06, encoded as a real card stores them."""
    card_id = bytes.fromhex((holder.region_code + "D156000005" + holder.card_number.encode()
                             .hex()).ljust(32, "0")[:32])
    records = {
        0x01: card_id,
        0x02: b"3",
        0x03: b"3.00",
        0x04: (holder.region_code + "000001").encode().ljust(12, b"\x00"),
        0x05: _bcd_date(holder.issue_date),
        0x06: _bcd_date(holder.valid_until),
        0x07: holder.card_number.encode(),
        0x08: holder.id_number.encode(),
        0x09: holder.name.encode("gbk").ljust(30, b"\x00"),
        0x0A: holder.sex_code.encode(),
        0x0B: bytes((holder.ethnicity_code,)),
        0x0C: bytes.fromhex(holder.birthplace),
        0x0D: _bcd_date(holder.birth_date),
    }
    lengths = EF05_FIELDS | EF06_FIELDS
    for tag, value in records.items():
        if len(value) != lengths[tag]:
            raise ValueError(f"record {tag:02X} has {len(value)} bytes, want {lengths[tag]}")
    return records


SW_OK = b"\x90\x00"
SW_NOT_FOUND = b"\x6a\x82"
SW_RECORD_NOT_FOUND = b"\x6a\x83"
SW_WRONG_P1P2 = b"\x6b\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_NO_CURRENT_EF = b"\x69\x86"
SW_NO_PRECISE_DIAGNOSIS = b"\x6f\x00"
SW_WRONG_LENGTH = b"\x67\x00"


@dataclass
class SocialSecurityApplet:
    """The card's APDU logic. Not thread-safe: one reader thread drives it."""

    holder: Cardholder
    fault: CardFault = CardFault.NONE
    after_apdus: int = 6  # REMOVE_MID_READ: APDUs answered before the card leaves
    apdu_count: int = 0
    _df_selected: bool = False
    _current_ef: int | None = None
    _pending: bytes = b""
    _le_rejected: set[int] = field(default_factory=set)

    def reset(self) -> None:
        """Power on or reset: back to the MF, nothing pending."""
        self._df_selected = False
        self._current_ef = None
        self._pending = b""
        self._le_rejected = set()

    def wants_removal(self) -> bool:
        """True when the REMOVE_MID_READ fault says the card must leave now."""
        return self.fault is CardFault.REMOVE_MID_READ and self.apdu_count >= self.after_apdus

    def leaves_mid_answer(self) -> bool:
        """True when the REMOVE_MID_COMMAND fault cuts the answer now being sent."""
        return self.fault is CardFault.REMOVE_MID_COMMAND and self.apdu_count >= self.after_apdus

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU (data + SW)."""
        self.apdu_count += 1
        if len(apdu) < 4:
            return SW_WRONG_LENGTH
        if self.fault is CardFault.MUTE:
            return SW_NO_PRECISE_DIAGNOSIS
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        body = apdu[4:]
        if ins == 0xA4:
            data = body[1:1 + body[0]] if body else b""
            return self._select(p1, data)
        if ins == 0xB2:
            le = body[0] if body else 0
            return self._read_record(p1, p2, le)
        if ins == 0xC0:
            le = body[0] if body else 0
            return self._get_response(le)
        return SW_INS_NOT_SUPPORTED

    def _select(self, p1: int, data: bytes) -> bytes:
        self._pending = b""
        if p1 == 0x04:
            if data == SOCIAL_SECURITY_AID and self.fault not in (CardFault.REGIONAL_AID,
                                                                   CardFault.WRONG_CARD):
                self._df_selected = True
                self._current_ef = None
                return SW_OK
            return SW_NOT_FOUND
        if p1 == 0x02 and len(data) == 2:
            fid = int.from_bytes(data, "big")
            reachable = self._df_selected or self.fault is CardFault.REGIONAL_AID
            if fid in (0xEF05, 0xEF06) and reachable and self.fault is not CardFault.WRONG_CARD:
                self._current_ef = fid
                return SW_OK
            return SW_NOT_FOUND
        return SW_WRONG_P1P2

    def _read_record(self, p1: int, p2: int, le: int) -> bytes:
        if p2 & 0x07 == 0x04 and p2 >> 3:
            sfi = p2 >> 3
            ef = {5: 0xEF05, 6: 0xEF06}.get(sfi)
            if ef is None or not (self._df_selected or self.fault is CardFault.REGIONAL_AID):
                return SW_NOT_FOUND
            self._current_ef = ef
        elif p2 not in (0x04, 0x00):
            return SW_WRONG_P1P2
        if self._current_ef is None:
            return SW_NO_CURRENT_EF
        fields = EF05_FIELDS if self._current_ef == 0xEF05 else EF06_FIELDS
        if p1 not in fields:  # record numbers equal tags on this card, by number or by tag
            return SW_RECORD_NOT_FOUND
        value = card_records(self.holder)[p1]
        record = bytes((p1, len(value))) + value
        if self.fault is CardFault.TRUNCATED_RECORD and p1 == 0x09:
            record = record[:12]
        elif le != len(record):
            return b"\x6c" + bytes((len(record),))
        if self.fault is CardFault.T0_RESEND_LE and p1 not in self._le_rejected:
            self._le_rejected.add(p1)
            return b"\x6c" + bytes((len(record),))
        return self._answer(record)

    def _answer(self, data: bytes) -> bytes:
        if self.fault is CardFault.T0_GET_RESPONSE and data:
            self._pending = data
            return b"\x61" + bytes((len(data) & 0xFF,))
        return data + SW_OK

    def _get_response(self, le: int) -> bytes:
        if not self._pending:
            return b"\x6f\x00"
        want = le or 256
        if want > len(self._pending):
            return b"\x6c" + bytes((len(self._pending),))
        out, self._pending = self._pending[:want], self._pending[want:]
        if self._pending:
            return out + b"\x61" + bytes((len(self._pending),))
        return out + SW_OK


class VpcdCard:
    """Puts an applet into a vpcd reader: `insert` connects to the reader port, `remove` closes."""

    def __init__(self, applet: SocialSecurityApplet, port: int, host: str = "127.0.0.1",
                 atr: bytes = DEFAULT_ATR) -> None:
        self.applet = applet
        self.port = port
        self.host = host
        self.atr = atr
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.removed = threading.Event()

    @property
    def inserted(self) -> bool:
        """True while connected to the reader."""
        return self._sock is not None

    def insert(self, timeout_s: float = CONNECT_TIMEOUT_S) -> bool:
        """Connect to the reader (retrying while it is not listening yet); False on timeout."""
        self.remove()
        sock = _connect(self.host, self.port, timeout_s)
        if sock is None:
            return False
        self.applet.reset()
        self.applet.apdu_count = 0
        self.removed.clear()
        with self._lock:
            self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,),
                                        name=f"vpcd-card-{self.port}", daemon=True)
        self._thread.start()
        return True

    def remove(self) -> None:
        """Take the card out (close the connection); safe to call twice."""
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        self.removed.set()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                payload = _recv_message(sock)
                if payload is None:
                    break
                if len(payload) == 1:
                    if payload[0] == 4:
                        _send_message(sock, self.atr)
                    elif payload[0] in (1, 2):
                        self.applet.reset()
                    continue
                answer = self.applet.process(payload)
                if self.applet.leaves_mid_answer():
                    _send_message(sock, answer[:1])  # the contacts part mid-answer
                    break
                _send_message(sock, answer)
                if self.applet.wants_removal():
                    break
        except OSError:
            pass
        with self._lock:
            mine = self._sock is sock
            if mine:
                self._sock = None
        if mine:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            self.removed.set()


def _connect(host: str, port: int, timeout_s: float) -> socket.socket | None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=1.0)
        except OSError:
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)
            continue
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _recv_message(sock: socket.socket) -> bytes | None:
    header = _recv_exact(sock, 2)
    if header is None:
        return None
    (length,) = struct.unpack(">H", header)
    return _recv_exact(sock, length) if length else b""


def _send_message(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


def holder_with(holder: Cardholder, **changes: object) -> Cardholder:
    """A copy of ``holder`` with some fields changed (for tests: expired, bad check digit)."""
    return replace(holder, **changes)  # type: ignore[arg-type]
