"""A failed update showed only in raw JSON and the fleet listing still said the old bundle; worse,
a kiosk following bundles had every heartbeat refused by the console (the updater's own field
names in ``last_update``). Now a real kiosk with a real updater reports to the real console: the
activated bundle's version, then a failed update as ``failed`` with the reason in plain words on
the terminal's page, and an update_failed alert."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.boot.composition import build_kiosk
from kiosk.boot.settings import load_settings
from kiosk.console.models import Alert, Terminal
from kiosk.core.tasks import InlineRunner
from kiosk.updates.bundle import build_archive
from kiosk.updates.httpserve import RepoServer
from kiosk.updates.repository import Audience, Repository
from tests.console.helpers import Console
from tests.updates.conftest import CREATED, write_flows

TERMINAL = "BJ-CY-0077"
WAIT_SECONDS = 60.0  # one 10 s poll and a few 1 s heartbeats; a bound, not a timing assertion
DEVICES = ("idcard", "smartcard", "camera", "scanner", "receipt_printer", "document_printer")


def _wait(predicate: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _publish(repo: Repository, tmp: Path, version: int, broken: bool = False) -> None:
    archive = tmp / f"flows-{version}.tar.gz"
    build_archive(write_flows(tmp / f"src-{version}", version, broken), archive, version,
                  "0.1.0", created=CREATED)
    repo.publish(archive, [Audience("all")])


@pytest.mark.slow
def test_failed_update_reaches_the_fleet_in_words(console: Console, tmp_path: Path) -> None:
    repo = Repository(tmp_path / "published", tmp_path / "keys")
    root = tmp_path / "trusted_root.json"
    root.write_bytes(repo.init().to_bytes())
    _publish(repo, tmp_path, 1)
    token_file = tmp_path / "console.token"
    token_file.write_text(console.enrol(TERMINAL) + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    with RepoServer(repo.repo_dir) as server:
        env = {"KIOSK__PATHS__DATA_DIR": str(tmp_path / "data"), "KIOSK__TERMINAL_ID": TERMINAL,
               "KIOSK__CONSOLE__URL": console.url,
               "KIOSK__CONSOLE__TOKEN_FILE": str(token_file),
               "KIOSK__CONSOLE__INTERVAL_SECONDS": "1",
               "KIOSK__UPDATES__REPO_URL": server.url, "KIOSK__UPDATES__TRUSTED_ROOT": str(root),
               "KIOSK__UPDATES__POLL_INTERVAL_SECONDS": "10",
               **{f"KIOSK__DEVICES__{d.upper()}": "none" for d in DEVICES}}
        parts = build_kiosk(load_settings(environ=env), InlineRunner())
        try:
            parts.start_devices()

            def row() -> Terminal:
                with console.sessions() as db:
                    found = db.get(Terminal, TERMINAL)
                    assert found is not None
                    return found
            # (an update_outcome event sets last_update without the summary until the next
            # heartbeat, a second later)
            _wait(lambda: "bundle 1 activated" in row().last_update.get("summary", ""),
                  "bundle 1 activated, in words")
            assert row().bundle_version == "1" and row().last_update["outcome"] == "ok"

            _publish(repo, tmp_path, 2, broken=True)
            _wait(lambda: "update FAILED" in row().last_update.get("summary", ""),
                  "the failure reported in words")
            terminal = row()
            assert terminal.bundle_version == "1"  # what it runs, and it says why
            assert terminal.last_update["outcome"] == "failed"
            assert terminal.last_update["version"] == "2"
            assert "bundle 2 failed its check on this terminal and was undone; bundle 1 runs" \
                in terminal.last_update["summary"]
            with console.sessions() as db:
                alert = db.scalar(select(Alert).where(Alert.terminal_id == TERMINAL,
                                                      Alert.kind == "update_failed"))
            assert alert is not None
            console.add_user("op1", "operator")
            page = console.login("op1").get(f"/terminals/{TERMINAL}").text
            assert 'id="update-summary"' in page and "bundle 2 failed its check" in page
        finally:
            parts.close()
