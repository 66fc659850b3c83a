"""The PC/SC card reader driver over pyscard's low-level ``smartcard.scard`` API.

One worker thread owns one PC/SC context and loops: establish the context if there is none, list
the readers whose names match the configured pattern, wait in SCardGetStatusChange (with a short
timeout, so reader hotplug and a restarted pcscd are noticed), and on a new card connect
exclusively and read it. Any answer meaning "the service went away" (pcscd stopped or restarted:
no service, invalid handle, ...) releases the stale context and establishes a new one after a
delay. A reader that disappears is dropped; one that appears is picked up on the next round.
Fast taps are caught with pcsc-lite's event counter (upper 16 bits of the event state): a
different counter with the card still present means another card came in between two waits.

Events (DeviceEvent.source is the driver name): ``status`` (DeviceStatus, on change),
``card_presented`` (reader name), ``identity_read`` (drivers.identity.Identity),
``read_failed`` (a ReadFailure value, plain text), ``card_removed`` (reader name).
APDU traces go to the debug log as command header and status word, never data.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

from drivers.interfaces import DeviceEvent, Listener
from drivers.smartcard.apdu import CardError, ReadFailure
from drivers.smartcard.sscard import CardProblem, SocialSecurityCard, read_social_security_card
from drivers.status import DeviceState, DeviceStatus

log = logging.getLogger("drivers.smartcard")

#: Longest wait inside SCardGetStatusChange: bounds how late a reader hotplug is noticed.
POLL_TIMEOUT_MS = 500
#: Wait before re-establishing a context after pcscd went away (avoids a busy loop).
RECONNECT_DELAY_S = 0.5
#: Another application holding the card exclusively: retries and the pause between them.
SHARING_RETRIES = 5
SHARING_RETRY_DELAY_S = 0.1
#: After a failed transmit, how long to watch the reader for the card leaving: readers without
#: interrupts (and pcscd's polling of serial readers, every 400 ms) report removal late. A card
#: still there after this is read once more on a fresh connection.
REMOVAL_SETTLE_MS = 1000
#: Failures a card pulled in the middle of a command can cause (a cut answer looks malformed or
#: truncated): after one of these the reader is asked whether the card is still there, and a
#: card that left is reported as card_removed.
REMOVAL_LOOKALIKES = frozenset({ReadFailure.COMMUNICATION_ERROR, ReadFailure.CARD_REMOVED,
                                ReadFailure.MALFORMED_RESPONSE, ReadFailure.TRUNCATED_RECORD,
                                ReadFailure.BAD_RECORD, ReadFailure.UNRESPONSIVE_CARD})

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"


def _load_scard() -> ModuleType:
    # imported lazily: the module loads libpcsclite, which reads PCSCLITE_CSOCK_NAME once
    return importlib.import_module("smartcard.scard")


@dataclass
class _Slot:
    flags: int = 0
    present: bool = False
    counter: int = -1  # event counter when the present card was handled


class PcscReader:
    """Watches PC/SC readers matching a name pattern and reads social security cards."""

    def __init__(self, name: str = "smartcard", reader_pattern: str = ".*", *,
                 poll_timeout_ms: int = POLL_TIMEOUT_MS,
                 reconnect_delay_s: float = RECONNECT_DELAY_S,
                 today: Callable[[], date] = date.today,
                 scard: ModuleType | None = None) -> None:
        self.name = name
        self.reader_pattern = reader_pattern
        try:
            self._regex = re.compile(reader_pattern)
        except re.error as exc:
            raise ValueError(f"bad reader name pattern {reader_pattern!r}: {exc}") from None
        self._poll_timeout_ms = poll_timeout_ms
        self._reconnect_delay_s = reconnect_delay_s
        self._today = today
        self._scard: Any = scard
        self._listener: Listener | None = None
        self._status = DeviceStatus(DeviceState.NO_DEVICE, "not started")
        self._status_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: int | None = None
        self._slots: dict[str, _Slot] = {}
        self._pnp_flags = 0
        self.last_card: SocialSecurityCard | None = None  # full decode of the last good read

    # -- Device -----------------------------------------------------------------------------

    def start(self, listener: Listener) -> None:
        """Begin watching readers; events go to ``listener`` from the worker thread."""
        if self._thread is not None:
            return
        if self._scard is None:
            self._scard = _load_scard()
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"pcsc-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker and release the context; safe to call twice."""
        self._stop.set()
        context = self._context
        if context is not None and self._scard is not None:
            self._scard.SCardCancel(context)
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)
        self._listener = None

    def status(self) -> DeviceStatus:
        """The last known status (never blocks)."""
        with self._status_lock:
            return self._status

    # -- worker -----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._round()
        finally:
            self._drop_context()
            self._set_status(DeviceStatus(DeviceState.NO_DEVICE, "stopped"))

    def _round(self) -> None:
        s = self._scard
        if self._context is None:
            rc, context = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
            if rc != s.SCARD_S_SUCCESS:
                self._set_status(DeviceStatus(DeviceState.NO_DEVICE, "PC/SC service not running"))
                self._stop.wait(self._reconnect_delay_s)
                return
            self._context = context
            self._pnp_flags = s.SCARD_STATE_UNAWARE
        readers = self._list_readers()
        if readers is None:
            self._lose_service()
            return
        self._forget_missing(readers)
        if not readers:
            self._set_status(DeviceStatus(DeviceState.NO_DEVICE,
                                          f"no reader matching {self.reader_pattern!r}"))
        elif self.status().state is not DeviceState.READY:
            self._set_status(DeviceStatus(DeviceState.READY))
        self._wait_and_handle(readers)

    def _list_readers(self) -> list[str] | None:
        s = self._scard
        rc, names = s.SCardListReaders(self._context, [])
        if rc in (s.SCARD_E_NO_READERS_AVAILABLE, s.SCARD_S_SUCCESS):
            return [n for n in (names or []) if self._regex.search(n)]
        log.info("pcsc: list readers failed: %s", _error_text(s, rc))
        return None

    def _forget_missing(self, readers: list[str]) -> None:
        for reader in list(self._slots):
            if reader not in readers:
                slot = self._slots.pop(reader)
                log.info("pcsc: reader gone: %s", reader)
                if slot.present:
                    self._emit("card_removed", reader)
        for reader in readers:
            if reader not in self._slots:
                log.info("pcsc: reader found: %s", reader)
                self._slots[reader] = _Slot(flags=self._scard.SCARD_STATE_UNAWARE)

    def _wait_and_handle(self, readers: list[str]) -> None:
        s = self._scard
        states = [(r, self._slots[r].flags) for r in readers]
        states.append((PNP_NOTIFICATION, self._pnp_flags))
        rc, new_states = s.SCardGetStatusChange(self._context, self._poll_timeout_ms, states)
        if rc in (s.SCARD_E_TIMEOUT, s.SCARD_E_CANCELLED):
            return
        if rc in (s.SCARD_E_UNKNOWN_READER, s.SCARD_E_READER_UNAVAILABLE):
            return  # the reader list changed under us: list again
        if rc != s.SCARD_S_SUCCESS:
            log.info("pcsc: status change failed: %s", _error_text(s, rc))
            self._lose_service()
            return
        for reader, event_state, _atr in new_states:
            flags = event_state & ~s.SCARD_STATE_CHANGED
            if reader == PNP_NOTIFICATION:
                self._pnp_flags = flags
                continue
            slot = self._slots.get(reader)
            if slot is None:
                continue
            slot.flags = flags
            self._handle_reader(reader, slot, event_state)
            if self._context is None or self._stop.is_set():
                return

    def _handle_reader(self, reader: str, slot: _Slot, event_state: int) -> None:
        s = self._scard
        present = bool(event_state & s.SCARD_STATE_PRESENT)
        counter = (event_state >> 16) & 0xFFFF
        if not present:
            if slot.present:
                slot.present = False
                self._emit("card_removed", reader)
            return
        if slot.present and counter == slot.counter:
            return
        if slot.present:  # a different card since we last looked: a fast tap
            self._emit("card_removed", reader)
        slot.present = True
        slot.counter = counter
        self._emit("card_presented", reader)
        if event_state & s.SCARD_STATE_MUTE:
            self._emit("read_failed", ReadFailure.UNRESPONSIVE_CARD.value)
            return
        self._read(reader, counter)

    # -- one read ---------------------------------------------------------------------------

    def _read(self, reader: str, counter: int) -> None:
        self._set_status(DeviceStatus(DeviceState.BUSY, "reading card"))
        try:
            try:
                card = self._read_card(reader)
            except CardError as exc:
                if exc.reason not in REMOVAL_LOOKALIKES:
                    raise
                if self._card_left(reader, counter):
                    raise CardError(ReadFailure.CARD_REMOVED, exc.detail) from None
                if exc.reason is not ReadFailure.COMMUNICATION_ERROR or self._stop.is_set():
                    raise
                log.info("pcsc: %s on %s with the card still there; retrying once", exc, reader)
                card = self._read_card(reader)
        except CardError as exc:
            log.info("pcsc: read failed on %s: %s", reader, exc)
            self._emit("read_failed", exc.reason.value)
            if exc.reason is ReadFailure.SERVICE_UNAVAILABLE:
                self._lose_service()
                return
        else:
            self.last_card = card
            if CardProblem.ID_CHECK_FAILED in card.problems:
                log.info("pcsc: card read on %s but its ID number fails the check", reader)
                self._emit("read_failed", ReadFailure.INVALID_ID_NUMBER.value)
            else:
                if card.problems:
                    log.info("pcsc: card problems: %s",
                             ", ".join(sorted(p.value for p in card.problems)))
                self._emit("identity_read", card.identity)
        if self._context is not None:
            self._set_status(DeviceStatus(DeviceState.READY))

    def _card_left(self, reader: str, counter: int) -> bool:
        """After a failed transmit: did the card go (or change)? Waits for pcscd's next poll."""
        s = self._scard
        rc, states = s.SCardGetStatusChange(self._context, 0, [(reader, s.SCARD_STATE_UNAWARE)])
        if rc != s.SCARD_S_SUCCESS or not states:
            return False
        flags = states[0][1]
        if not flags & s.SCARD_STATE_PRESENT or (flags >> 16) & 0xFFFF != counter:
            return True
        rc, states = s.SCardGetStatusChange(self._context, REMOVAL_SETTLE_MS,
                                            [(reader, flags & ~s.SCARD_STATE_CHANGED)])
        if rc != s.SCARD_S_SUCCESS or not states:
            return False
        flags = states[0][1]
        return not flags & s.SCARD_STATE_PRESENT or (flags >> 16) & 0xFFFF != counter

    def _read_card(self, reader: str) -> SocialSecurityCard:
        s = self._scard
        handle, protocol = self._connect(reader)
        # Reset after a good read, so the next user finds the card fresh. After a failure leave
        # the card alone: a reset of a card that is gone makes pcscd mark the reader empty behind
        # its event thread's back, and the next card inserted is then never reported.
        disposition = s.SCARD_LEAVE_CARD
        try:
            def transmit(apdu: bytes) -> bytes:
                rc, response = s.SCardTransmit(handle, protocol, list(apdu))
                if rc != s.SCARD_S_SUCCESS:
                    raise CardError(_failure_for(s, rc), _error_text(s, rc))
                return bytes(response)

            card = read_social_security_card(transmit, self._today(), self._trace)
            disposition = s.SCARD_RESET_CARD
            return card
        finally:
            s.SCardDisconnect(handle, disposition)

    def _connect(self, reader: str) -> tuple[int, int]:
        s = self._scard
        rc = s.SCARD_E_SHARING_VIOLATION
        for attempt in range(SHARING_RETRIES):
            rc, handle, protocol = s.SCardConnect(
                self._context, reader, s.SCARD_SHARE_EXCLUSIVE,
                s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
            if rc == s.SCARD_S_SUCCESS:
                return handle, protocol
            if rc != s.SCARD_E_SHARING_VIOLATION or self._stop.is_set():
                break
            if attempt + 1 < SHARING_RETRIES:
                self._stop.wait(SHARING_RETRY_DELAY_S)
        raise CardError(_failure_for(s, rc), _error_text(s, rc))

    def _trace(self, line: str) -> None:
        log.debug("apdu %s", line)

    # -- plumbing ---------------------------------------------------------------------------

    def _lose_service(self) -> None:
        for reader, slot in list(self._slots.items()):
            if slot.present:
                self._emit("card_removed", reader)
        self._slots.clear()
        self._drop_context()
        self._set_status(DeviceStatus(DeviceState.NO_DEVICE, "PC/SC service lost; reconnecting"))
        self._stop.wait(self._reconnect_delay_s)

    def _drop_context(self) -> None:
        context, self._context = self._context, None
        if context is not None and self._scard is not None:
            self._scard.SCardReleaseContext(context)

    def _set_status(self, status: DeviceStatus) -> None:
        with self._status_lock:
            old, self._status = self._status, status
        if old != status:
            log.info("pcsc: %s -> %s", old.describe(), status.describe())
            self._emit("status", status)

    def _emit(self, kind: str, payload: object = None) -> None:
        listener = self._listener
        if listener is None:
            return
        try:
            listener(DeviceEvent(kind, payload, self.name))
        except Exception:  # a listener bug must not kill the reader thread
            log.exception("pcsc: listener failed on %s", kind)


def _error_text(s: Any, rc: int) -> str:
    return f"0x{rc & 0xFFFFFFFF:08X}"


def _failure_for(s: Any, rc: int) -> ReadFailure:
    """Map a PC/SC error code to a plain read failure reason."""
    table = {
        s.SCARD_W_REMOVED_CARD: ReadFailure.CARD_REMOVED,
        s.SCARD_E_NO_SMARTCARD: ReadFailure.CARD_REMOVED,
        s.SCARD_W_RESET_CARD: ReadFailure.CARD_REMOVED,
        s.SCARD_E_SHARING_VIOLATION: ReadFailure.READER_BUSY,
        s.SCARD_W_UNRESPONSIVE_CARD: ReadFailure.UNRESPONSIVE_CARD,
        s.SCARD_W_UNPOWERED_CARD: ReadFailure.UNRESPONSIVE_CARD,
        s.SCARD_E_UNKNOWN_READER: ReadFailure.READER_GONE,
        s.SCARD_E_READER_UNAVAILABLE: ReadFailure.READER_GONE,
        s.SCARD_E_NO_SERVICE: ReadFailure.SERVICE_UNAVAILABLE,
        s.SCARD_E_SERVICE_STOPPED: ReadFailure.SERVICE_UNAVAILABLE,
        s.SCARD_E_INVALID_HANDLE: ReadFailure.SERVICE_UNAVAILABLE,
    }
    return table.get(rc, ReadFailure.COMMUNICATION_ERROR)
