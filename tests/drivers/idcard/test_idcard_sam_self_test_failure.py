"""Fault: the SAM fails its self-test (SW3 60), at start or while running."""

from __future__ import annotations

from collections.abc import Callable

from drivers.idcard import Fault
from drivers.status import DeviceState
from tests.drivers.idcard.conftest import SimReader


def test_sam_failure_at_start_is_an_error_until_it_recovers(
        sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader(wait_ready=False,
                        before_start=lambda sim: sim.inject(Fault.SAM_SELF_TEST_FAILURE))
    error = reader.log.wait_status(DeviceState.ERROR).payload
    assert "SAM self-test failed" in error.reason
    assert not error.usable
    mark = reader.log.mark()
    reader.sim.clear_faults()
    reader.log.wait_status(DeviceState.READY, after=mark)
    assert reader.read("resident").kind == "identity_read"


def test_sam_failure_while_polling(sim_reader: Callable[..., SimReader]) -> None:
    reader = sim_reader()
    mark = reader.log.mark()
    reader.sim.inject(Fault.SAM_SELF_TEST_FAILURE)
    reader.log.wait_status(DeviceState.ERROR, after=mark)
    reader.sim.insert("resident")
    errors = reader.log.mark()
    reader.sim.clear_faults()
    reader.log.wait_status(DeviceState.READY, after=errors)
    reader.log.wait_for("identity_read", after=errors)
    statuses = [e.payload.state for e in reader.log.of_kind("status", mark)]
    assert statuses == [DeviceState.ERROR, DeviceState.READY]  # published once each
