"""Two readers with a card each: both read, each event names its reader."""

from __future__ import annotations

import re

from drivers.smartcard.pcsc import PcscReader
from drivers.smartcard.virtual_card import CARDHOLDERS
from tests.drivers.smartcard.conftest import EventRecorder, start_reader


def test_two_readers_read_independently(sim) -> None:
    reader, events = start_reader(sim)
    try:
        start = events.mark()
        assert sim.insert(CARDHOLDERS[0], reader=0)
        assert sim.insert(CARDHOLDERS[1], reader=1)
        events.wait_for(lambda e: e.kind == "identity_read"
                        and e.payload.id_number == CARDHOLDERS[0].id_number, start)
        events.wait_for(lambda e: e.kind == "identity_read"
                        and e.payload.id_number == CARDHOLDERS[1].id_number, start)
        presented = {e.payload for e in events.events[start:] if e.kind == "card_presented"}
        assert presented == {sim.reader_name(0), sim.reader_name(1)}

        start = events.mark()
        sim.remove(reader=1)
        removed = events.wait_kind("card_removed", start)
        assert removed.payload == sim.reader_name(1)
        # the other reader keeps its card and goes on working
        start = events.mark()
        sim.insert(CARDHOLDERS[2], reader=1)
        identity = events.wait_kind("identity_read", start).payload
        assert identity.id_number == CARDHOLDERS[2].id_number
        assert all(e.payload != sim.reader_name(0) for e in events.events[start:]
                   if e.kind in ("card_presented", "card_removed"))
    finally:
        reader.stop()


def test_pattern_selects_one_reader(sim) -> None:
    events = EventRecorder()
    reader = PcscReader("smartcard", re.escape(sim.reader_name(1)) + "$", poll_timeout_ms=200)
    reader.start(events)
    try:
        events.wait_status("ready")
        start = events.mark()
        sim.insert(CARDHOLDERS[0], reader=0)  # not watched
        sim.insert(CARDHOLDERS[1], reader=1)
        identity = events.wait_kind("identity_read", start).payload
        assert identity.id_number == CARDHOLDERS[1].id_number
        presented = [e.payload for e in events.events if e.kind == "card_presented"]
        assert presented == [sim.reader_name(1)]
    finally:
        reader.stop()
