"""Different content under a serial this terminal already printed: nothing is printed and the
resident gets a plain Chinese message, not an error screen (never two documents, one serial)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.adapters.devices import DeviceHub
from kiosk.printing.journal import PrintState
from kiosk.printing.service import SERIAL_CONFLICT_MESSAGE, KioskPrinting
from tests.printing.conftest import make_certificate


@pytest.fixture
def printing(tmp_path: Path) -> Iterator[KioskPrinting]:
    """The kiosk's printing over a real hub with the simulated A4 printer (ippeveprinter)."""
    hub = DeviceHub({"document_printer": "sim://docprinter"}, lambda fn: fn())
    hub.start(lambda *args: None)
    deadline = time.monotonic() + 60
    while not hub.usable("document_printer") and time.monotonic() < deadline:
        time.sleep(0.05)
    kiosk_printing = KioskPrinting(hub, tmp_path, demo=True)
    try:
        yield kiosk_printing
    finally:
        kiosk_printing.journal.close()
        hub.stop()


@pytest.mark.parametrize("reissue", [False, True])
def test_other_content_under_a_printed_serial_is_refused(printing: KioskPrinting,
                                                         reissue: bool) -> None:
    session = SimpleNamespace(session_id="s-1")
    first = make_certificate(months=3)
    assert printing.print_certificate(first, session).ok
    changed = dataclasses.replace(first, notes=("另一份内容。",))

    outcome = printing.print_certificate(changed, session, reissue=reissue)

    assert not outcome.ok
    assert outcome.message == SERIAL_CONFLICT_MESSAGE
    entries = printing.journal.entries()
    assert len(entries) == 1
    assert entries[0].state is PrintState.DONE and entries[0].attempts == 1
