"""Signed targets metadata with a malformed field (a compromised or buggy admin side) does not
kill the polling thread: the poll is refused or recorded as an error, the heartbeat's update
fields say so, and the next poll runs (and picks up a good bundle once one is published).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tuf.ngclient import FetcherInterface

from kiosk.updates.fetch import HttpFetcher
from kiosk.updates.repository import Repository
from kiosk.updates.state import CheckKind
from tests.updates.conftest import Setup

POLL_SECONDS = 0.2
WAIT_SECONDS = 60.0


def _corrupt(repo: Repository, path_suffix: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the signed ``custom`` data of the target ending in ``path_suffix`` and re-sign the
    chain properly (the terminal sees validly signed, malformed metadata)."""
    targets, snapshot, timestamp = repo.current_metadata()
    for path, info in targets.signed.targets.items():
        if path.endswith(path_suffix):
            change(info.unrecognized_fields["custom"])
    repo._resign_chain(targets, snapshot, timestamp)


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


MALFORMED: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "channel_min_app_version_not_a_version": (
        "all/current.json", lambda c: c["kiosk"].update(min_app_version="latest")),
    "channel_version_as_text": ("all/current.json", lambda c: c["kiosk"].update(version="2")),
    "channel_kiosk_not_a_mapping": ("all/current.json", lambda c: c.update(kiosk=["2"])),
    "bundle_kiosk_is_text": ("flows-2.tar.gz", lambda c: c.update(kiosk="garbage")),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_field_is_reported_and_polling_goes_on(setup: Setup, case: str) -> None:
    setup.publish(1)
    setup.publish(2)
    suffix, change = MALFORMED[case]
    _corrupt(setup.repo, suffix, change)
    updater = setup.updater()
    stop = threading.Event()
    thread = threading.Thread(target=updater.run_polling, args=(stop, POLL_SECONDS))
    setup.server.reset_counters()
    thread.start()
    try:
        _wait_for(lambda: setup.server.requests.count("/metadata/timestamp.json") >= 3)
        assert thread.is_alive()
        beat = updater.heartbeat()
        if beat["update_check"] in (CheckKind.REJECTED, CheckKind.ERROR):
            assert beat["update_check_reason"], beat  # refused reading the metadata
        else:  # metadata read, the bundle it names refused before any download
            assert beat["update_outcome"] == "rejected" and beat["update_reason"], beat
        assert beat["bundle_version"] in (None, 1)
    finally:
        stop.set()
        thread.join(timeout=30)


def test_bad_min_app_version_then_a_good_bundle(setup: Setup) -> None:
    setup.publish(1)
    updater = setup.updater()
    updater.poll()
    setup.publish(2)
    _corrupt(setup.repo, "all/current.json",
             lambda c: c["kiosk"].update(min_app_version="latest"))
    stop = threading.Event()
    thread = threading.Thread(target=updater.run_polling, args=(stop, POLL_SECONDS))
    thread.start()
    try:
        _wait_for(lambda: updater.heartbeat()["update_check"] == CheckKind.REJECTED)
        assert "latest" in updater.heartbeat()["update_check_reason"]
        setup.publish(3)  # the admin fixes it: the same thread picks the next bundle up
        _wait_for(lambda: updater.heartbeat()["bundle_version"] == 3)
        assert updater.heartbeat()["update_check"] == CheckKind.OK
    finally:
        stop.set()
        thread.join(timeout=30)


class _BrokenOnce(FetcherInterface):
    """A network stack that fails in an unexpected way once (at the third-party boundary)."""

    def __init__(self) -> None:
        self.inner = HttpFetcher(5, 30, user_agent="test")
        self.failed = False

    def _fetch(self, url: str) -> Iterator[bytes]:
        chunks = self.inner._fetch(url)
        if not self.failed:
            self.failed = True
            return self._explode()
        return chunks

    @staticmethod
    def _explode() -> Iterator[bytes]:
        raise RuntimeError("unexpected")
        yield b""  # pragma: no cover


def test_unexpected_error_in_one_poll_is_reported_and_the_next_poll_runs(setup: Setup) -> None:
    setup.publish(1)
    updater = setup.updater(fetcher=_BrokenOnce())

    first = updater.poll()

    assert updater.heartbeat()["update_check"] == CheckKind.ERROR
    assert "RuntimeError" in updater.heartbeat()["update_check_reason"]
    assert first.kind == "none"
    assert updater.poll().version == 1
    assert updater.heartbeat()["update_check"] == CheckKind.OK
