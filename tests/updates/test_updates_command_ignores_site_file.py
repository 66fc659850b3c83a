"""`kiosk updates` ignored the repository URL and groups of the site file, so a technician's
command and the running kiosk could disagree. Now it reads them as the kiosk does, and says so
when options override them."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.boot.cli import main as kiosk
from tests.updates.conftest import GROUP, TERMINAL_ID, Setup


def write_site(setup: Setup, repo_url: str, groups: tuple[str, ...] = (GROUP,)) -> Path:
    """A demo site file naming the repository, the groups and the trusted root."""
    root = setup.tmp / "trusted_root.json"
    root.write_bytes(setup.trusted_root)
    site = setup.tmp / "site.toml"
    site.write_text(
        f'terminal_id = "{TERMINAL_ID}"\n[paths]\ndata_dir = "{setup.tmp / "data"}"\n'
        f'[updates]\nrepo_url = "{repo_url}"\ngroups = {json.dumps(list(groups))}\n'
        f'trusted_root = "{root}"\n', encoding="utf-8")
    return site


def test_technician_command_follows_the_site_file(setup: Setup, capsys) -> None:
    setup.publish(1)
    setup.publish(2, to=(f"group:{GROUP}",))  # only the pilot group gets bundle 2
    site = write_site(setup, setup.server.url)

    assert kiosk(["updates", "download", "--site", str(site), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["staged"] == 2  # the site file's group, with no --group on the command line

    assert kiosk(["updates", "status", "--site", str(site), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["repo_url"] == setup.server.url
    assert status["groups"] == [GROUP] and status["terminal_id"] == TERMINAL_ID
    assert status["updates_on"] is True
    assert "bundle 2 is downloaded and switches in between sessions" in status["runs"]

    # An override works, and the technician is told the kiosk itself would not follow it.
    assert kiosk(["updates", "status", "--site", str(site), "--repo-url",
                  "http://127.0.0.1:9/", "--json"]) == 0
    captured = capsys.readouterr()
    assert "the running kiosk does not use them: repo_url (the kiosk uses " \
        f"'{setup.server.url}')" in captured.err
