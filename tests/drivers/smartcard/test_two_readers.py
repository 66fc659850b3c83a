"""Two readers with a card each: both read, each event names its reader."""

from __future__ import annotations

from tests.drivers.smartcard.conftest import start_reader

from drivers.smartcard.virtual_card import CARDHOLDERS


def test_two_readers_read_independently(sim2) -> None:
    reader, events = start_reader(sim2)
    try:
        start = events.mark()
        assert sim2.insert(CARDHOLDERS[0], reader=0)
        assert sim2.insert(CARDHOLDERS[1], reader=1)
        events.wait_for(lambda e: e.kind == "identity_read"
                        and e.payload.id_number == CARDHOLDERS[0].id_number, start)
        events.wait_for(lambda e: e.kind == "identity_read"
                        and e.payload.id_number == CARDHOLDERS[1].id_number, start)
        presented = {e.payload for e in events.events[start:] if e.kind == "card_presented"}
        assert presented == {sim2.reader_name(0), sim2.reader_name(1)}

        start = events.mark()
        sim2.remove(reader=1)
        removed = events.wait_kind("card_removed", start)
        assert removed.payload == sim2.reader_name(1)
        # unplugging one reader leaves the other one working
        sim2.unplug_reader(1)
        sim2.remove(reader=0)
        events.wait_for(lambda e: e.kind == "card_removed" and e.payload == sim2.reader_name(0),
                        start)
        start = events.mark()
        sim2.insert(CARDHOLDERS[2], reader=0)
        identity = events.wait_kind("identity_read", start).payload
        assert identity.id_number == CARDHOLDERS[2].id_number
    finally:
        reader.stop()


def test_pattern_selects_one_reader(sim2) -> None:
    from tests.drivers.smartcard.conftest import EventRecorder

    from drivers.smartcard.pcsc import PcscReader

    events = EventRecorder()
    reader = PcscReader("smartcard", "Reader 1 00 00$", poll_timeout_ms=200)
    reader.start(events)
    try:
        events.wait_status("ready")
        start = events.mark()
        sim2.insert(CARDHOLDERS[0], reader=0)  # not watched
        sim2.insert(CARDHOLDERS[1], reader=1)
        identity = events.wait_kind("identity_read", start).payload
        assert identity.id_number == CARDHOLDERS[1].id_number
        presented = [e.payload for e in events.events if e.kind == "card_presented"]
        assert presented == [sim2.reader_name(1)]
    finally:
        reader.stop()
