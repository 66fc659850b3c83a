"""Pure IPP status mapping: ipptool plist output, printer-state-reasons, job states."""

from __future__ import annotations

import plistlib

import pytest

from drivers.docprinter.ipp_status import (
    JobState,
    job_state,
    normalise_reasons,
    parse_ipptool_plist,
    status_from_printer,
)
from drivers.status import DeviceState, SupplyState


def _plist(status: str, attrs: dict) -> bytes:
    return plistlib.dumps({"Tests": [{"StatusCode": status, "ResponseAttributes": [
        {"attributes-charset": "utf-8"}, attrs]}], "Successful": True})


def test_parse_answer_and_transport_errors() -> None:
    answer = parse_ipptool_plist(_plist("successful-ok", {"job-id": 3, "job-state": 9}))
    assert answer.ok and answer.attributes["job-id"] == 3 and job_state(answer.attributes) \
        is JobState.COMPLETED
    refused = parse_ipptool_plist(_plist("client-error-not-found", {}))
    assert not refused.ok and not refused.transport_error
    down = parse_ipptool_plist(plistlib.dumps({"Tests": [], "Successful": False,
                                               "ErrorMessage": "Unable to connect"}))
    assert down.transport_error == "Unable to connect"
    assert parse_ipptool_plist(b"garbage").transport_error


def test_reason_suffixes_and_none() -> None:
    assert normalise_reasons(["media-empty-warning", "media-needed-error", "none"]) == {
        "media-empty", "media-needed"}
    assert normalise_reasons("none") == frozenset()


@pytest.mark.parametrize(("reasons", "state", "supplies"), [
    ("none", DeviceState.READY, SupplyState.OK),
    ("media-empty-report", DeviceState.READY, SupplyState.OUT),
    (["media-jam-error", "media-empty"], DeviceState.READY, SupplyState.JAMMED),
    ("toner-low-report", DeviceState.READY, SupplyState.LOW),
    ("cover-open", DeviceState.READY, SupplyState.COVER_OPEN),
    ("offline-report", DeviceState.OFFLINE, SupplyState.OK),
])
def test_printer_status_mapping(reasons, state, supplies) -> None:
    status = status_from_printer({"printer-state": 3, "printer-state-reasons": reasons,
                                  "printer-is-accepting-jobs": True})
    assert status.state is state and status.supplies is supplies


def test_busy_stopped_and_not_accepting() -> None:
    assert status_from_printer({"printer-state": 4}).state is DeviceState.BUSY
    assert status_from_printer({"printer-state": 5}).state is DeviceState.ERROR
    assert status_from_printer({"printer-state": 3, "printer-is-accepting-jobs": False}).state \
        is DeviceState.OFFLINE


def test_job_states() -> None:
    assert job_state({"job-state": 5}) is JobState.PROCESSING
    assert not JobState.PROCESSING.terminal and JobState.ABORTED.terminal
    assert job_state({}) is None and job_state({"job-state": 42}) is None
