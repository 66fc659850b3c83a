"""A USB keyboard-wedge scanner read through evdev, grabbed so its keys never reach the UI.

``KeyboardWedgeDecoder`` (pure) turns evdev key events into characters as a US-layout keyboard
types them (Shift and Caps Lock honoured; Enter and Tab become the CR and TAB suffixes). The
characters go through the same suffix framing and classification as a serial scanner. Keyboard
wedges cannot carry Chinese reliably; prefer CDC scanners (see the spec).
``EvdevScanner`` opens ``/dev/input/by-id/...``, grabs it (EVIOCGRAB) and reads it in a thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from dataclasses import dataclass, field

from evdev import InputDevice, InputEvent, ecodes

from drivers.interfaces import DeviceEvent, Listener
from drivers.publisher import StatusPublisher
from drivers.scanner.events import frame_events
from drivers.scanner.framing import FrameItem, SuffixFramer
from drivers.scanner.payloads import MAX_CODE_BYTES
from drivers.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

RECONNECT_DELAY_SECONDS = 1.0

KEY_DOWN, KEY_HOLD = 1, 2


def _build_keymap() -> dict[int, tuple[str, str]]:
    keys: dict[int, tuple[str, str]] = {}
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        keys[getattr(ecodes, f"KEY_{letter}")] = (letter.lower(), letter)
    for digit, shifted in zip("1234567890", "!@#$%^&*()", strict=True):
        keys[getattr(ecodes, f"KEY_{digit}")] = (digit, shifted)
    for name, plain, shifted in (
            ("MINUS", "-", "_"), ("EQUAL", "=", "+"), ("LEFTBRACE", "[", "{"),
            ("RIGHTBRACE", "]", "}"), ("BACKSLASH", "\\", "|"), ("SEMICOLON", ";", ":"),
            ("APOSTROPHE", "'", '"'), ("GRAVE", "`", "~"), ("COMMA", ",", "<"),
            ("DOT", ".", ">"), ("SLASH", "/", "?"), ("SPACE", " ", " "),
            ("ENTER", "\r", "\r"), ("KPENTER", "\r", "\r"), ("TAB", "\t", "\t")):
        keys[getattr(ecodes, f"KEY_{name}")] = (plain, shifted)
    for digit in "0123456789":
        keys[getattr(ecodes, f"KEY_KP{digit}")] = (digit, digit)
    for name, char in (("KPMINUS", "-"), ("KPPLUS", "+"), ("KPDOT", "."),
                       ("KPSLASH", "/"), ("KPASTERISK", "*")):
        keys[getattr(ecodes, f"KEY_{name}")] = (char, char)
    return keys


KEYMAP = _build_keymap()
SHIFT_KEYS = frozenset({ecodes.KEY_LEFTSHIFT, ecodes.KEY_RIGHTSHIFT})


@dataclass(slots=True)
class KeyboardWedgeDecoder:
    """Key events -> framed codes. Unmapped keys make the current code garbage (a control
    character is inserted, so classification rejects it rather than guessing)."""

    framer: SuffixFramer = field(default_factory=lambda: SuffixFramer(max_bytes=MAX_CODE_BYTES))
    _shift: int = 0
    _caps: bool = False

    def feed(self, event: InputEvent) -> list[FrameItem]:
        """Consume one evdev event; completed codes come back."""
        if event.type != ecodes.EV_KEY:
            return []
        code, value = event.code, event.value
        if code in SHIFT_KEYS:
            if value == KEY_DOWN:
                self._shift += 1
            elif value == 0:
                self._shift = max(0, self._shift - 1)
            return []
        if value != KEY_DOWN:  # key up; auto-repeat (2) is not a scanner's doing
            return []
        if code == ecodes.KEY_CAPSLOCK:
            self._caps = not self._caps
            return []
        pair = KEYMAP.get(code)
        if pair is None:
            return self.framer.feed(b"\x1a")  # SUB: marks the code as garbled
        char = pair[1] if self._shift else pair[0]
        if self._caps and char.isalpha():
            char = char.swapcase()
        return self.framer.feed(char.encode("ascii"))

    def feed_all(self, events: list[InputEvent]) -> list[FrameItem]:
        """Consume a sequence of events."""
        out: list[FrameItem] = []
        for event in events:
            out.extend(self.feed(event))
        return out

    def reset(self) -> None:
        """Forget modifiers and any partial code."""
        self._shift = 0
        self._caps = False
        self.framer.reset()


class EvdevScanner:
    """A keyboard-wedge scanner at an evdev path, grabbed while open; a Device."""

    def __init__(self, path: str, *, name: str = "scanner", grab: bool = True,
                 reconnect_delay_s: float = RECONNECT_DELAY_SECONDS) -> None:
        self.name = name
        self.path = path
        self.grab = grab
        self._reconnect_delay_s = reconnect_delay_s
        self._decoder = KeyboardWedgeDecoder()
        self._publisher = StatusPublisher(self.name, DeviceStatus(DeviceState.NO_DEVICE,
                                                                  "not started"), log)
        self._stop = threading.Event()
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self.simulator: object | None = None

    def start(self, listener: Listener) -> None:
        """Open, grab and read the device in a thread. Ignored if running."""
        if self._thread is not None:
            return
        self._publisher.listener = listener
        self._stop.clear()
        if self._publisher.status.reason == "not started":
            self._publisher.set_initial(DeviceStatus(DeviceState.NO_DEVICE, "opening"))
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-evdev", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop, ungrab and close; safe to call twice."""
        self._stop.set()
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=5.0)
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._wake_r = self._wake_w = -1

    def status(self) -> DeviceStatus:
        """The last known status (never blocks)."""
        return self._publisher.status

    def _set_status(self, status: DeviceStatus) -> None:
        self._publisher.publish(status)

    def _emit(self, event: DeviceEvent) -> None:
        self._publisher.emit(event)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                device = InputDevice(self.path)
            except OSError:
                self._set_status(DeviceStatus(DeviceState.NO_DEVICE, f"no scanner at {self.path}"))
                self._wait(self._reconnect_delay_s)
                continue
            try:
                if self.grab:
                    device.grab()  # keys stop reaching the UI (and every other reader)
                self._decoder.reset()
                self._set_status(DeviceStatus(DeviceState.READY))
                self._read(device)
            except OSError:
                self._set_status(DeviceStatus(DeviceState.NO_DEVICE, "scanner disconnected"))
                self._wait(self._reconnect_delay_s)
            finally:
                _close_quietly(device, self.grab)

    def _wait(self, seconds: float) -> None:
        select.select([self._wake_r], [], [], seconds)

    def _read(self, device: InputDevice) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([device.fd, self._wake_r], [], [], 1.0)
            if device.fd not in ready:
                continue
            items: list[FrameItem] = []
            for event in device.read():
                items.extend(self._decoder.feed(event))
            for out in frame_events(items, "keyboard", self.name):
                self._emit(out)


def _close_quietly(device: InputDevice, grabbed: bool) -> None:
    if grabbed:
        with contextlib.suppress(OSError):
            device.ungrab()
    with contextlib.suppress(OSError):
        device.close()
