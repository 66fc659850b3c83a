"""Resident tokens never reach a log, at DEBUG, in the demo kiosk with its embedded platform.

The kiosk (build_kiosk, demo profile: the sandbox in-process over mutual TLS) logs at DEBUG to
a folder: our own events, the sandbox's access log, urllib3's connection log. Two residents go
through a query (token in the URL path) and an application with pre-fill (token in the query
string and in JSON bodies); each session's wipe revokes its token at the platform. Then every
token the platform ever issued is searched for in every log file, and every token is revoked.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.integration.conftest import Terminal
from tests.logcapture import debug_log_file

REVOKE_WAIT_SECONDS = 20.0


@pytest.fixture
def debug_logs(tmp_path: Path) -> Iterator[Path]:
    """All logging at DEBUG into a folder for the test, then the previous handlers back."""
    folder = tmp_path / "logs"
    with debug_log_file(folder):
        yield folder


def _tokens(terminal: Terminal) -> list[tuple[str, float | None]]:
    db = sqlite3.connect(f"file:{terminal.data_dir / 'sandbox.sqlite3'}?mode=ro", uri=True)
    try:
        return [(row[0], row[1]) for row in db.execute("SELECT token, revoked_at FROM tokens")]
    finally:
        db.close()


@pytest.mark.slow
def test_a_journey_at_debug_logs_no_token(terminal: Terminal, debug_logs: Path) -> None:
    before = {token for token, _ in _tokens(terminal)}
    query = terminal.run("social-insurance-payments", "migrant", {"_all_pages": True})
    assert query.done
    since = (date.today() - timedelta(days=400)).isoformat()
    applied = terminal.run("residence-registration", "migrant",
                           {"since": since, "housing": "租赁住房", "reason": "job"})
    assert applied.result().outcome == "approved"

    deadline = time.monotonic() + REVOKE_WAIT_SECONDS
    while True:
        issued = [(t, r) for t, r in _tokens(terminal) if t not in before]
        if all(r is not None for _, r in issued) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(issued) >= 2
    assert all(revoked is not None for _, revoked in issued), "a wipe left its token valid"

    for handler in logging.getLogger().handlers:
        handler.flush()
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted(debug_logs.rglob("*")) if p.is_file())
    assert '"logger": "urllib3.connectionpool"' in text  # DEBUG was really on
    assert '"path": "/v1/residents/{token}/records/{kind}"' in text  # the access log ran
    assert "token_revoked" in text
    leaked = [token for token, _ in issued if token in text]
    assert leaked == [], f"{len(leaked)} token(s) in the logs"
