"""A mirror serves a tampered bundle (same length, or padded): rejected, v1 keeps running."""

from __future__ import annotations

import pytest

from kiosk.updates.state import OutcomeKind
from tests.updates.conftest import Setup, assert_unchanged


@pytest.mark.parametrize("how", ["flip-byte", "append"])
def test_tampered_bundle_is_rejected(setup: Setup, update_log, how: str) -> None:
    setup.publish(1)
    updater = setup.updater()
    assert updater.poll().kind == OutcomeKind.ACTIVATED
    setup.publish(2)
    served = setup.repo.bundle_file(2)
    data = bytearray(served.read_bytes())
    if how == "flip-byte":
        data[len(data) // 2] ^= 0xFF
    else:
        data += b"\x00" * 1024
    served.write_bytes(bytes(data))

    outcome = updater.poll()

    assert outcome.kind == OutcomeKind.REJECTED and outcome.version == 2
    expected = "LengthOrHashMismatchError" if how == "flip-byte" else "DownloadLengthMismatch"
    assert expected in outcome.reason
    assert_unchanged(updater, 1)
    assert not (updater.slots_dir / "v2").exists()
    assert any(expected in r.fields["reason"] for r in update_log("update_rejected"))
