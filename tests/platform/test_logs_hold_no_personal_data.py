"""Neither the client nor the sandbox writes a name, ID number, phone or address to the log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.platform import ErrorKind, PlatformClient, PlatformError, WireAttachment
from kiosk.sandbox import SandboxHandle
from kiosk.sandbox.seed import RESIDENTS
from tests.logcapture import debug_log_file
from tests.platform.conftest import Admin, login, seed


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """Route all logging to a JSON-lines file for the test, then restore the handlers."""
    with debug_log_file(tmp_path / "logs") as path:
        yield path


def test_a_full_journey_logs_nothing_personal(
    log_file: Path, sandbox: SandboxHandle, client: PlatformClient, admin: Admin
) -> None:
    for key in ("worker", "mother", "migrant"):
        resident = seed(key)
        token = login(client, key)
        client.profile(token)
        client.records(token, "social-insurance-payments")
        client.licences(token)
        client.prefill("residence-registration", token)
        client.submit_application(
            "residence-registration",
            token,
            {"address": resident.address, "start_date": "2025-01-01", "housing": "租赁住房"},
            attachments=[
                WireAttachment(
                    name="合同.jpg", content_type="image/jpeg", data=resident.name.encode() * 50
                )
            ],
        )
        client.issue_certificate("social-insurance-payment", token)
        client.rate(
            "social-insurance-payments",
            1,
            reasons=["信息有误"],
            resident_token=token,
            comment=f"电话{resident.phone}",
        )
    client.verify_identity(
        "face",
        id_number=seed("face_mismatch").id_number,
        face_jpeg=b"\xff\xd8\xff" + b"0" * 10 + b"\xff\xd9",
    )
    with pytest.raises(PlatformError) as caught:
        client.verify_identity("idcard", id_number="11010519491231002X", name="不存在")
    assert caught.value.kind is ErrorKind.NOT_FOUND
    admin.faults(fail_next=1)
    client.profile(login(client, "elder"))
    for handler in logging.getLogger().handlers:
        handler.flush()

    lines = log_file.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line)["msg"] for line in lines]
    assert "sandbox_request" in events and "platform_call" in events
    assert "platform_call" in events and events.count("sandbox_request") > 20
    text = "\n".join(lines)
    secrets = ["11010519491231002X", "不存在"]
    for resident in RESIDENTS:
        secrets += [
            resident.name,
            resident.id_number,
            resident.phone,
            resident.address,
            resident.qr_code,
        ]
    leaked = [s for s in secrets if s in text]
    assert leaked == []
