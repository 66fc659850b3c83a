"""End to end over loopback HTTP: v1 activates; v2 waits for the resident's session to end;
a broken v3 rolls back to v2 by itself and says so in the heartbeat.
"""

from __future__ import annotations

import threading
import time

from kiosk.updates.repository import Audience
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup


def test_publish_activate_wait_for_idle_and_roll_back_by_itself(setup: Setup, update_log) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.active_bundle() is None

    outcome = updater.poll()
    assert outcome.kind == OutcomeKind.ACTIVATED and outcome.version == 1
    active = updater.active_bundle()
    assert active is not None and active.version == 1
    flow = (active.path / "social-insurance-payments" / "flow.yaml").read_text()
    assert 'version: "1.0.0"' in flow

    # v2 is published while a resident is in session: it is staged, v1 keeps running.
    setup.publish(2)
    setup.idle[0] = False
    outcome = updater.poll()
    assert outcome.kind == OutcomeKind.STAGED and outcome.version == 2
    assert updater.active_bundle().version == 1  # type: ignore[union-attr]
    assert updater.activate().kind == OutcomeKind.STAGED  # still in session: no switch

    # The session ends (attract): the kiosk calls activate(); no network needed.
    setup.idle[0] = True
    setup.server.reset_counters()
    outcome = updater.activate()
    assert outcome.kind == OutcomeKind.ACTIVATED and outcome.version == 2
    assert setup.server.requests == []
    active = updater.active_bundle()
    assert active is not None and active.version == 2
    flow = (active.path / "social-insurance-payments" / "flow.yaml").read_text()
    assert 'version: "2.0.0"' in flow

    # A broken v3 (its flows have no steps): activated, checked, rolled back to v2 by itself.
    setup.publish(3, broken=True)
    outcome = updater.poll()
    assert outcome.kind == OutcomeKind.ROLLED_BACK and outcome.version == 3
    assert "no 'steps'" in outcome.reason
    assert updater.active_bundle().version == 2  # type: ignore[union-attr]
    beat = updater.heartbeat()
    assert beat["bundle_version"] == 2
    assert beat["update_outcome"] == "rolled_back" and beat["update_version"] == 3
    assert update_log("update_rolled_back")

    # The next poll does not try v3 again, and the heartbeat keeps reporting the rollback.
    assert updater.poll().kind == OutcomeKind.ROLLED_BACK
    assert updater.active_bundle().version == 2  # type: ignore[union-attr]

    # A fixed v4 goes through; old slots are pruned to KEEP_SLOTS.
    setup.publish(4)
    assert updater.poll().kind == OutcomeKind.ACTIVATED
    assert updater.active_bundle().version == 4  # type: ignore[union-attr]
    slots = sorted(p.name for p in updater.slots_dir.iterdir())
    assert slots == ["v1", "v2", "v4"]


def test_idle_poll_fetches_only_the_timestamp(setup: Setup) -> None:
    setup.publish(1)
    updater = setup.updater()
    updater.poll()
    setup.server.reset_counters()
    updater.poll()
    assert sorted(setup.server.requests) == ["/metadata/2.root.json", "/metadata/timestamp.json"]
    assert setup.server.bytes_sent < 4096


def test_staged_rollout_reaches_the_group_first(setup: Setup) -> None:
    setup.publish(1)
    pilot = setup.updater()
    other = setup.updater(data_dir=setup.tmp / "other", terminal_id="T-0099", groups=("east",))
    pilot.poll()
    other.poll()
    setup.publish(2, to=("group:pilot",))
    pilot.poll()
    other.poll()
    assert pilot.active_bundle().version == 2  # type: ignore[union-attr]
    assert other.active_bundle().version == 1  # type: ignore[union-attr]
    setup.repo.promote(2, [Audience("all")])
    other.poll()
    assert other.active_bundle().version == 2  # type: ignore[union-attr]
    setup.publish(3, to=("terminal:T-0099",))
    other.poll()
    pilot.poll()
    assert other.active_bundle().version == 3  # type: ignore[union-attr]
    assert pilot.active_bundle().version == 2  # type: ignore[union-attr]


def test_run_polling_polls_until_stopped(setup: Setup) -> None:
    setup.publish(1)
    updater = setup.updater()
    stop = threading.Event()
    worker = threading.Thread(target=updater.run_polling, args=(stop, 0.05))
    worker.start()
    try:
        for _ in range(200):
            if updater.active_bundle() is not None:
                break
            time.sleep(0.02)
        setup.publish(2)
        for _ in range(200):
            if updater.active_bundle().version == 2:  # type: ignore[union-attr]
                break
            time.sleep(0.02)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert updater.active_bundle().version == 2  # type: ignore[union-attr]
