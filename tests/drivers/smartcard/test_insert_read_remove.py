"""Insert a card, read the identity through a real pcscd, remove it."""

from __future__ import annotations

import logging
import time
from datetime import date

import pytest

from drivers.identity import DocumentKind, Identity
from drivers.smartcard.virtual_card import CARDHOLDERS
from drivers.status import DeviceState


def test_insert_read_remove(watched) -> None:
    sim, reader, events = watched
    holder = CARDHOLDERS[1]
    start = events.mark()
    assert sim.insert(holder)
    presented = events.wait_kind("card_presented", start)
    assert presented.payload == sim.reader_name()
    assert presented.source == "smartcard"
    identity = events.wait_kind("identity_read", start).payload
    assert isinstance(identity, Identity)
    assert identity.kind is DocumentKind.SOCIAL_SECURITY_CARD
    assert identity.name == holder.name
    assert identity.id_number == holder.id_number
    assert identity.card_number == holder.card_number
    assert identity.sex == "女"
    assert identity.ethnicity == "满"
    assert identity.birth_date == date(1948, 11, 30)
    assert identity.valid_from == holder.issue_date
    assert identity.valid_to == holder.valid_until
    assert identity.issuer == "110105"
    assert reader.last_card is not None and reader.last_card.problems == frozenset()
    assert reader.last_card.selected_by_aid

    start = events.mark()
    sim.remove()
    removed = events.wait_kind("card_removed", start)
    assert removed.payload == sim.reader_name()
    assert reader.status().state is DeviceState.READY
    assert events.kinds() == ["card_presented", "identity_read", "card_removed"]


def test_status_goes_busy_while_reading_then_ready(watched) -> None:
    sim, _reader, events = watched
    start = events.mark()
    sim.insert()
    events.wait_kind("identity_read", start)
    deadline = time.monotonic() + 10  # READY may be published just after identity_read

    def states() -> list[DeviceState]:
        return [e.payload.state for e in events.events[start:] if e.kind == "status"]

    while len(states()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert states()[:2] == [DeviceState.BUSY, DeviceState.READY]


def test_expired_card_still_reads_and_reports_expiry(watched) -> None:
    sim, reader, events = watched
    holder = CARDHOLDERS[3]  # valid until 2022
    start = events.mark()
    sim.insert(holder)
    identity = events.wait_kind("identity_read", start).payload
    assert identity.expired(date.today())
    assert reader.last_card is not None
    assert [p.value for p in reader.last_card.problems] == ["expired"]


def test_apdu_trace_carries_no_personal_data(watched, caplog: pytest.LogCaptureFixture) -> None:
    sim, _reader, events = watched
    holder = CARDHOLDERS[2]
    caplog.set_level(logging.DEBUG, logger="drivers.smartcard")
    start = events.mark()
    sim.insert(holder)
    events.wait_kind("identity_read", start)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "apdu 00 B2 09 04 -> 90 00" in text  # the trace is there: header and SW
    for secret in (holder.name, holder.id_number, holder.card_number,
                   holder.name.encode("gbk").hex(), holder.id_number.encode().hex()):
        assert secret.lower() not in text.lower()
