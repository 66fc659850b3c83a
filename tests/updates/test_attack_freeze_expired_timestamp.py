"""Freeze attack: a mirror keeps serving a timestamp that has expired. Rejected; v1 runs on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.updates.repository import Audience, Repository
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


def test_expired_timestamp_is_rejected(setup: Setup, update_log) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().kind == OutcomeKind.ACTIVATED
    # The mirror froze three days ago: every file it serves was signed back then, and the
    # one-day timestamp it still hands out has run out.
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    frozen = Repository(setup.repo.repo_dir, setup.repo.keys_dir, now=lambda: three_days_ago)
    frozen.publish(setup.build(2), [Audience("all")])

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED
    assert "ExpiredMetadataError" in outcome.reason
    assert_unchanged(updater, 1)
    assert not (updater.slots_dir / "v2").exists()
    assert any("Expired" in r.fields["reason"] for r in update_log("update_rejected"))
