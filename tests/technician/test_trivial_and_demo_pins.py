"""Trivial technician PINs (000000, 123456, 121212...) cannot be set, and the demo profile's
published PIN, saved in the data folder, is never a way in once that folder serves a site
kiosk (nor is a trivial PIN left in an older file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import REPO_ROOT
from kiosk.technician.pin import DEMO_PIN, PinError, PinOutcome, PinStore, pin_store_for

TRIVIAL = ["000000", "999999", "123456", "234567", "987654", "654321", "890123", "121212",
           "123123", "112112", "110011", "000111", "147258", "258369", "0000000000",
           "12345678", "159357"]
GOOD = ["24681357", "97531086", "860427", "5930184"]


@pytest.mark.parametrize("pin", TRIVIAL)
def test_a_trivial_pin_is_refused_with_the_reason(tmp_path: Path, pin: str) -> None:
    store = pin_store_for(tmp_path)
    with pytest.raises(PinError, match="too easy to guess"):
        store.set_pin(pin)
    assert not store.is_set()


@pytest.mark.parametrize("pin", GOOD)
def test_an_ordinary_pin_is_accepted(tmp_path: Path, pin: str) -> None:
    store = pin_store_for(tmp_path)
    store.set_pin(pin)
    assert store.check(pin).ok


def test_the_demo_pin_saved_by_a_demo_kiosk_does_not_open_a_site_kiosk(tmp_path: Path) -> None:
    demo = pin_store_for(tmp_path, profile="demo")
    demo.set_demo_pin(DEMO_PIN)
    assert demo.check(DEMO_PIN).ok  # the demo works as published
    site = pin_store_for(tmp_path, profile="site")  # the same data folder, now on a site
    assert not site.is_set()
    assert site.check(DEMO_PIN).outcome is PinOutcome.NOT_SET
    with pytest.raises(PinError):
        site.set_demo_pin(DEMO_PIN)


def test_a_trivial_pin_left_in_an_older_file_is_not_accepted_on_a_site(tmp_path: Path) -> None:
    store = PinStore(tmp_path / "pin.json", profile="demo")
    store.set_demo_pin("000000")
    data = json.loads(store.path.read_text())
    del data["demo"]  # as written before demo PINs were marked
    store.path.write_text(json.dumps(data))
    assert PinStore(store.path, profile="site").check("000000").outcome is PinOutcome.NOT_SET


def test_the_command_line_refuses_a_trivial_pin_and_says_why(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK")}
    done = subprocess.run([sys.executable, "-m", "kiosk", "technician", "--site", str(site),
                           "set-pin", "--pin-stdin"], input="000000\n", cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "too easy to guess" in done.stderr and "Traceback" not in done.stderr
    assert not pin_store_for(tmp_path / "data").is_set()
