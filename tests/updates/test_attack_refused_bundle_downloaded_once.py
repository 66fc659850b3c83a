"""A signed bundle refused at unpack is remembered by its signed sha256: later polls do not
download it again (requests counted at the real HTTP server), and a newer bundle still comes in.
"""

from __future__ import annotations

from kiosk.updates.repository import Audience
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged, craft_archive, evil_member


def test_refused_bundle_is_not_downloaded_again(setup: Setup) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().version == 1
    setup.repo.publish(craft_archive(setup, 2, [evil_member("../evil.yaml")]),
                       [Audience("all")])
    bundle_url = "/" + setup.repo.bundle_file(2).relative_to(setup.repo.repo_dir).as_posix()
    setup.server.reset_counters()

    first = updater.poll()
    for _ in range(3):
        updater.poll()

    assert first.kind == OutcomeKind.REJECTED and first.version == 2
    assert setup.server.requests.count(bundle_url) == 1
    assert setup.server.requests.count("/metadata/timestamp.json") == 4  # it kept polling
    refused = updater.status()["refused"]
    assert [r["version"] for r in refused] == [2] and "path" in refused[0]["reason"]
    assert "refused before" in updater.heartbeat()["update_check_reason"]
    assert_unchanged(updater, 1)

    # a restart keeps the memory (it is in the state file)
    setup.updater().poll()
    assert setup.server.requests.count(bundle_url) == 1

    # a good, newer bundle is not held back by the memory
    setup.publish(3)
    assert updater.poll().kind == OutcomeKind.ACTIVATED
    assert updater.active_bundle().version == 3  # type: ignore[union-attr]


def test_a_newer_app_tries_a_refused_bundle_again(setup: Setup) -> None:
    setup.publish(1)
    updater = setup.updater()
    updater.poll()
    setup.repo.publish(craft_archive(setup, 2, [evil_member("../evil.yaml")]),
                       [Audience("all")])
    bundle_url = "/" + setup.repo.bundle_file(2).relative_to(setup.repo.repo_dir).as_posix()
    updater.poll()
    setup.server.reset_counters()

    setup.updater(app_version="9.0.0").poll()

    assert setup.server.requests.count(bundle_url) == 1
