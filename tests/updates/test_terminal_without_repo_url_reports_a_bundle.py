"""A terminal without `[updates] repo_url` ignores bundles, while `kiosk updates activate` and
`kiosk doctor` reported one as active. Now both say plainly what the terminal runs and why."""

from __future__ import annotations

import json

from kiosk.boot.cli import main as kiosk
from kiosk.boot.composition import build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.core.tasks import InlineRunner
from kiosk.ops.doctor import _check_terminal_facts
from kiosk.updates.state import Outcome, OutcomeKind, UpdateState, save_state
from tests.updates.conftest import Setup
from tests.updates.test_updates_command_ignores_site_file import write_site


def test_no_repo_url_says_the_built_in_catalogue_runs(setup: Setup, capsys) -> None:
    site = write_site(setup, "")
    # A bundle left in the data folder from when the terminal followed a repository.
    save_state(setup.tmp / "data" / "updates" / "state.json", UpdateState(
        active=3, staged=4, last_outcome=Outcome(OutcomeKind.STAGED, 4, "", "2026-12-01T03:00Z")))

    assert kiosk(["updates", "activate", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert "this terminal runs the built-in catalogue: updates are off ([updates] repo_url " \
        "is empty in the site file); bundle 3 in the data folder is ignored" in err
    assert "Set [updates] repo_url" in err

    assert kiosk(["updates", "status", "--site", str(site), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["updates_on"] is False
    assert status["runs"].startswith("the built-in catalogue: updates are off")

    facts = {c.name: c for c in _check_terminal_facts(load_settings(site_file=site))}
    assert facts["bundle"].detail.startswith("runs the built-in catalogue: updates are off")
    assert "bundle 3 in the data folder is ignored" in facts["bundle"].detail
    assert not facts["bundle"].ok and not facts["bundle"].needed  # a warning, not a failure
    assert "off: set [updates] repo_url" in facts["updates"].detail


def test_heartbeat_of_a_terminal_without_updates_says_so(setup: Setup) -> None:
    site = write_site(setup, "")
    save_state(setup.tmp / "data" / "updates" / "state.json", UpdateState(active=3))
    env = {f"KIOSK__DEVICES__{d.upper()}": "none" for d in (
        "idcard", "smartcard", "camera", "scanner", "receipt_printer", "document_printer")}
    parts = build_kiosk(load_settings(site_file=site, environ=env), InlineRunner())
    try:
        assert parts.updater is None and parts.bundle_version == "builtin"
        parts.start_devices()
        report = parts.heartbeat.report()
        assert report.bundle_version == "builtin"
        assert report.last_update["update_summary"] == (
            "runs the built-in catalogue: updates are off ([updates] repo_url is empty in the "
            "site file); bundle 3 in the data folder is ignored")
    finally:
        parts.close()
