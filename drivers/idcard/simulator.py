"""A GA/T 467 ID card reader simulated on the master side of a pty, in its own thread.

The driver opens the slave side through a symlink (``port_path``) exactly as it would open
``/dev/serial/by-id/...``, so tests and the demo run the real driver code. The simulator:

- answers SAM status/reset/id, find, select, read text + photo (with or without fingerprint),
  read added address, baud and RF-frame-size commands, with SW3 codes as a reader does;
- optionally emulates the wire: each command costs its bytes' wire time at ``baud`` (10 bits a
  byte, 8N1) and replies are paced out at that rate; each card command costs its card time;
- injects faults (`Fault`) for the next N replies or until cleared;
- can be "unplugged" (pty closed, symlink removed) and "replugged" (a new pty behind the same
  symlink), which is what a USB reader does to the driver.

Everything it exchanged is logged (`ExchangeRecord`), so a benchmark can compute the physical
floor of a read: wire time of all bytes plus card time.
"""

from __future__ import annotations

import collections
import contextlib
import os
import pty
import random
import select
import shutil
import tempfile
import threading
import time
import tty
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from drivers.idcard.payload import build_added_address, build_read_data, build_sam_id
from drivers.idcard.protocol import (
    BAUD_CODES,
    PREAMBLE,
    Command,
    CommandFrame,
    CorruptFrame,
    FrameParser,
    Sw3,
    build_response,
    command_from_body,
    wire_seconds,
)
from drivers.idcard.sim_cards import SimCard, synthetic_cards
from drivers.identity import DocumentKind

#: Pace replies out in chunks this big when emulating the wire (about 2.8 ms at 115200 baud).
WIRE_CHUNK_BYTES = 32
#: Give up writing to the pty when nobody reads it for this long.
WRITE_STALL_S = 1.0
SAM_ID = build_sam_id(5, 1, 20231115, 123456789, 987654321)
_CARD_COMMANDS = frozenset({Command.FIND_CARD, Command.SELECT_CARD, Command.READ_TEXT_PHOTO,
                            Command.READ_TEXT_PHOTO_FINGERPRINT, Command.READ_ADDED_ADDRESS})
_READ_COMMANDS = frozenset({Command.READ_TEXT_PHOTO, Command.READ_TEXT_PHOTO_FINGERPRINT})


class Fault(StrEnum):
    """What the simulator can do wrong."""

    GARBAGE = "garbage"  # noise (with false preambles) before the reply
    BAD_CHECKSUM = "bad_checksum"  # the reply's checksum byte is wrong
    TRUNCATED = "truncated"  # only the first half of the reply is sent
    SAM_SELF_TEST_FAILURE = "sam_self_test_failure"  # every command answers SW3 60
    NO_ANSWER = "no_answer"  # commands are swallowed
    SLOW_CARD = "slow_card"  # card commands take ``delay_s`` longer
    PULLED_MID_READ = "pulled_mid_read"  # half the read reply, then the card is gone


@dataclass(frozen=True, slots=True)
class CardTiming:
    """Simulated processing time per command, in seconds (the card/SAM part of the floor)."""

    sam_s: float = 0.0
    find_s: float = 0.0
    select_s: float = 0.0
    read_s: float = 0.0
    address_s: float = 0.0

    def for_command(self, command: Command | None) -> float:
        """Card time of one command."""
        if command in _READ_COMMANDS:
            return self.read_s
        return {Command.FIND_CARD: self.find_s, Command.SELECT_CARD: self.select_s,
                Command.READ_ADDED_ADDRESS: self.address_s}.get(command, self.sam_s)  # type: ignore[arg-type]


#: Card times of a plausible reader (RF transfer and crypto); used by the benchmark.
TYPICAL_TIMING = CardTiming(sam_s=0.002, find_s=0.01, select_s=0.02, read_s=0.1,
                            address_s=0.02)


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """One command and its reply as the simulator saw them (monotonic times)."""

    command: Command | None
    started: float  # when the command's first bytes arrived
    finished: float  # when the last reply byte was written (or the command was swallowed)
    bytes_in: int
    bytes_out: int
    card_s: float
    faults: tuple[Fault, ...] = ()


@dataclass(slots=True)
class _Rule:
    fault: Fault
    remaining: int | None
    command: Command | None
    delay_s: float = 0.0


@dataclass(slots=True)
class _Request:
    action: str
    done: threading.Event = field(default_factory=threading.Event)


class IdCardSimulator:
    """The simulated reader. Start it, give the driver `port_path`, then insert cards."""

    def __init__(self, link_path: str | Path | None = None, *, baud: int = 115200,
                 wire_time: bool = False, timing: CardTiming | None = None,
                 cards: dict[str, SimCard] | None = None, seed: int = 467,
                 quiet_after_read: bool = False) -> None:
        self._own_dir: Path | None = None
        if link_path is None:
            self._own_dir = Path(tempfile.mkdtemp(prefix="idcard-sim-"))
            link_path = self._own_dir / "ttyIDCARD"
        self.port_path = Path(link_path)
        self.baud = baud
        self.wire_time = wire_time
        self.timing = timing or CardTiming()
        self.cards = dict(cards) if cards is not None else synthetic_cards()
        #: Readers differ: some stop finding a card once it was read (select still works).
        self.quiet_after_read = quiet_after_read
        self.exchanges: collections.deque[ExchangeRecord] = collections.deque(maxlen=4096)
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self._card: SimCard | None = None
        self._selected = False
        self._card_read = False
        self._master: int | None = None
        self._slave: int | None = None
        self._requests: collections.deque[_Request] = collections.deque()
        self._wake_r, self._wake_w = -1, -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> IdCardSimulator:
        """Create the pty and the symlink, and start answering."""
        if self._thread is not None:
            return self
        self._wake_r, self._wake_w = os.pipe()
        self._plug()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="idcard-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering, close the pty, remove the symlink (and its temp folder)."""
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        self._unplug()
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._wake_r = self._wake_w = -1
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)

    def __enter__(self) -> IdCardSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def plugged(self) -> bool:
        """True while the pty exists."""
        return self._master is not None

    def unplug(self) -> None:
        """Close the pty and remove the symlink, like pulling the USB cable."""
        self._request("unplug")

    def replug(self) -> None:
        """Open a new pty behind the same symlink, like plugging the cable back in."""
        self._request("replug")

    # -- cards and faults ------------------------------------------------------------------

    def insert(self, card: str | SimCard) -> SimCard:
        """Put a card (a key of `cards`, or a SimCard) in the field."""
        chosen = self.cards[card] if isinstance(card, str) else card
        with self._lock:
            self._card, self._selected, self._card_read = chosen, False, False
        return chosen

    def remove(self) -> None:
        """Take the card away."""
        with self._lock:
            self._card, self._selected, self._card_read = None, False, False

    @property
    def card(self) -> SimCard | None:
        """The card in the field, if any."""
        return self._card

    def inject(self, fault: Fault, times: int | None = None, command: Command | None = None,
               delay_s: float = 0.0) -> None:
        """Apply ``fault`` to the next ``times`` matching replies (None: until cleared).

        ``command`` limits it to one command; by default SLOW_CARD hits card commands,
        PULLED_MID_READ hits reads, the others hit every command.
        """
        with self._lock:
            self._rules.append(_Rule(fault, times, command, delay_s))

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._rules.clear()

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        parser = FrameParser()
        started = time.monotonic()
        while not self._stop.is_set():
            self._serve_requests(parser)
            master = self._master
            if master is None:
                self._wait_wake(0.05)
                continue
            ready, _, _ = select.select([master, self._wake_r], [], [], 0.1)
            if self._wake_r in ready:
                self._drain_wake()
            if master not in ready:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:
                self._stop.wait(0.01)
                continue
            now = time.monotonic()
            if parser.pending == 0:
                started = now
            for item in parser.feed(data):
                if isinstance(item, CorruptFrame):
                    self._reply(None, build_response(Sw3.HOST_CHECKSUM_ERROR), started,
                                item.size, 0.0, ())
                else:
                    self._handle(item.body, started, item.size)
                started = now

    def _handle(self, body: bytes, started: float, size: int) -> None:
        if self.wire_time:
            self._sleep_until(started + wire_seconds(size, self.baud))
        frame = command_from_body(body)  # the parser only yields bodies of 2+ bytes
        command = frame.command
        rules = self._take_rules(command)
        faults = tuple(rule.fault for rule in rules)
        if Fault.NO_ANSWER in faults:
            self.exchanges.append(ExchangeRecord(command, started, time.monotonic(), size, 0,
                                                 0.0, faults))
            return
        card_s = self.timing.for_command(command)
        card_s += sum(r.delay_s for r in rules if r.fault is Fault.SLOW_CARD)
        self._stop.wait(card_s)
        reply, pull = self._answer(command, frame, Fault.SAM_SELF_TEST_FAILURE in faults,
                                   Fault.PULLED_MID_READ in faults)
        if Fault.BAD_CHECKSUM in faults:
            reply = reply[:-1] + bytes((reply[-1] ^ 0x5A,))
        if Fault.TRUNCATED in faults or pull:
            reply = reply[: len(reply) // 2]
        if Fault.GARBAGE in faults:
            reply = self._garbage() + reply
        self._reply(command, reply, started, size, card_s, faults)
        if pull:
            self.remove()
        if command is Command.SET_BAUD and reply == build_response(Sw3.SUCCESS):
            self.baud = _baud_for(frame.para) or self.baud

    def _answer(self, command: Command | None, frame: CommandFrame, sam_failed: bool,
                pull: bool) -> tuple[bytes, bool]:
        """The reply frame, and whether the card is pulled while it goes out."""
        with self._lock:
            card = self._card
            if command is None:
                return build_response(Sw3.BAD_COMMAND), False
            if sam_failed:
                return build_response(Sw3.SAM_SELF_TEST_FAILED), False
            match command:
                case Command.SAM_STATUS | Command.RESET_SAM:
                    return build_response(Sw3.SUCCESS), False
                case Command.READ_SAM_ID:
                    return build_response(Sw3.SUCCESS, SAM_ID), False
                case Command.SET_RF_FRAME_SIZE:
                    return build_response(Sw3.SUCCESS), False
                case Command.SET_BAUD:
                    ok = _baud_for(frame.para) is not None
                    return build_response(Sw3.SUCCESS if ok else Sw3.BAD_COMMAND), False
                case Command.FIND_CARD:
                    if card is None or (self.quiet_after_read and self._card_read):
                        return build_response(Sw3.FIND_FAILED), False
                    return build_response(Sw3.FIND_OK, bytes(4)), False
                case Command.SELECT_CARD:
                    if card is None:
                        return build_response(Sw3.SELECT_FAILED), False
                    self._selected = True
                    return build_response(Sw3.SUCCESS, bytes(8)), False
                case Command.READ_TEXT_PHOTO | Command.READ_TEXT_PHOTO_FINGERPRINT:
                    if card is None or not self._selected:
                        return build_response(Sw3.READ_FAILED), False
                    fingerprint = None
                    if command is Command.READ_TEXT_PHOTO_FINGERPRINT:
                        fingerprint = card.fingerprint or b""
                    self._card_read = True
                    data = build_read_data(card.text, card.photo, fingerprint)
                    return build_response(Sw3.SUCCESS, data), pull
                case Command.READ_ADDED_ADDRESS:
                    if card is None or not self._selected:
                        return build_response(Sw3.READ_FAILED), False
                    if card.added_address is None or card.kind is not DocumentKind.RESIDENT_ID:
                        return build_response(Sw3.NO_CONTENT), False
                    return build_response(Sw3.SUCCESS,
                                          build_added_address(card.added_address)), False
        return build_response(Sw3.BAD_COMMAND), False  # pragma: no cover - match is exhaustive

    def _take_rules(self, command: Command | None) -> list[_Rule]:
        taken = []
        with self._lock:
            for rule in list(self._rules):
                if not _rule_applies(rule, command):
                    continue
                taken.append(rule)
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._rules.remove(rule)
        return taken

    def _garbage(self) -> bytes:
        """Noise that looks like the start of frames: partial and false preambles."""
        noise = self._rng.randbytes(self._rng.randint(1, 24)).replace(PREAMBLE, b"")
        fake = bytes.fromhex("AAAAAA9669 0005 01020304 00")  # plausible length, wrong checksum
        impossible = PREAMBLE + b"\xff\xff"  # a length no reply has
        return b"\xaa\xaa\x96" + noise + impossible + fake + b"\xaa\xaa\xaa\x96"

    def _reply(self, command: Command | None, reply: bytes, started: float, size: int,
               card_s: float, faults: tuple[Fault, ...]) -> None:
        self._send(reply)
        self.exchanges.append(ExchangeRecord(command, started, time.monotonic(), size,
                                             len(reply), card_s, faults))

    def _send(self, data: bytes) -> None:
        master = self._master
        if master is None:
            return
        if not self.wire_time:
            self._write_all(master, data)
            return
        begin = time.monotonic()
        for pos in range(0, len(data), WIRE_CHUNK_BYTES):
            chunk = data[pos : pos + WIRE_CHUNK_BYTES]
            self._sleep_until(begin + wire_seconds(pos + len(chunk), self.baud))
            self._write_all(master, chunk)

    def _write_all(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        deadline = time.monotonic() + WRITE_STALL_S
        while view and not self._stop.is_set():
            _, writable, _ = select.select([], [fd], [], 0.05)
            if writable:
                try:
                    view = view[os.write(fd, view):]
                except BlockingIOError:
                    pass
                except OSError:
                    return
            elif time.monotonic() > deadline:
                return

    def _sleep_until(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining > 0:
            self._stop.wait(remaining)

    # -- pty plumbing ----------------------------------------------------------------------

    def _plug(self) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)  # no line discipline: 0x03, 0x11 ... pass untouched, no echo
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        tmp = self.port_path.with_name(self.port_path.name + ".new")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(os.ttyname(slave))
        tmp.replace(self.port_path)

    def _unplug(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.port_path.unlink()
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    def _request(self, action: str) -> None:
        if self._thread is None:
            (self._unplug if action == "unplug" else self._plug)()
            return
        request = _Request(action)
        self._requests.append(request)
        self._wake()
        request.done.wait(timeout=5.0)

    def _serve_requests(self, parser: FrameParser) -> None:
        while self._requests:
            request = self._requests.popleft()
            if request.action == "unplug" and self._master is not None:
                self._unplug()
                parser.reset()
            elif request.action == "replug" and self._master is None:
                self._plug()
            request.done.set()

    def _wake(self) -> None:
        if self._wake_w >= 0:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")

    def _wait_wake(self, timeout_s: float) -> None:
        ready, _, _ = select.select([self._wake_r], [], [], timeout_s)
        if ready:
            self._drain_wake()

    def _drain_wake(self) -> None:
        with contextlib.suppress(OSError):
            os.read(self._wake_r, 512)


def _rule_applies(rule: _Rule, command: Command | None) -> bool:
    if rule.command is not None:
        return rule.command is command
    if rule.fault is Fault.SLOW_CARD:
        return command in _CARD_COMMANDS
    if rule.fault is Fault.PULLED_MID_READ:
        return command in _READ_COMMANDS
    return True


def _baud_for(para: int) -> int | None:
    for baud, code in BAUD_CODES.items():
        if code == para:
            return baud
    return None
