"""Someone who can read the kiosk's disk (another local user, a copied data folder) while the
platform is down finds the queued application sealed: the outbox files and key are 0600, and the
raw bytes of the database, WAL and SHM hold neither the resident's token, ID number and name,
nor the answers or the document photo. The queued application is still delivered exactly once
after a restart, and its payload is then erased.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from flows import ports as fp
from kiosk.harness.reliability.journeys import Journey, identity_of
from kiosk.ops.outbox import Outbox
from kiosk.platform.client import PlatformClient
from tests.reliability.conftest import (
    SandboxProcess,
    free_port,
    platform_kiosk,
    reliability_catalogue,
)

GENERIC = Journey("generic-application", "worker", "submit")
PHOTO = b"\xff\xd8\xff\xe0JFIF-photo-of-the-resident-ID-card-front" * 40


def _outbox_files(data: Path) -> list[Path]:
    return sorted(p for p in data.glob("outbox*") if p.is_file())


def _raw(data: Path) -> bytes:
    return b"".join(p.read_bytes() for p in _outbox_files(data))


def _secrets(token: str, id_number: str, name: str) -> dict[str, bytes]:
    return {"token": token.encode(), "id_number": id_number.encode(),
            "name": name.encode("utf-8"), "answer": "住址：北京市朝阳区".encode(),
            "photo": PHOTO[:64], "photo_hex": PHOTO[:64].hex().encode()}


@pytest.mark.slow
def test_queued_application_is_sealed_at_rest_and_delivered_once(tmp_path: Path) -> None:
    sandbox = SandboxProcess(tmp_path / "platform.sqlite3", tmp_path / "sb.log",
                             free_port()).start()
    parts = platform_kiosk(tmp_path, sandbox.url, reliability_catalogue(tmp_path / "cat"))
    data = tmp_path / "data"
    try:
        identity = identity_of(GENERIC.resident)
        token, _ = parts.controller.verifier.verify("idcard", identity)
        sandbox.stop()  # the platform is down: the application waits in the outbox
        request = fp.ApplicationRequest(
            service=GENERIC.service,
            answers={"note": "住址：北京市朝阳区", "id_number": identity.id_number,
                     "name": identity.name},
            attachments=(fp.Attachment("id-front.jpg", "image/jpeg",
                                       hashlib.sha256(PHOTO).hexdigest(), PHOTO),))
        outcome = parts.outbox.submit_application(token, request)
        assert isinstance(outcome, fp.ApplicationOutcome)
        assert outcome.status is fp.ApplicationStatus.QUEUED

        reader = sqlite3.connect(data / "outbox.sqlite3")  # holds the WAL and SHM open
        try:
            reader.execute("SELECT COUNT(*) FROM submissions").fetchone()
            files = _outbox_files(data)
            assert {p.name for p in files} >= {"outbox.sqlite3", "outbox.sqlite3-wal",
                                                "outbox.sqlite3-shm", "outbox.key"}
            for path in files:
                mode = stat.S_IMODE(os.stat(path).st_mode)
                assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"
            raw = _raw(data)
        finally:
            reader.close()
        secrets = _secrets(token, identity.id_number, identity.name)
        for what, needle in secrets.items():
            assert needle not in raw, f"{what} in clear in the outbox files"

        # restart: a new outbox over the same files, the platform back
        sandbox.start()
        restarted = Outbox(data / "outbox.sqlite3", parts.client)
        assert restarted.stats().pending == 1
        assert restarted.deliver_pending() == 1
        assert restarted.deliver_pending() == 0
        assert list(sandbox.stats()["applications_by_key"].values()) == [1]
        with sqlite3.connect(data / "outbox.sqlite3") as db:
            payloads = db.execute("SELECT payload FROM submissions").fetchall()
        assert payloads == [(None,)]  # delivered: the sealed payload is erased
        raw = _raw(data)
        for what, needle in secrets.items():
            assert needle not in raw, f"{what} in clear after delivery"
    finally:
        sandbox.stop()


def _offline() -> PlatformClient:
    """A real platform client whose platform is down (nothing listens on its port)."""
    return PlatformClient(f"http://127.0.0.1:{free_port()}", retries=0, timeout_seconds=2)


def test_rows_written_in_clear_by_an_older_version_are_sealed_at_open(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    Outbox(path, _offline()).submit_application(
        "tok-clear-0123456789", fp.ApplicationRequest("svc", {"id": "110105194912310021"}))
    with sqlite3.connect(path) as db:  # what an older version left: clear JSON, 0644
        db.execute("UPDATE submissions SET payload=?", ('{"service": "svc", "token": '
                   '"tok-clear-0123456789", "answers": {"id": "110105194912310021"}, '
                   '"licences": [], "attachments": []}',))
    os.chmod(path, 0o644)

    Outbox(path, _offline())

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    raw = _raw(tmp_path)
    assert b"tok-clear-0123456789" not in raw and b"110105194912310021" not in raw


def test_a_payload_moved_to_another_row_or_a_lost_key_is_refused_not_sent(
        tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path, _offline())
    outbox.submit_application("tok-a", fp.ApplicationRequest("svc", {}, idempotency_key="a"))
    outbox.submit_application("tok-b", fp.ApplicationRequest("svc", {}, idempotency_key="b"))
    with sqlite3.connect(path) as db:  # swap: b's sealed payload into a's row
        sealed_b = db.execute("SELECT payload FROM submissions WHERE idempotency_key='b'"
                              ).fetchone()[0]
        db.execute("UPDATE submissions SET payload=? WHERE idempotency_key='a'", (sealed_b,))
    assert outbox.deliver_pending() == 0
    assert outbox.count("application", "refused") == 1

    (tmp_path / "outbox.key").unlink()  # the key is lost: a new one is made at start
    reopened = Outbox(path, _offline())
    assert reopened.deliver_pending() == 0
    assert reopened.count("application", "refused") == 2
    assert reopened.stats().pending == 0
