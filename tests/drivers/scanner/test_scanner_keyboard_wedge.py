"""Keyboard-wedge scanners: evdev key event sequences decode to codes (Shift, Caps Lock,
Enter/Tab suffixes, key-up and auto-repeat ignored, unknown keys make the code garbage); the
device is grabbed so its keys never reach the UI. There is no /dev/uinput here: the decoder gets
real evdev InputEvent objects, and evdev.InputDevice is replaced at its boundary."""

from __future__ import annotations

import os
import threading
from unittest import mock

import evdev
from evdev import InputEvent, ecodes

from drivers.scanner import CODE_REJECTED, CODE_SCANNED, CodeKind, open_scanner
from drivers.scanner.events import frame_events
from drivers.scanner.wedge import KeyboardWedgeDecoder
from drivers.status import DeviceState
from tests.drivers.device_events import Events, wait_until

_SHIFTED = {'!': "1", '@': "2", '#': "3", '$': "4", '%': "5", '^': "6", '&': "7", '*': "8",
            '(': "9", ')': "0", '_': "MINUS", '+': "EQUAL", ':': "SEMICOLON", '?': "SLASH",
            '"': "APOSTROPHE", '<': "COMMA", '>': "DOT", '{': "LEFTBRACE", '}': "RIGHTBRACE",
            '|': "BACKSLASH", '~': "GRAVE"}
_PLAIN = {'-': "MINUS", '=': "EQUAL", ';': "SEMICOLON", '/': "SLASH", '.': "DOT",
          ',': "COMMA", "'": "APOSTROPHE", ' ': "SPACE", '\r': "ENTER", '\t': "TAB",
          '[': "LEFTBRACE", ']': "RIGHTBRACE", '\\': "BACKSLASH", '`': "GRAVE"}


def _key(code: int, value: int, t: float = 0.0) -> InputEvent:
    sec = int(t)
    return InputEvent(sec, int((t - sec) * 1e6), ecodes.EV_KEY, code, value)


def _syn() -> InputEvent:
    return InputEvent(0, 0, ecodes.EV_SYN, ecodes.SYN_REPORT, 0)


def typed(text: str) -> list[InputEvent]:
    """The events a US-layout wedge scanner sends to type ``text`` (press/release + SYN)."""
    events: list[InputEvent] = []
    for char in text:
        shift = char.isupper() or char in _SHIFTED
        if char.isalpha():
            name = char.upper()
        elif char.isdigit():
            name = char
        elif char in _SHIFTED:
            name = _SHIFTED[char]
        else:
            name = _PLAIN[char]
        code = getattr(ecodes, f"KEY_{name}")
        if shift:
            events += [_key(ecodes.KEY_LEFTSHIFT, 1), _syn()]
        events += [InputEvent(0, 0, ecodes.EV_MSC, ecodes.MSC_SCAN, 0x70004)]
        events += [_key(code, 1), _syn(), _key(code, 0), _syn()]
        if shift:
            events += [_key(ecodes.KEY_LEFTSHIFT, 0), _syn()]
    return events


def test_decode_codes_with_each_suffix() -> None:
    decoder = KeyboardWedgeDecoder()
    personal = "SCID:1:Ab3-_xYz0123456789Qq"
    url = "https://code.sandbox-city.example/p/AbCdEfGhIjKlMnOpQrSt?"
    out = decoder.feed_all(typed(personal + "\r") + typed("SB20261121000123\t")
                           + typed(url + "\r"))
    assert out == [personal.encode(), b"SB20261121000123", url.encode()]


def test_classified_events() -> None:
    decoder = KeyboardWedgeDecoder()
    items = decoder.feed_all(typed("SCID:1:Ab3-_xYz0123456789Qq\r"))
    (event,) = frame_events(items, "keyboard", "scanner")
    assert event.kind == CODE_SCANNED
    assert event.payload.kind is CodeKind.PERSONAL_CODE and event.payload.source == "keyboard"


def test_repeat_and_key_up_ignored_and_caps_lock() -> None:
    decoder = KeyboardWedgeDecoder()
    events = [_key(ecodes.KEY_A, 1), _key(ecodes.KEY_A, 2), _key(ecodes.KEY_A, 2),
              _key(ecodes.KEY_A, 0), _key(ecodes.KEY_CAPSLOCK, 1), _key(ecodes.KEY_CAPSLOCK, 0),
              _key(ecodes.KEY_B, 1), _key(ecodes.KEY_LEFTSHIFT, 1), _key(ecodes.KEY_C, 1),
              _key(ecodes.KEY_LEFTSHIFT, 0), _key(ecodes.KEY_KP7, 1), _key(ecodes.KEY_KPENTER, 1)]
    assert decoder.feed_all(events) == [b"aBc7"]


def test_unknown_key_makes_the_code_garbage() -> None:
    decoder = KeyboardWedgeDecoder()
    items = decoder.feed_all([*typed("AB"), _key(ecodes.KEY_F5, 1), _key(ecodes.KEY_F5, 0),
                              *typed("CD\r")])
    (event,) = frame_events(items, "keyboard", "scanner")
    assert event.kind == CODE_REJECTED and event.payload.text == ""


def test_overlong_typing_bounded() -> None:
    decoder = KeyboardWedgeDecoder()
    items = decoder.feed_all(typed("9" * 5000 + "\r") + typed("OK\r"))
    kinds = [e.kind for e in frame_events(items, "keyboard", "scanner")]
    assert kinds == [CODE_REJECTED, CODE_SCANNED]


class _FakeDevice:
    """What the driver sees of evdev.InputDevice: a readable fd, grab/ungrab, read, close."""

    def __init__(self, batches: list[list[InputEvent]]) -> None:
        self._r, self._w = os.pipe()
        self.fd = self._r
        self._batches = list(batches)
        self._lock = threading.Lock()
        for _ in batches:
            os.write(self._w, b"x")

    def read(self) -> list[InputEvent]:
        os.read(self._r, 1)
        with self._lock:
            return self._batches.pop(0)

    def close(self) -> None:
        os.close(self._r)
        os.close(self._w)


def test_evdev_scanner_grabs_and_reports() -> None:
    fake = _FakeDevice([typed("SB2026112100"), typed("0042\r")])
    device = mock.create_autospec(evdev.InputDevice, instance=True)
    device.fd = fake.fd
    device.read.side_effect = fake.read
    scanner = open_scanner("evdev:///dev/input/by-id/usb-Scanner-event-kbd")
    events = Events()
    with mock.patch("drivers.scanner.wedge.InputDevice", return_value=device) as opener:
        try:
            scanner.start(events)
            code = events.wait_for(lambda e: e.kind == CODE_SCANNED)
        finally:
            scanner.stop()
    opener.assert_called_with("/dev/input/by-id/usb-Scanner-event-kbd")
    device.grab.assert_called_once()  # keys never reach the UI
    device.ungrab.assert_called_once()
    device.close.assert_called()
    assert code.payload.kind is CodeKind.CASE_NUMBER and code.payload.text == "SB20261121000042"
    fake.close()


def test_evdev_device_missing_is_a_status() -> None:
    scanner = open_scanner("evdev:///dev/input/by-id/kiosk-test-absent-event-kbd",
                           reconnect_delay_s=0.05)
    try:
        scanner.start(Events())
        wait_until(lambda: scanner.status().state is DeviceState.NO_DEVICE
                   and "absent" in scanner.status().reason)
    finally:
        scanner.stop()
