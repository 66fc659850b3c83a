"""A failed update showed only in raw JSON, and the fleet listing still said the old bundle. Now
the heartbeat, `kiosk doctor`, the technician screen's facts and `kiosk updates status` say it in
plain words: which bundle failed, why, and which bundle runs."""

from __future__ import annotations

import json

from kiosk.boot.cli import main as kiosk
from kiosk.boot.settings import load_settings
from kiosk.ops.doctor import _check_terminal_facts
from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import SERVICES, Setup
from tests.updates.test_updates_command_ignores_site_file import write_site


def test_failed_update_is_told_in_plain_words(setup: Setup, capsys) -> None:
    site = write_site(setup, setup.server.url)
    setup.publish(1)
    updater = setup.updater(data_dir=setup.tmp / "data")
    assert updater.poll().kind == OutcomeKind.ACTIVATED
    setup.publish(2, broken=True)
    assert updater.poll().kind == OutcomeKind.ROLLED_BACK

    summary = updater.heartbeat()["update_summary"]
    assert summary.startswith("runs bundle 1; last update: update FAILED at ")
    assert "bundle 2 failed its check on this terminal and was undone; bundle 1 runs" in summary
    assert f"{SERVICES[1]}/flow.yaml" in summary and "steps" in summary  # the reason

    facts = {c.name: c for c in _check_terminal_facts(load_settings(site_file=site))}
    assert facts["bundle"].detail.startswith("runs bundle 1")
    assert not facts["updates"].ok
    assert "update FAILED" in facts["updates"].detail
    assert "bundle 2 failed its check" in facts["updates"].detail

    assert kiosk(["updates", "status", "--site", str(site), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert "bundle 2 failed its check on this terminal and was undone" in status["last_update"]
