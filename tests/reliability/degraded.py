"""The shared shape of a degraded-mode test: break one simulated device, check that exactly the
services needing it are greyed with the reason while another journey still works, repair it and
check the kiosk recovers by itself (status events through the hub, no refresh by the test)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows.views import StepKind
from kiosk.core.device_labels import DEVICE_LABELS
from kiosk.harness.reliability.journeys import Journey, run_journey
from tests.reliability.conftest import wait_until


def shown_greyed(parts: Any) -> dict[str, str]:
    """Greyed tiles on the home screen as the controller last published it."""
    return {e.service_id: e.reason for e in parts.controller.state.services if not e.available}


def needing(parts: Any, device: str) -> set[str]:
    """Services whose definition requires ``device`` (the 个人办事 ones: home lists those)."""
    return {e.service_id for e in parts.catalogue.entries()
            if device in e.devices and e.audience == "person"}


def check_device_fault(parts: Any, device: str, break_it: Callable[[], None],
                       repair: Callable[[], None], still_works: Journey) -> None:
    """The whole scenario (see the module docstring)."""
    affected = needing(parts, device)
    assert not shown_greyed(parts)
    break_it()
    wait_until(lambda: not parts.hub.usable(device), what=f"{device} unusable")
    wait_until(lambda: set(shown_greyed(parts)) == affected, what="greyed tiles")
    label = DEVICE_LABELS[device]
    assert all(label in reason for reason in shown_greyed(parts).values())
    assert parts.controller.state.screen == "home"
    assert parts.lifecycle.phase.value == "active"  # not out of service
    if affected:
        parts.controller.open_service(sorted(affected)[0])
        assert label in parts.controller.state.notice
        assert parts.controller.state.screen == "home"
    views = run_journey(parts, still_works)
    assert views[-1].kind is StepKind.DONE
    parts.controller.tap_attract()
    repair()
    wait_until(lambda: parts.hub.usable(device), what=f"{device} back")
    wait_until(lambda: not shown_greyed(parts), what="tiles available again")
    assert parts.controller.state.screen == "home"
