"""The ID card reader driver over a serial port (pyserial), run by one worker thread.

Workflow of the worker:

1. open the port (path, by-id name or pyserial URL); if it is missing, report ``no_device`` and
   try again every ``reconnect_interval_s``;
2. check the SAM (``11 FF``; on SW3 60 reset it once and check again), read the SAM id once;
3. poll ``find card`` every ``poll_interval_s``; on a card: ``card_presented``, then
   ``select`` -> ``read text + photo`` (-> ``read added address`` for resident ID cards), with
   ``read_attempts`` attempts; then ``identity_read`` or ``read_failed``;
4. watch the card until it leaves (``removal_misses`` polls in a row where neither find nor
   select sees it): ``card_removed``;
5. on any port error (USB unplugged) close, report ``no_device``, and go back to 1.

Every exchange flushes stale input, sends one frame and waits for a plausible reply until a
deadline (command timeout + wire time of both frames at the configured baud). Replies that do
not fit the command (late answers to an earlier command) are dropped; after a corrupt frame
the real reply gets a short grace period, then the exchange fails and the caller retries.
Consecutive unanswered commands make the reader ``offline``.

Events (`drivers.interfaces.DeviceEvent`, ``source`` = the reader's name), from the worker:
``status`` (DeviceStatus, only on change), ``card_presented`` (None), ``identity_read``
(`drivers.identity.Identity`), ``read_failed`` (`ReadFailure`), ``card_removed`` (None).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import serial

from drivers.idcard.failures import ReadFailure
from drivers.idcard.payload import (
    ADDED_ADDRESS_BYTES,
    FIND_DATA_BYTES,
    READ_DATA_BYTES,
    SAM_ID_BYTES,
    SELECT_DATA_BYTES,
    CardData,
    format_sam_id,
    parse_added_address,
    parse_read_data,
)
from drivers.idcard.photo import PhotoDecoder, decode_photo, load_photo_decoder
from drivers.idcard.port import PortSpec, open_port
from drivers.idcard.protocol import (
    HEADER_LENGTH,
    Command,
    CorruptFrame,
    FrameParser,
    IdCardProtocolError,
    Response,
    Sw3,
    build_command,
    response_from_body,
    wire_seconds,
)
from drivers.idcard.text import TextBlockError, check_identity, decode_text_block
from drivers.identity import DocumentKind, Identity
from drivers.interfaces import DeviceEvent, Listener
from drivers.status import DeviceState, DeviceStatus

try:  # termios errors (tcflush on a vanished tty) are not OSErrors
    import termios

    _PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError,
                                                     termios.error)
except ImportError:  # pragma: no cover - non-POSIX
    _PORT_ERRORS = (serial.SerialException, OSError)

log = logging.getLogger(__name__)

#: Data bytes of each command's success reply (for plausibility and wire-time budgets).
_OK_DATA_BYTES = {
    Command.RESET_SAM: 0, Command.SAM_STATUS: 0, Command.READ_SAM_ID: SAM_ID_BYTES,
    Command.FIND_CARD: FIND_DATA_BYTES, Command.SELECT_CARD: SELECT_DATA_BYTES,
    Command.READ_TEXT_PHOTO: READ_DATA_BYTES, Command.READ_ADDED_ADDRESS: ADDED_ADDRESS_BYTES,
}
#: Status codes that only one command can produce; a reply with them to another is stale.
_ONLY_FROM = {Sw3.FIND_OK: Command.FIND_CARD, Sw3.FIND_FAILED: Command.FIND_CARD,
              Sw3.SELECT_FAILED: Command.SELECT_CARD, Sw3.NO_CONTENT: Command.READ_ADDED_ADDRESS}
_NOT_AUTHENTIC = {Sw3.CARD_AUTH_SAM_FAILED, Sw3.SAM_AUTH_CARD_FAILED,
                  Sw3.INFO_VERIFICATION_ERROR}
_SAM_FAULTS = {Sw3.SAM_SELF_TEST_FAILED, Sw3.SAM_NOT_AUTHORISED}


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """Tunables of the reader; every delay is injectable (tests use short ones)."""

    baud: int = 115200
    #: Pause between find-card polls: 5 polls a second feels instant and keeps the link quiet.
    poll_interval_s: float = 0.2
    #: Upper bound for find/select/status replies beyond wire time (public code waits 800 ms).
    command_timeout_s: float = 0.8
    #: Upper bound for the read reply beyond its wire time (public code waits 1000-1100 ms).
    read_timeout_s: float = 1.5
    #: Select + read attempts per card before ``read_failed(unreadable)``.
    read_attempts: int = 3
    #: Polls in a row without the card before ``card_removed`` (one RF glitch is not a removal).
    removal_misses: int = 2
    #: Unanswered commands in a row before the reader is reported offline.
    offline_after_timeouts: int = 2
    #: Wait between attempts to open a missing port.
    reconnect_interval_s: float = 1.0
    #: Wait between SAM checks while the reader is offline or its SAM fails.
    recheck_interval_s: float = 1.0
    #: After a corrupt frame, wait this long (plus the reply's wire time) for a good one: noise
    #: can look like a frame just before the real reply.
    corrupt_grace_s: float = 0.05
    #: Port read timeout: the granularity of deadlines and of stop().
    io_tick_s: float = 0.02
    #: Port write timeout (a frame is at most 10 bytes; a stuck write means a dead port).
    write_timeout_s: float = 1.0
    #: Also read the newest added address (30 03) of resident ID cards.
    read_added_address: bool = True
    #: Photo decoder: dotted path or callable; None keeps no photo at all.
    photo_decoder: Any = None
    #: Device name used as the events' source.
    name: str = "idcard"

    def __post_init__(self) -> None:
        for name in ("poll_interval_s", "command_timeout_s", "read_timeout_s", "corrupt_grace_s",
                     "reconnect_interval_s", "recheck_interval_s", "write_timeout_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.io_tick_s <= 0 or self.baud <= 0:
            raise ValueError("io_tick_s and baud must be positive")
        for name in ("read_attempts", "removal_misses", "offline_after_timeouts"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


def reader_options(**options: Any) -> ReaderOptions:
    """Build `ReaderOptions`, naming an unknown option in a plain ValueError."""
    known = {f.name for f in dataclasses.fields(ReaderOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"unknown ID card reader option(s): {', '.join(unknown)}")
    return ReaderOptions(**options)


class Failure(StrEnum):
    """An exchange that produced no usable reply."""

    TIMEOUT = "timeout"
    CORRUPT = "corrupt"


class CardState(StrEnum):
    """Whether a card is on the reader, as far as the driver knows."""

    ABSENT = "absent"
    PRESENT = "present"  # presented and dealt with (read or refused); waiting for removal


@dataclass(slots=True)
class ReaderStats:
    """Counters for technicians and tests (no personal data)."""

    connects: int = 0
    port_losses: int = 0
    exchanges: int = 0
    timeouts: int = 0
    corrupt_frames: int = 0
    stale_frames: int = 0
    discarded_bytes: int = 0
    retries: int = 0
    reads_ok: int = 0
    reads_failed: int = 0


class _PortLost(Exception):
    """The port failed under us (unplugged); handled inside the worker only."""


class IdCardReader:
    """A GA/T 467 ID card reader on a serial port; implements `drivers.interfaces.Device`."""

    def __init__(self, port: PortSpec, options: ReaderOptions | None = None,
                 owned: Any = None) -> None:
        self.options = options or ReaderOptions()
        self.name = self.options.name
        self.port_spec = port
        self.stats = ReaderStats()
        self.sam_id = ""
        self._decoder: PhotoDecoder | None = load_photo_decoder(self.options.photo_decoder)
        self._owned = owned  # something to stop with the reader (the sim:// simulator)
        #: The simulator behind a ``sim://`` reader (None for a real port).
        self.simulator: Any = None
        self._listener: Listener | None = None
        self._status = DeviceStatus(DeviceState.NO_DEVICE, "not started")
        self._status_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: serial.SerialBase | None = None
        self._parser = FrameParser()
        self._card = CardState.ABSENT
        self._need_sam_check = True
        self._unanswered = 0
        self._misses = 0

    # -- Device protocol -------------------------------------------------------------------

    def start(self, listener: Listener) -> None:
        """Begin polling in a worker thread; events go to ``listener``. A second call is ignored."""
        if self._thread is not None:
            return
        self._listener = listener
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker, close the port (and an owned simulator); safe to call twice."""
        self._stopping.set()
        port = self._port
        if port is not None and hasattr(port, "cancel_read"):
            with contextlib.suppress(*_PORT_ERRORS):
                port.cancel_read()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        self._close_port()
        with self._status_lock:  # not published: the listener may be gone already
            self._status = DeviceStatus(DeviceState.NO_DEVICE, "stopped")
        if self._owned is not None:
            self._owned.stop()

    def status(self) -> DeviceStatus:
        """The last known status (never blocks on I/O)."""
        with self._status_lock:
            return self._status

    @property
    def card_state(self) -> CardState:
        """Whether a card is on the reader as far as the worker knows."""
        return self._card

    # -- worker ----------------------------------------------------------------------------

    def _run(self) -> None:
        opts = self.options
        while not self._stopping.is_set():
            try:
                if self._port is None and not self._connect():
                    self._stopping.wait(opts.reconnect_interval_s)
                    continue
                self._step()
            except _PortLost as exc:
                self._lose_port(DeviceStatus(DeviceState.NO_DEVICE, f"port lost ({exc})"))
            except Exception:  # a bug must not silently kill the reader: log, reopen, go on
                log.exception("idcard worker error")
                self._lose_port(DeviceStatus(DeviceState.ERROR, "driver error (see log)"))
                self._stopping.wait(opts.reconnect_interval_s)
        self._close_port()

    def _step(self) -> None:
        opts = self.options
        if self._need_sam_check:
            if not self._check_sam():
                self._stopping.wait(opts.recheck_interval_s)
                return
            self._need_sam_check = False
        if self._card is CardState.ABSENT:
            self._poll_for_card()
        else:
            self._poll_for_removal()
        self._stopping.wait(opts.poll_interval_s)

    def _connect(self) -> bool:
        try:
            self._port = open_port(self.port_spec, self.options.io_tick_s,
                                   self.options.write_timeout_s)
        except _PORT_ERRORS as exc:
            if self.status().state is not DeviceState.NO_DEVICE or not self.stats.connects:
                self._set_status(DeviceStatus(DeviceState.NO_DEVICE, _open_reason(exc)))
            return False
        self.stats.connects += 1
        self._parser.reset()
        self._need_sam_check = True
        self._unanswered = 0
        log.info("idcard port %s open", self.port_spec.describe())
        return True

    def _lose_port(self, status: DeviceStatus) -> None:
        self.stats.port_losses += 1
        self._close_port()
        if self._card is CardState.PRESENT:
            self._card = CardState.ABSENT
            self._emit("card_removed")
        self._set_status(status)

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(*_PORT_ERRORS):
                port.close()

    # -- SAM -------------------------------------------------------------------------------

    def _check_sam(self) -> bool:
        reply = self._exchange(Command.SAM_STATUS)
        if isinstance(reply, Failure):
            self._set_status(DeviceStatus(DeviceState.OFFLINE, "reader not answering"))
            return False
        if reply.sw3 in _SAM_FAULTS:
            self._exchange(Command.RESET_SAM)
            reply = self._exchange(Command.SAM_STATUS)
            if isinstance(reply, Failure):
                self._set_status(DeviceStatus(DeviceState.OFFLINE, "reader not answering"))
                return False
        if reply.sw3 != Sw3.SUCCESS:
            self._set_status(DeviceStatus(DeviceState.ERROR, f"SAM: {reply.describe()}"))
            return False
        if not self.sam_id:
            sam = self._exchange(Command.READ_SAM_ID)
            if isinstance(sam, Response) and sam.sw3 == Sw3.SUCCESS:
                self.sam_id = format_sam_id(sam.data)
                log.info("idcard SAM id %s", self.sam_id)
        self._set_status(DeviceStatus(DeviceState.READY))
        return True

    def _note_answer(self, reply: Response | Failure) -> None:
        """Track unanswered commands and SAM faults seen while polling.

        Only silence counts towards offline: a garbled reply shows the reader is there (and
        is counted in the stats); the read it spoils is retried.
        """
        if reply is Failure.CORRUPT:
            return
        if isinstance(reply, Failure):
            self._unanswered += 1
            if self._unanswered >= self.options.offline_after_timeouts:
                self._set_status(DeviceStatus(DeviceState.OFFLINE, "reader not answering"))
                self._need_sam_check = True
            return
        self._unanswered = 0
        if reply.sw3 in _SAM_FAULTS:
            self._set_status(DeviceStatus(DeviceState.ERROR, f"SAM: {reply.describe()}"))
            self._need_sam_check = True

    # -- card cycle ------------------------------------------------------------------------

    def _poll_for_card(self) -> None:
        reply = self._exchange(Command.FIND_CARD)
        self._note_answer(reply)
        if not isinstance(reply, Response) or reply.sw3 != Sw3.FIND_OK:
            return
        self._card = CardState.PRESENT
        self._misses = 0
        self._emit("card_presented")
        outcome = self._read_card()
        if isinstance(outcome, Identity):
            self.stats.reads_ok += 1
            self._emit("identity_read", outcome)
            return
        self.stats.reads_failed += 1
        log.info("idcard read failed: %s", outcome.technician_text)
        self._emit("read_failed", outcome)
        if outcome is ReadFailure.PULLED_MID_READ:
            self._card = CardState.ABSENT
            self._emit("card_removed")

    def _poll_for_removal(self) -> None:
        present = self._present()
        if present is not False:
            self._misses = 0
            return
        self._misses += 1
        if self._misses >= self.options.removal_misses:
            self._misses = 0
            self._card = CardState.ABSENT
            self._emit("card_removed")

    def _present(self) -> bool | None:
        """True/False when the reader says so; None when it did not answer."""
        found = self._exchange(Command.FIND_CARD)
        self._note_answer(found)
        if isinstance(found, Failure):
            return None
        if found.sw3 == Sw3.FIND_OK:
            return True
        # Some readers stop finding a card once it was read: ask with select too.
        selected = self._exchange(Command.SELECT_CARD)
        self._note_answer(selected)
        if isinstance(selected, Failure):
            return None
        return selected.sw3 == Sw3.SUCCESS

    def _read_card(self) -> Identity | ReadFailure:
        reason = ReadFailure.UNREADABLE
        for attempt in range(self.options.read_attempts):
            if self._stopping.is_set():
                break
            if attempt:
                self.stats.retries += 1
            outcome = self._attempt_read()
            if not isinstance(outcome, ReadFailure):
                return self._decode(*outcome)
            reason = outcome
            if outcome is ReadFailure.UNKNOWN_CARD_TYPE:
                return outcome
            if self._present() is False:
                return ReadFailure.PULLED_MID_READ
        return reason

    def _attempt_read(self) -> tuple[CardData, str] | ReadFailure:
        selected = self._exchange(Command.SELECT_CARD)
        self._note_answer(selected)
        if not isinstance(selected, Response) or selected.sw3 != Sw3.SUCCESS:
            return ReadFailure.UNREADABLE
        reply = self._exchange(Command.READ_TEXT_PHOTO, self.options.read_timeout_s)
        self._note_answer(reply)
        if isinstance(reply, Failure):
            return ReadFailure.UNREADABLE
        if reply.sw3 in _NOT_AUTHENTIC:
            return ReadFailure.NOT_AUTHENTIC
        if reply.sw3 == Sw3.UNKNOWN_CARD_TYPE:
            return ReadFailure.UNKNOWN_CARD_TYPE
        if reply.sw3 != Sw3.SUCCESS:
            return ReadFailure.UNREADABLE
        try:
            data = parse_read_data(reply.data)
        except IdCardProtocolError:
            return ReadFailure.UNREADABLE
        added = ""
        if self.options.read_added_address and _card_type_char(data.text) == " ":
            address = self._exchange(Command.READ_ADDED_ADDRESS)
            self._note_answer(address)
            if isinstance(address, Failure):
                return ReadFailure.UNREADABLE
            if address.sw3 == Sw3.SUCCESS:
                try:
                    added = parse_added_address(address.data)
                except IdCardProtocolError:
                    return ReadFailure.UNREADABLE
            elif address.sw3 != Sw3.NO_CONTENT:
                return ReadFailure.UNREADABLE
        return data, added

    def _decode(self, data: CardData, added_address: str) -> Identity | ReadFailure:
        try:
            identity = decode_text_block(data.text, added_address=added_address)
        except TextBlockError as exc:
            return exc.reason
        except IdCardProtocolError:
            return ReadFailure.MALFORMED_DATA
        reason = check_identity(identity)
        if reason is not None:
            return reason
        photo = decode_photo(self._decoder, data.photo)
        return dataclasses.replace(identity, photo=photo) if photo else identity

    # -- one exchange ----------------------------------------------------------------------

    def _exchange(self, command: Command, timeout_s: float | None = None) -> Response | Failure:
        """Send one command and wait for its reply; raises _PortLost when the port fails."""
        port = self._port
        if port is None:
            raise _PortLost("port closed")
        frame = build_command(command)
        reply_bytes = HEADER_LENGTH + 4 + _OK_DATA_BYTES.get(command, 0)
        budget = timeout_s if timeout_s is not None else self.options.command_timeout_s
        reply_wire_s = wire_seconds(reply_bytes, self.options.baud)
        budget += wire_seconds(len(frame), self.options.baud) + reply_wire_s
        parser = self._parser
        parser.reset()
        corrupt = False
        try:
            port.reset_input_buffer()
            port.write(frame)
            deadline = time.monotonic() + budget
            while not self._stopping.is_set():
                chunk = port.read(max(1, port.in_waiting))
                if chunk:
                    for item in parser.feed(chunk):
                        if isinstance(item, CorruptFrame):
                            if not corrupt:
                                grace = self.options.corrupt_grace_s + reply_wire_s
                                deadline = min(deadline, time.monotonic() + grace)
                            corrupt = True
                            self.stats.corrupt_frames += 1
                            continue
                        reply = _plausible_reply(command, item.body)
                        if reply is not None:
                            self.stats.exchanges += 1
                            return reply
                        self.stats.stale_frames += 1
                if time.monotonic() >= deadline:
                    break
        except _PORT_ERRORS as exc:
            raise _PortLost(type(exc).__name__ + ": " + str(exc)) from None
        finally:
            self.stats.discarded_bytes = parser.discarded_bytes
        if corrupt:
            return Failure.CORRUPT
        self.stats.timeouts += 1
        return Failure.TIMEOUT

    # -- events ----------------------------------------------------------------------------

    def _set_status(self, status: DeviceStatus) -> None:
        with self._status_lock:
            old, self._status = self._status, status
        if old != status:
            log.info("idcard status %s -> %s", old.describe(), status.describe())
            self._emit("status", status)

    def _emit(self, kind: str, payload: Any = None) -> None:
        listener = self._listener
        if listener is None:
            return
        try:
            listener(DeviceEvent(kind, payload, self.name))
        except Exception:  # a listener bug must not stop the reader
            log.exception("idcard listener failed on %s", kind)


def _plausible_reply(command: Command, body: bytes) -> Response | None:
    """The reply if it can be the answer to ``command``, else None (a stale or stray frame)."""
    try:
        reply = response_from_body(body)
    except IdCardProtocolError:
        return None
    status = reply.status
    success = Sw3.FIND_OK if command is Command.FIND_CARD else Sw3.SUCCESS
    if reply.sw3 == success:
        return reply if len(reply.data) == _OK_DATA_BYTES.get(command, 0) else None
    if status in (Sw3.SUCCESS, Sw3.FIND_OK):
        return None
    if status in _ONLY_FROM and _ONLY_FROM[status] is not command:
        return None
    return reply if not reply.data else None


def _card_type_char(text: bytes) -> str:
    try:
        return text[248:250].decode("utf-16-le")
    except UnicodeDecodeError:
        return ""


def _open_reason(exc: BaseException) -> str:
    errno = getattr(exc, "errno", None)
    if errno == 2:
        return "port not found"
    if errno == 13:
        return "permission denied on the port"
    if errno == 16:
        return "port busy"
    return f"cannot open port ({type(exc).__name__})"


__all__ = ["CardState", "DocumentKind", "Failure", "IdCardReader", "ReaderOptions",
           "ReaderStats", "reader_options"]
