"""A terminal that refused a bad bundle fell back to the built-in catalogue, not to the last good
bundle it or its channel had: a newly installed pilot terminal was stranded that way. Now the
newest good offer among its channels is taken instead."""

from __future__ import annotations

from kiosk.updates.repository import Audience
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import GROUP, Setup, assert_unchanged, craft_archive, evil_member


def test_new_pilot_terminal_falls_back_to_the_fleet_bundle(setup: Setup, update_log) -> None:
    setup.publish(1)                                    # the fleet runs bundle 1
    setup.publish(2, broken=True, to=(f"group:{GROUP}",))  # the pilot bundle fails its check
    updater = setup.updater()                           # newly installed, in the pilot group

    first = updater.poll()
    assert first.kind == OutcomeKind.ROLLED_BACK and first.version == 2
    assert updater.active_bundle() is None              # the check failed; nothing else yet

    second = updater.poll()                             # the very next poll

    assert second.kind == OutcomeKind.ACTIVATED and second.version == 1
    assert_unchanged(updater, 1)
    assert [r.fields["version"] for r in update_log("update_fallback")] == [1]
    assert "2, which failed its check here; taking 1 instead" in updater.last_check().reason
    # later polls keep bundle 1
    assert updater.poll().kind == OutcomeKind.ACTIVATED
    assert_unchanged(updater, 1)

    # a good, newer pilot bundle still comes in
    setup.publish(3, to=(f"group:{GROUP}",))
    assert updater.poll().version == 3
    assert_unchanged(updater, 3)


def test_refused_at_unpack_falls_back_to_the_fleet_bundle(setup: Setup) -> None:
    setup.publish(1)
    setup.repo.publish(craft_archive(setup, 2, [evil_member("../evil.yaml")]),
                       [Audience("group", GROUP)])
    updater = setup.updater()

    assert updater.poll().kind == OutcomeKind.REJECTED
    assert updater.poll().kind == OutcomeKind.ACTIVATED
    assert_unchanged(updater, 1)
    assert "refused before" in updater.last_check().reason


def test_terminal_with_a_good_bundle_keeps_it(setup: Setup) -> None:
    setup.publish(1, to=(f"group:{GROUP}",))
    updater = setup.updater()
    assert updater.poll().version == 1
    setup.publish(2, broken=True, to=(f"group:{GROUP}",))

    assert updater.poll().kind == OutcomeKind.ROLLED_BACK
    assert_unchanged(updater, 1)                       # the last good bundle it had
    assert updater.poll().kind == OutcomeKind.ROLLED_BACK  # nothing new: stays as it was
    assert_unchanged(updater, 1)
