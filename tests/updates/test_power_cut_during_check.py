"""Power cut between switching to a new bundle and the end of its check: the next start finishes
the check (and rolls back if it fails) before the kiosk loads anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup


class PowerCut(BaseException):
    """Stands in for the process dying mid-check (not an Exception: nothing may catch it)."""


def _dies(path: Path) -> list[str]:
    raise PowerCut


def test_interrupted_check_is_finished_at_next_start(setup: Setup) -> None:
    setup.publish(1)
    assert setup.updater().poll().kind == OutcomeKind.ACTIVATED
    setup.publish(2, broken=True)
    with pytest.raises(PowerCut):
        setup.updater(check_bundle=_dies).poll()

    restarted = setup.updater()
    assert restarted.status()["active"] == 2  # on disk: switched but never checked
    outcome = restarted.activate()  # what the kiosk calls at start, before loading flows
    assert outcome.kind == OutcomeKind.ROLLED_BACK and outcome.version == 2
    assert restarted.active_bundle().version == 1  # type: ignore[union-attr]
