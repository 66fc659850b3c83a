"""The technician PIN and cards are stored salted and hashed: no plaintext on disk."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kiosk.technician.pin import PinError, PinStore, pin_store_for


def test_no_plaintext_pin_on_disk_and_a_salt_per_terminal(tmp_path: Path) -> None:
    a = pin_store_for(tmp_path / "a")
    b = pin_store_for(tmp_path / "b")
    a.set_pin("97531086")
    b.set_pin("97531086")
    raw_a = a.path.read_bytes()
    assert b"97531086" not in raw_a
    data_a, data_b = json.loads(raw_a), json.loads(b.path.read_bytes())
    assert data_a["salt"] != data_b["salt"]
    assert data_a["hash"] != data_b["hash"]  # same PIN, different terminals, different hashes
    assert stat.S_IMODE(a.path.stat().st_mode) == 0o600
    assert a.check("97531086").ok and not a.check("97531087").ok


def test_technician_card_is_hashed_and_matched(tmp_path: Path) -> None:
    store = PinStore(tmp_path / "pin.json")
    store.add_card("D15600012")
    assert b"D15600012" not in store.path.read_bytes()
    assert store.card_matches("d15600012 ")
    assert not store.card_matches("D15600013")
    assert not store.card_matches("")


def test_short_or_non_digit_pins_are_refused(tmp_path: Path) -> None:
    store = PinStore(tmp_path / "pin.json")
    for bad in ("123", "abcdef12", ""):
        with pytest.raises(PinError):
            store.set_pin(bad)
    assert not store.path.exists()
