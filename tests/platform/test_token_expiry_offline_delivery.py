"""Tokens: reads need a fresh one; an application queued offline is still accepted days later."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from kiosk.platform import ErrorKind, PlatformClient, PlatformError, WireApplicationStatus
from kiosk.sandbox import start_sandbox
from kiosk.sandbox.api import SUBMISSION_TOKEN_TTL_SECONDS, TOKEN_TTL_SECONDS
from kiosk.sandbox.store import Store
from tests.platform.conftest import login

SENIOR = {"bank_account": "社会保障卡金融账户"}


def test_reads_expire_but_queued_submissions_are_accepted(tmp_path: Path) -> None:
    now = [time.time()]
    handle = start_sandbox(tmp_path / "sandbox.db", clock=lambda: now[0])
    try:
        with PlatformClient(handle.url, terminal_id="T", retries=0) as platform:
            token = login(platform, "elder")
            now[0] += TOKEN_TTL_SECONDS + 1
            with pytest.raises(PlatformError) as caught:
                platform.profile(token)
            assert caught.value.kind is ErrorKind.REJECTED
            assert caught.value.message == "身份核验已失效，请重新核验身份"
            with pytest.raises(PlatformError):
                platform.issue_certificate("social-insurance-payment", token)
            now[0] += 2 * 24 * 3600  # the network came back two days later
            late = platform.submit_application("senior-allowance", token, SENIOR)
            assert late.status is WireApplicationStatus.APPROVED
            assert platform.rate("senior-allowance", 5, resident_token=token).rating_id
            now[0] += SUBMISSION_TOKEN_TTL_SECONDS
            with pytest.raises(PlatformError) as too_late:
                platform.submit_application("residence-registration", token, {})
            assert too_late.value.kind is ErrorKind.REJECTED
    finally:
        handle.stop()


def test_database_from_an_older_sandbox_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE tokens (token TEXT PRIMARY KEY, id_number TEXT NOT NULL, "
            "expires_at REAL NOT NULL)"
        )
        old.execute("INSERT INTO tokens VALUES ('t', 'x', 1800.0)")
    store = Store(path)
    try:
        with store.reading() as conn:
            assert conn.execute("SELECT issued_at FROM tokens").fetchone()[0] == 0.0
    finally:
        store.close()
