"""open_smartcard_reader: URLs, options, the simulator handle."""

from __future__ import annotations

import pytest

from drivers.interfaces import Device
from drivers.smartcard import PcscReader, open_smartcard_reader
from drivers.smartcard.virtual_card import CARDHOLDERS, CardFault
from drivers.status import DeviceState
from tests.drivers.smartcard.conftest import EventRecorder


def test_pcsc_url_sets_the_reader_pattern() -> None:
    reader = open_smartcard_reader("pcsc://ACS%20ACR39U", name="ssc", poll_timeout_ms=100)
    assert isinstance(reader, PcscReader) and isinstance(reader, Device)
    assert reader.reader_pattern == "ACS ACR39U"
    assert reader.name == "ssc"
    assert open_smartcard_reader("pcsc://").reader_pattern == ".*"
    assert reader.status().state is DeviceState.NO_DEVICE


@pytest.mark.parametrize("url", ["usb://reader", "pcsc", "sim://camera", "pcsc://(unclosed"])
def test_bad_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        open_smartcard_reader(url)


def test_simulator_refused_when_not_allowed() -> None:
    with pytest.raises(ValueError):
        open_smartcard_reader("sim://smartcard", allow_simulator=False)


def test_sim_url_runs_the_real_driver_on_a_private_pcscd(pcsc_session_dir) -> None:
    reader = open_smartcard_reader("sim://smartcard", workdir=pcsc_session_dir,
                                   poll_timeout_ms=200)
    events = EventRecorder()
    reader.start(events)
    try:
        sim = reader.simulator  # type: ignore[attr-defined]
        events.wait_status("ready")
        start = events.mark()
        assert sim.insert(CARDHOLDERS[1])
        assert events.wait_kind("identity_read", start).payload.name == CARDHOLDERS[1].name
        start = events.mark()
        sim.remove()
        events.wait_kind("card_removed", start)
        sim.set_fault(CardFault.TRUNCATED_RECORD)
        sim.insert()
        assert events.wait_kind("read_failed", start).payload == "truncated_record"
    finally:
        reader.stop()
    assert not reader.simulator.pcscd.running  # type: ignore[attr-defined]
    reader.stop()  # twice is fine
