"""The technician PIN: salted scrypt hash in the data folder, lockout with a growing delay.

The file holds the per-terminal salt, the hash and the failure counters, never the PIN. It is
rewritten atomically after every attempt, so a restart does not reset a lockout. Three wrong
PINs lock entry for 30 s; every further lockout doubles the delay up to one hour. A right PIN
resets everything. The clock is injected (wall-clock seconds: a lockout must survive a reboot).

Trivial PINs (one digit repeated, runs such as 123456 or 987654, short repeated patterns such
as 121212, two different digits, keypad lines) are refused when set. The demo profile's PIN is
stored marked as a demo PIN: a site-profile store never accepts it, nor any trivial PIN that an
older file may hold, and asks for a real one (`kiosk technician set-pin`), ADR 0432.

Technician cards: the social security card numbers of technicians, stored hashed with the same
salt, checked by `PinStore.card_matches` (pure once loaded).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Any

#: Wrong PINs in a row before entry is locked.
FAILURES_BEFORE_LOCKOUT = 3
#: First lockout; each further lockout doubles it.
FIRST_LOCKOUT_SECONDS = 30.0
#: No lockout is longer than this (a technician on site must get in the same day).
MAX_LOCKOUT_SECONDS = 3600.0
#: Shortest accepted PIN (digits only).
MIN_PIN_DIGITS = 6
#: scrypt cost: ~16 MiB and a few tens of milliseconds per check on a kiosk CPU.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PIN_FILE_NAME = "technician-pin.json"
#: The demo profile's PIN, shown on its technician screen (trivial on purpose; never on a site).
DEMO_PIN = "123456"


class PinOutcome(StrEnum):
    """What one PIN attempt did."""

    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    NOT_SET = "not_set"


@dataclass(frozen=True, slots=True)
class PinCheck:
    """The outcome, seconds to wait (when locked) and attempts left before a lockout."""

    outcome: PinOutcome
    wait_seconds: float = 0.0
    attempts_left: int = FAILURES_BEFORE_LOCKOUT

    @property
    def ok(self) -> bool:
        """True when the PIN was right."""
        return self.outcome is PinOutcome.OK


class PinError(ValueError):
    """A PIN that cannot be set (too short, not digits, trivial)."""


#: Lines of a phone or PIN pad, and other sequences people choose because they are easy.
_PAD_LINES = ("147258369", "369258147", "159357", "357159", "147369", "258258", "2580")


def trivial_pin_reason(pin: str) -> str:
    """Why ``pin`` is too easy to guess, or "" when it is not (digits only expected)."""
    digits = [int(c) for c in pin]
    if len(set(pin)) == 1:
        return "the same digit repeated"
    steps = {(b - a) % 10 for a, b in pairwise(digits)}
    if steps in ({1}, {9}):
        return "a run of consecutive digits"
    for period in range(2, len(pin) // 2 + 1):
        if (pin[:period] * len(pin))[:len(pin)] == pin:
            return "a short pattern repeated"
    if len(set(pin)) <= 2:
        return "only two different digits"
    if any(pin in line or line.startswith(pin) or pin.startswith(line) for line in _PAD_LINES):
        return "a line of the keypad"
    return ""


def lockout_seconds(lockouts: int) -> float:
    """The delay of the ``lockouts``-th lockout (1-based): 30, 60, 120 ... capped."""
    return min(FIRST_LOCKOUT_SECONDS * 2 ** max(0, lockouts - 1), MAX_LOCKOUT_SECONDS)


def _hash(secret: str, salt: bytes) -> str:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                          p=SCRYPT_P, dklen=32).hex()


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` through a temp file, fsync and rename (mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class PinStore:
    """The technician PIN and cards of one terminal, persisted in ``path``."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time,
                 profile: str = "site") -> None:
        self.path = path
        self._clock = clock
        self.profile = profile

    # -- persistence -----------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def _save(self, data: dict[str, Any]) -> None:
        write_json_atomically(self.path, data)

    def _salt(self, data: dict[str, Any]) -> bytes:
        if "salt" not in data:
            data["salt"] = secrets.token_hex(16)
        return bytes.fromhex(data["salt"])

    # -- set-up ----------------------------------------------------------------------------
    def is_set(self) -> bool:
        """True when a PIN this profile accepts has been set on this terminal."""
        return self._usable_hash(self._load()) is not None

    def _usable_hash(self, data: dict[str, Any]) -> str | None:
        """The stored hash, unless it is a demo PIN and this store is not a demo one."""
        stored = data.get("hash")
        if not stored or (data.get("demo") and self.profile != "demo"):
            return None
        return str(stored)

    def set_pin(self, pin: str) -> None:
        """Set (or replace) the PIN; resets the failure counters. Trivial PINs are refused."""
        if not pin.isdigit() or len(pin) < MIN_PIN_DIGITS:
            raise PinError(f"the PIN must be at least {MIN_PIN_DIGITS} digits")
        reason = trivial_pin_reason(pin)
        if reason:
            raise PinError(f"this PIN is too easy to guess ({reason}); choose another")
        self._store(pin, demo=False)

    def set_demo_pin(self, pin: str) -> None:
        """The demo profile's published PIN: stored marked as such, never accepted by a
        site-profile store (a terminal later switched to the site profile asks for a real
        one)."""
        if self.profile != "demo":
            raise PinError("a demo PIN is for the demo profile only")
        self._store(pin, demo=True)

    def _store(self, pin: str, demo: bool) -> None:
        data = self._load()
        salt = self._salt(data)
        data.update(hash=_hash(pin, salt), demo=demo, failures=0, lockouts=0, locked_until=0.0)
        self._save(data)

    def add_card(self, card_number: str) -> None:
        """Accept the technician card with this (social security) card number."""
        number = card_number.strip().upper()
        if len(number) < 6:
            raise PinError("a technician card number has at least 6 characters")
        data = self._load()
        digest = _hash(number, self._salt(data))
        cards = [c for c in data.get("cards", []) if c != digest]
        data["cards"] = [*cards, digest]
        self._save(data)

    def has_cards(self) -> bool:
        """True when at least one technician card is configured (no hashing: cheap)."""
        return bool(self._load().get("cards"))

    def card_matches(self, card_number: str) -> bool:
        """True when ``card_number`` is a configured technician card (constant-time compare)."""
        data = self._load()
        if not data.get("cards") or "salt" not in data or not card_number.strip():
            return False
        digest = _hash(card_number.strip().upper(), bytes.fromhex(data["salt"]))
        return any(hmac.compare_digest(digest, c) for c in data["cards"])

    # -- checking --------------------------------------------------------------------------
    def state(self) -> PinCheck:
        """Whether entry is locked now (without an attempt)."""
        data = self._load()
        if self._usable_hash(data) is None:
            return PinCheck(PinOutcome.NOT_SET, attempts_left=0)
        wait = float(data.get("locked_until", 0.0)) - self._clock()
        if wait > 0:
            return PinCheck(PinOutcome.LOCKED, wait, 0)
        return PinCheck(PinOutcome.WRONG if data.get("failures") else PinOutcome.OK, 0.0,
                        FAILURES_BEFORE_LOCKOUT - int(data.get("failures", 0)))

    def check(self, pin: str) -> PinCheck:
        """Try ``pin``: OK resets the counters; the third wrong one in a row locks entry."""
        data = self._load()
        stored = self._usable_hash(data)
        if stored is None:
            return PinCheck(PinOutcome.NOT_SET, attempts_left=0)
        now = self._clock()
        wait = float(data.get("locked_until", 0.0)) - now
        if wait > 0:
            return PinCheck(PinOutcome.LOCKED, wait, 0)
        right = hmac.compare_digest(_hash(pin, bytes.fromhex(data["salt"])), stored)
        if right and self.profile != "demo" and trivial_pin_reason(pin):
            # an older file's trivial PIN (the demo's, 000000): never a way in on a site
            return PinCheck(PinOutcome.NOT_SET, attempts_left=0)
        if right:
            data.update(failures=0, lockouts=0, locked_until=0.0)
            self._save(data)
            return PinCheck(PinOutcome.OK)
        failures = int(data.get("failures", 0)) + 1
        if failures >= FAILURES_BEFORE_LOCKOUT:
            lockouts = int(data.get("lockouts", 0)) + 1
            delay = lockout_seconds(lockouts)
            data.update(failures=0, lockouts=lockouts, locked_until=now + delay)
            self._save(data)
            return PinCheck(PinOutcome.LOCKED, delay, 0)
        data["failures"] = failures
        self._save(data)
        return PinCheck(PinOutcome.WRONG, 0.0, FAILURES_BEFORE_LOCKOUT - failures)


def pin_store_for(data_dir: Path, clock: Callable[[], float] = time.time,
                  profile: str = "site") -> PinStore:
    """The terminal's store: ``<data_dir>/technician/technician-pin.json``; ``profile`` is the
    settings' profile (only a demo store accepts the demo PIN)."""
    return PinStore(data_dir / "technician" / PIN_FILE_NAME, clock, profile)
