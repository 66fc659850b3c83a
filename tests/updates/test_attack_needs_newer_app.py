"""A bundle that needs a newer app than the terminal runs: refused before download; v1 keeps
running; the next app release takes it.
"""

from __future__ import annotations

from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


def test_bundle_needing_newer_app_is_rejected(setup: Setup, update_log) -> None:
    setup.publish(1)
    updater = setup.updater(app_version="0.1.0")
    assert updater.poll().version == 1
    setup.publish(2, min_app="0.3.0")
    setup.server.reset_counters()

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    assert "needs app 0.3.0" in outcome.reason
    assert not any(r.startswith("/targets/bundles/") for r in setup.server.requests)
    assert_unchanged(updater, 1)
    assert any("0.3.0" in r.fields["reason"] for r in update_log("update_rejected"))

    newer = setup.updater(app_version="0.3.1")
    assert newer.poll().kind == OutcomeKind.ACTIVATED
    assert newer.active_bundle().version == 2  # type: ignore[union-attr]
