"""Suite-wide test tiers: what `bash scripts/test.sh --fast` leaves out (docs/adr/0443).

Every test that drives a real Kivy window, or starts real pcscd daemons, is marked ``slow`` by
its folder, so the edit loop stays short; CI runs everything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
#: Folders whose tests are slow by nature: a real Kivy window, or real pcscd daemons.
SLOW_FOLDERS = ("ui", "technician/ui", "drivers/smartcard")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of `SLOW_FOLDERS` slow."""
    slow = [ROOT / folder for folder in SLOW_FOLDERS]
    for item in items:
        path = Path(str(item.fspath))
        if any(path.is_relative_to(folder) for folder in slow):
            item.add_marker(pytest.mark.slow)
